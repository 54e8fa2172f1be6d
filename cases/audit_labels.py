"""What the audit log's action types of case work read as."""

from django.utils.translation import gettext_lazy as _

from cases.opinions.audit_labels import LABELS as OPINION_LABELS

LABELS = {
    "cases.case.opened": _("建立案件"),
    "cases.case.assigned": _("指定承办人"),
    "cases.case.in_progress": _("转为办理中"),
    "cases.case.awaiting_input": _("等待协助单位或专家意见"),
    "cases.case.opinion_drafted": _("指导意见已起草"),
    "cases.case.opinion_issued": _("指导意见已出具"),
    "cases.case.follow_up": _("进入跟踪反馈"),
    "cases.case.closed": _("结案"),
    "cases.case.terminated": _("终止办理"),
    "cases.case.transition": _("案件状态变更"),
    "cases.case.recorded": _("办理记录"),
    "cases.case.contacted": _("首次联系申请人"),
    "cases.case.regraded": _("调整纠纷级别"),
    "cases.case.input_requested": _("请申请人补充材料"),
    "cases.case.input_received": _("申请人已答复，期限恢复计算"),
    "cases.note.added": _("添加内部备注"),
    "cases.letter.drafted": _("起草协助办理函"),
    "cases.letter.edited": _("修改协助办理函"),
    "cases.letter.submitted": _("协助办理函提交签发"),
    "cases.letter.returned": _("协助办理函退回修改"),
    "cases.letter.withdrawn": _("撤回协助办理函"),
    "cases.letter.signed": _("签发协助办理函"),
    "cases.letter.settled": _("协助办理函办结"),
    "cases.recipient.acknowledged": _("协助单位签收"),
    "cases.recipient.answered": _("协助单位回函"),
    "cases.attachment.downloaded": _("下载回函附件"),
    "cases.extension.requested": _("申请延期回函"),
    "cases.extension.granted": _("同意延期"),
    "cases.extension.refused": _("不同意延期"),
    "cases.report.drafted": _("起草情况报告"),
    "cases.report.edited": _("修改情况报告"),
    "cases.report.submitted": _("情况报告提交签发"),
    "cases.report.returned": _("情况报告退回修改"),
    "cases.report.sent": _("签发报送情况报告"),
    "cases.report.answered": _("收到上级回复"),
}

LABELS.update(OPINION_LABELS)
