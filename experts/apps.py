from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("专家库")

    def ready(self):
        from experts import opinion_quotes, receivers  # noqa: F401  (connects the signal receivers)

        opinion_quotes.connect()  # the guidance opinion and the case file read the experts' opinions
