"""What the audit log's action types of the expert workflow read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "experts.expert.account_opened": _("开通登录账号"),
    "experts.nomination.approved": _("推荐专家入库"),
    "experts.nomination.declined": _("推荐专家未入库"),
    "experts.matching.run": _("专家匹配"),
    "experts.invitation.sent": _("邀请专家"),
    "experts.invitation.accepted": _("接受邀请"),
    "experts.invitation.declined": _("谢绝邀请"),
    "experts.invitation.expired": _("邀请逾期"),
    "experts.invitation.withdrawn": _("撤回邀请"),
    "experts.invitation.reminded": _("提醒答复邀请"),
    "experts.assignment.declared_no_conflict": _("声明无利益冲突"),
    "experts.assignment.declared_conflict": _("声明存在利益冲突"),
    "experts.assignment.withdrawn": _("撤销指派"),
    "experts.assignment.assigned_for_seminar": _("指派参加研讨会"),
    "experts.assignment.opinion_submitted": _("提交专家意见"),
    "experts.assignment.rated": _("评价专家"),
    "experts.assignment.contact_released": _("提供申请人联系方式"),
    "experts.seminar.convened": _("召集研讨会"),
    "experts.seminar_invitee.responded": _("答复研讨会邀请"),
    "experts.seminar_invitee.view_recorded": _("记录研讨观点"),
    "experts.seminar.held": _("研讨会召开"),
    "experts.seminar.concluded": _("形成合议意见"),
    "experts.seminar.cancelled": _("取消研讨会"),
    "experts.expert.unavailability_recorded": _("登记不可参与期间"),
    "experts.expert.unavailability_deleted": _("删除不可参与期间"),
    "experts.expert.transition": _("专家工作记录"),
    # Views and downloads of confidential files
    "experts.evidence.downloaded": _("专家下载证据材料"),
    "experts.opinion.viewed": _("查看专家意见"),
    "experts.opinion_attachment.downloaded": _("下载专家意见附件"),
    "experts.seminar_material.downloaded": _("下载研讨会材料"),
}
