from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (its authenticator app's 6 digits)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account's e-mail address, e.g. director@demo.cn")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp is for the demo; it refuses to run when DEBUG is off.")
        device = TOTPDevice.objects.filter(user__email__iexact=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator (accounts without two-factor need no code).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"valid for {remaining} more seconds, and still accepted for one step after that")
