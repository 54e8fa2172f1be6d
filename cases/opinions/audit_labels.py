"""What the audit log's action types of the guidance opinion and the case file read as
(merged into cases.audit_labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "cases.opinion.created": _("起草指导意见书"),
    "cases.opinion.edited": _("修改指导意见书"),
    "cases.opinion.experts_quoted": _("引用专家意见"),
    "cases.opinion.submitted": _("提交承办人审核"),
    "cases.opinion.approved": _("审核通过，提交签发"),
    "cases.opinion.returned": _("退回修改"),
    "cases.opinion.signed": _("签发指导意见书"),
    "cases.opinion.reopened": _("重新打开更正"),
    "cases.opinion.previewed": _("预览指导意见书"),
    "cases.opinion.transition": _("指导意见书状态变更"),
    "cases.case_file.exported": _("导出案卷"),
}
