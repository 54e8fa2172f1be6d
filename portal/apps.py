from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户与中心配置")

    def ready(self):
        # The <id:…> path converter for URL patterns, and `__in` on ids that ignores values no row can have.
        from portal import converters, lookups  # noqa: F401
        from portal.twofactor import signals  # noqa: F401  (remembers at login who needs no second factor)
