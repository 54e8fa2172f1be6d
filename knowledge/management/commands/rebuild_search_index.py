"""Rebuild the knowledge platform's search from the published items."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from knowledge.search import reindex_all


class Command(BaseCommand):
    help = _("重建知识平台的检索索引（只收录已发布的内容）")

    def handle(self, *args, **options):
        count = reindex_all()
        self.stdout.write(_("已重建检索索引：%(count)d 条。") % {"count": count})
