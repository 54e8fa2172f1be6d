from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """Work that must follow a state change (a Celery task and its arguments), written in the
    same database transaction as the change.

    The change and its follow-up work commit or roll back together: a broker that is down when
    the change is saved delays the work, it does not lose it. Each message is handed to Celery
    right after commit and, failing that, by the periodic relay (portal.outbox.relay_pending).
    Tasks sent this way are idempotent, so a message relayed twice does no harm."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    relayed_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("交付次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待交付任务")
        verbose_name_plural = _("待交付任务")
        ordering = ["created_at"]
        indexes = [
            # The relay reads only what is still to be handed over.
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(relayed_at__isnull=True))
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)!r}"
