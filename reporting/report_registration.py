"""The work report registers its draft job (portal.jobs) and what the joint meeting's minutes
read of it when they are rendered (documents.registry): the signed report of the period the
meeting reviewed is filed with the minutes as their attachment."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext as _

from documents import registry
from documents.models import Document
from meetings.models import JointMeeting
from portal import jobs
from reporting import services
from reporting.models import WorkReport

DRAFT_JOB = "reporting.work_report_draft"


def run_work_report_draft(job, progress) -> jobs.JobResult:
    """Compute the figures of the report named by `job.params["report_id"]` and keep them."""
    report = WorkReport.objects.get(pk=job.params["report_id"])
    progress(0, 2, _("正在统计%(period)s数据") % {"period": report.period_name})
    services.work_report_refresh_figures(report=report, by=job.created_by)
    progress(2, 2, _("统计完成"))
    return jobs.JobResult(
        url=reverse("admin:reporting_workreport_change", args=[report.pk]),
        message=_("%(title)s已起草，请填写评述后提交签发。") % {"title": report.title},
    )


def minutes_attachments(document) -> dict:
    """The signed work reports filed with a joint meeting's minutes: those of the meeting signed
    before the minutes were issued, i.e. whose document was requested first (a re-render lists the
    same ones)."""
    if document.subject_type_id != ContentType.objects.get_for_model(JointMeeting).pk:
        return {}
    reports = WorkReport.objects.filter(
        meeting_id=document.subject_id,
        status=WorkReport.Status.SIGNED,
        document_id__lt=document.pk,  # issued before the minutes (ids only grow)
    ).order_by("period_first", "kind")
    return {"attachments": [{"title": r.title, "number": r.number} for r in reports]}


jobs.register(DRAFT_JOB, run_work_report_draft)
registry.register_context(Document.Kind.MEETING_MINUTES, minutes_attachments)
