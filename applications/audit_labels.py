"""What the audit log's action types of applications read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "applications.application.created": _("开始填写申请书"),
    "applications.application.saved": _("保存申请书草稿"),
    "applications.application.submitted": _("提交申请"),
    "applications.application.withdrawn": _("撤回申请"),
    "applications.application.accepted": _("受理申请"),
    "applications.application.returned": _("退回补正"),
    "applications.application.declined": _("不予受理"),
    "applications.application.lapsed": _("逾期未补正，确认关闭"),
    "applications.application.transition": _("申请状态变更"),
    "applications.application.review_reminded": _("提醒工作人员受理审查期限"),
    "applications.application.correction_reminded": _("提醒申请人补正期限"),
    "applications.application.lapse_reported": _("提请确认逾期未补正"),
    "applications.attachment.added": _("上传证明材料"),
    "applications.attachment.removed": _("删除证明材料"),
    "applications.attachment.downloaded": _("查看证明材料"),
    "applications.message.posted": _("发送留言"),
    "applications.message_attachment.downloaded": _("查看留言附件"),
    "applications.feedback.submitted": _("提交满意度评价"),
    "applications.applicant.registered": _("注册申请人单位"),
    "applications.membership_request.created": _("申请加入单位"),
    "applications.membership_request.approved": _("同意加入单位"),
    "applications.membership_request.rejected": _("拒绝加入单位"),
    "applications.application.entered": _("代为录入申请"),
    "applications.application.forwarded": _("服务工作站初审通过，转报指导中心"),
    "applications.application.first_check_failed": _("服务工作站初审未通过"),
    "applications.applicant.entered": _("代为登记申请人"),
    "applications.invitation.sent": _("发送在线办理邀请"),
    "applications.invitation.accepted": _("接受在线办理邀请"),
}
