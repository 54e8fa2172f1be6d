"""What the audit log's action types of the reporting app read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "reporting.work_report.drafted": _("起草工作报告"),
    "reporting.work_report.figures": _("更新工作报告统计数据"),
    "reporting.work_report.edited": _("修改工作报告"),
    "reporting.work_report.submitted": _("工作报告提交签发"),
    "reporting.work_report.returned": _("工作报告退回修改"),
    "reporting.work_report.signed": _("签发工作报告"),
    "reporting.work_report.meeting_linked": _("工作报告关联联席例会"),
}
