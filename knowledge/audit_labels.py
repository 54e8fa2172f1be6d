"""What the audit log's action types of the knowledge platform's review read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "knowledge.item.drafted": _("起草知识平台信息"),
    "knowledge.item.edited": _("修改知识平台信息"),
    "knowledge.item.submitted": _("报送信息待审核"),
    "knowledge.item.published": _("审核发布"),
    "knowledge.item.returned": _("退回修改"),
    "knowledge.item.declined": _("不予采用"),
    "knowledge.item.withdrawn": _("撤回发布"),
    "knowledge.item.imported": _("批量导入"),
    "knowledge.law.new_version": _("法律法规新版本"),
    "knowledge.law.amended": _("法律法规标记为已修订"),
    "knowledge.law.repealed": _("法律法规标记为已废止"),
    "knowledge.case.drafted_from_case": _("由已结案案件生成典型案例"),
    "knowledge.case.consent_requested": _("征求申请人是否同意公开典型案例"),
    "knowledge.case.consent_given": _("申请人同意公开典型案例"),
    "knowledge.case.consent_refused": _("申请人不同意公开典型案例"),
}
