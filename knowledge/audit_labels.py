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
    "knowledge.law.subscribers_told": _("通知订阅用户法律修订或废止"),
    # Training, salons and trade fairs.
    "knowledge.registration.created": _("活动报名"),
    "knowledge.registration.cancelled": _("取消报名"),
    "knowledge.registration.attended": _("记录已参加"),
    "knowledge.registration.absent": _("记录未到场"),
    "knowledge.registration.exported": _("导出报名名单"),
    "knowledge.material.added": _("上传活动资料"),
    "knowledge.material.removed": _("删除活动资料"),
    "knowledge.fair_help.created": _("展会现场求助"),
    "knowledge.fair_help.answered": _("答复展会现场求助"),
    "knowledge.fair_help.escalated": _("展会求助转为申请"),
    # Subscriptions.
    "knowledge.subscription.requested": _("申请订阅"),
    "knowledge.subscription.asked_again": _("重新发送订阅确认"),
    "knowledge.subscription.confirmed": _("确认订阅"),
    "knowledge.subscription.subscribed": _("订阅"),
    "knowledge.subscription.updated": _("修改订阅"),
    "knowledge.subscription.unsubscribed": _("退订"),
    "knowledge.subscription.digest_sent": _("发送每周摘要"),
}
