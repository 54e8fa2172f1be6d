from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件办理")

    def ready(self):
        # Accepting an application opens its case; the applicant's answer on the thread ends a
        # pause of the case's opinion deadline (signals of applications, received here).
        from cases import receivers  # noqa: F401
        from cases.opinions.registration import ready as opinions_ready

        opinions_ready()  # the case file's catalogue, read when it is rendered
