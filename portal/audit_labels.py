"""What the audit log's action types of the base layer read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "portal.email.sent": _("邮件已发送"),
    "portal.email.failed": _("邮件发送失败"),
    "portal.email.resent": _("重新发送邮件"),
    "portal.user.two_factor_reset": _("重置两步验证"),
    "portal.user.two_factor_enrolled": _("绑定身份验证器"),
    "portal.user.two_factor_disabled": _("停用两步验证"),
    "portal.user.recovery_codes_renewed": _("重新生成恢复码"),
    "portal.user.recovery_code_used": _("使用恢复码登录"),
}
