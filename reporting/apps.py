from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("统计与报送")

    def ready(self):
        # What the reporting app registers with the layers below it: its document kind and
        # the long jobs it runs (portal.jobs).
        from reporting import national_registration, report_registration  # noqa: F401
