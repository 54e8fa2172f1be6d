from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户与中心配置")

    def ready(self):
        # The <id:…> path converter for URL patterns, and `__in` on ids that ignores values no row can have.
        from portal import converters, lookups  # noqa: F401
        from portal.twofactor import signals  # noqa: F401  (remembers at login who needs no second factor)

        # The roles' groups and permissions, set after every migrate, once: on the signal of the last
        # app with models. Django sends post_migrate app by app and creates each app's permissions
        # on its own signal, so by then the other apps' permissions exist (the last app's are made
        # in the receiver: this app is listed before django.contrib.auth, so its receivers run first).
        last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(_set_up_roles, sender=last_app, dispatch_uid="portal.set_up_roles")
        # The working-day numbers follow the calendar (see portal.workdays).
        # Every write moves its table's version, which kept signed-in pages follow.
        from portal import (
            page_cache,
            receivers_calendar,  # noqa: F401
        )

        page_cache.install()


def _set_up_roles(sender, using="default", verbosity=0, **kwargs):
    # Imported here: the auth models cannot be imported before the app registry is ready.
    from django.contrib.auth.management import create_permissions

    from portal.groups import set_up_roles

    create_permissions(sender, verbosity=verbosity, using=using)
    set_up_roles()
