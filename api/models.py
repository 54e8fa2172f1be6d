"""Who may call the REST API, with what, and what each call did.

Staff register a client (an organisation, e.g. the national platform) and issue it tokens in the
admin. Only a SHA-256 of a token's key is stored, with a short visible prefix to tell keys apart;
the full key is shown once, when the token is issued. A token carries scopes (what it may read or
write), an expiry and, once revoked, the time it was revoked. Every call is recorded as an ApiCall
(pruned after API_CALL_RETENTION_DAYS by a periodic task)."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "ipp"


class Scope(models.TextChoices):
    STATISTICS_READ = "statistics:read", _("读取统计数据")
    KNOWLEDGE_READ = "knowledge:read", _("读取已发布的知识库内容")
    CASES_READ = "cases:read", _("读取脱敏案件信息")
    CONSULTATIONS_WRITE = "consultations:write", _("登记咨询")
    DOCUMENTS_VERIFY = "documents:verify", _("核验文书")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def default_expiry():
    return timezone.now() + datetime.timedelta(days=365)


class ApiClient(models.Model):
    name = models.CharField(_("调用方名称"), max_length=100, unique=True)
    contact = models.CharField(_("联系人及联系方式"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    rate_per_minute = models.PositiveIntegerField(_("每分钟调用上限"), default=60)
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("登记咨询时记为接待人"),
        help_text=_("通过接口登记的咨询以此账号为接待人（须为中心工作人员）；不填则不能登记咨询。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口调用方")
        verbose_name_plural = _("接口调用方")
        ordering = ["name"]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("name",)

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("调用方"))
    label = models.CharField(_("用途说明"), max_length=100, blank=True)
    prefix = models.CharField(_("密钥前缀"), max_length=20, editable=False, db_index=True)
    key_hash = models.CharField(_("密钥摘要（SHA-256）"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("权限范围"), default=list)
    expires_at = models.DateTimeField(_("有效期至"), default=default_expiry)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("签发人"),
        editable=False,
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.client} · {self.prefix}…"

    @staticmethod
    def new_key() -> tuple[str, str]:
        """(full key, visible prefix). The key is `ipp_<prefix>_<secret>`."""
        prefix = secrets.token_hex(4)
        return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", f"{KEY_PREFIX}_{prefix}"

    def set_key(self, key: str, prefix: str) -> None:
        self.key_hash = hash_key(key)
        self.prefix = prefix

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiCall(models.Model):
    token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls", verbose_name=_("令牌")
    )
    client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls", verbose_name=_("调用方")
    )
    method = models.CharField(_("方法"), max_length=10)
    path = models.CharField(_("路径"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("状态码"))
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"))
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["token", "-at"]),
            # The time alone (a period's calls) and the admin list's order (newest first, then the
            # key), read from the index instead of sorting the table.
            models.Index(fields=["at", "id"], name="api_call_at_id"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} {self.status_code}"
