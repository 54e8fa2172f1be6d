from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.transitions import StatusField, StatusModel


class Notification(models.Model):
    """A message in a user's portal inbox; the same message usually goes out by e-mail too."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
            models.Index(fields=["created_at", "id"], name="notification_created_id"),
        ]

    def __str__(self):
        return self.subject


class EmailDelivery(StatusModel):
    """One e-mail to one address, recorded in the transaction of the change it reports.

    The request never talks to the mail server: a task sends the message after commit, and a
    periodic relay sends what is still pending (the broker was down, the mail server refused).
    A message that keeps failing stays here as 'failed' for staff to see and send again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    TRANSITIONS = {
        Status.PENDING: {Status.SENT, Status.FAILED},
        Status.SENT: set(),
        Status.FAILED: {Status.PENDING},  # staff send it again
    }

    to = models.EmailField(_("收件人"))
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"))
    status = StatusField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, transitions=TRANSITIONS
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件发送记录")
        verbose_name_plural = _("邮件发送记录")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
            models.Index(fields=["created_at", "id"], name="email_delivery_created_id"),
        ]

    def __str__(self):
        return f"{self.to} {self.subject}"
