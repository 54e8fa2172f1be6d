from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户与中心配置")

    def ready(self):
        # The <id:…> path converter for URL patterns, and `__in` on ids that ignores values no row can have.
        from portal import converters, lookups  # noqa: F401
        from portal.twofactor import signals  # noqa: F401  (remembers at login who needs no second factor)

        # The roles' groups and permissions, set after every migrate (once, on the portal's own signal).
        post_migrate.connect(_set_up_roles, sender=self, dispatch_uid="portal.set_up_roles")
        # The working-day numbers follow the calendar (see portal.workdays).
        # Every write moves its table's version, which kept signed-in pages follow.
        from portal import (
            page_cache,
            receivers_calendar,  # noqa: F401
        )

        page_cache.install()


def _set_up_roles(sender, using="default", verbosity=0, **kwargs):
    # Imported here: the auth models cannot be imported before the app registry is ready.
    from portal.groups import set_up_roles

    set_up_roles(using=using, verbosity=verbosity)
