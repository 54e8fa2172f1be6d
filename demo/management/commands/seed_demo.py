from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_MODULES, seed_all
from portal.demo import DEMO_PASSWORD

__all__ = ["DEMO_MODULES", "Command"]


class Command(BaseCommand):
    help = "Load demo data: the center, six partner agencies, one user per role and sample cases."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run when DEBUG is off."
            )
        seed_all(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/accounts/login/ with:"))
        for email, role in [
            ("applicant@demo.cn", "申请人 applicant"),
            ("staff@demo.cn", "工作人员 staff"),
            ("director@demo.cn", "主任 director"),
            ("deputy@demo.cn", "常务副主任 deputy director"),
            ("deputy2@demo.cn", "副主任 deputy director"),
            ("agency@demo.cn", "协助单位 partner agency (商务厅)"),
            ("customs@demo.cn", "协助单位 partner agency (太原海关)"),
            ("expert@demo.cn", "专家 expert"),
        ]:
            self.stdout.write(f"  {email:<22} {DEMO_PASSWORD}   {role}")
