"""The work reports a meeting page shows (meetings sits below reporting: its templates ask here, its
code never imports this app)."""

from django import template
from django.urls import reverse

from documents.permissions import visible_documents
from portal.roles import is_center_member
from reporting.models import WorkReport

register = template.Library()


@register.simple_tag
def meeting_work_reports(meeting, user):
    """The work reports of the period a meeting reviews, as [{"report", "document"}]: center members
    see every one linked to the meeting (with the signed PDF once rendered); anyone else only the
    signed reports whose PDF they may download."""
    reports = list(meeting.work_reports.select_related("document").order_by("period_first", "kind"))
    documents = {
        document.pk: document
        for document in visible_documents(user).filter(pk__in=[r.document_id for r in reports if r.document_id])
    }
    center = is_center_member(user)
    found = []
    for report in reports:
        document = documents.get(report.document_id)
        if center or (report.status == WorkReport.Status.SIGNED and document is not None):
            admin_url = reverse("admin:reporting_workreport_change", args=[report.pk]) if center else ""
            found.append({"report": report, "document": document, "admin_url": admin_url})
    return found
