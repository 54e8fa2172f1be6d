from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("数据接口")

    def ready(self):
        # The OpenAPI description of the token scheme, and the daily pruning of old call records.
        from celery.schedules import crontab

        from api import authentication  # noqa: F401
        from portal.celery import app

        app.conf.beat_schedule.setdefault(
            "prune-api-calls", {"task": "api.tasks.prune_api_calls", "schedule": crontab(hour=3, minute=20)}
        )
