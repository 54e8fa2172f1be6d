"""What the audit log's action types of consultations read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "consultations.consultation.logged": _("登记咨询"),
    "consultations.consultation.updated": _("修改咨询记录"),
    "consultations.consultation.followed_up": _("记录咨询跟进"),
    "consultations.consultation.closed": _("咨询办结"),
    "consultations.consultation.reopened": _("重新打开咨询"),
    "consultations.consultation.converted": _("咨询转为申请"),
    "consultations.consultation.follow_up_reminded": _("提醒跟进咨询"),
}
