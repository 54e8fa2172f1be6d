from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("重点企业")

    def ready(self):
        from enterprises.tasks import warning_published
        from knowledge.models import Warning
        from knowledge.signals import item_published

        item_published.connect(warning_published, sender=Warning, dispatch_uid="enterprises.warning_published")
