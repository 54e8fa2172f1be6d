"""The audit log's action types of documents, and what they read as."""

from django.utils.translation import gettext_lazy as _

REQUESTED = "documents.document.requested"
RENDERED = "documents.document.rendered"
SIGNED = "documents.document.signed"
FAILED = "documents.document.failed"
RETRIED = "documents.document.retried"
SUPERSEDED = "documents.document.superseded"
REVOKED = "documents.document.revoked"
DOWNLOADED = "documents.document.downloaded"

LABELS = {
    REQUESTED: _("申请生成"),
    RENDERED: _("已生成"),
    SIGNED: _("已加数字签名"),
    FAILED: _("生成失败"),
    RETRIED: _("重新生成"),
    SUPERSEDED: _("被新版本取代"),
    REVOKED: _("已撤销"),
    DOWNLOADED: _("下载文书"),
}
