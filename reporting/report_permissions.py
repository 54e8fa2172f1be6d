"""Who may read and act on the work reports: the center's staff draft and edit them, only the
director reviews and signs (签发) or returns them. Nobody outside the center sees the report
itself; the signed PDF reaches the joint meeting's agencies as a document (documents.permissions)."""

from portal.roles import Role, has_role, is_center_member
from reporting.models import WorkReport


def visible_work_reports(user):
    if getattr(user, "is_authenticated", False) and is_center_member(user):
        return WorkReport.objects.all()
    return WorkReport.objects.none()


def can_edit_work_report(user, report=None):
    """Draft a report, refresh its figures, write the commentary and submit it: center members."""
    return getattr(user, "is_authenticated", False) and is_center_member(user)


def can_sign_work_report(user, report=None):
    """Sign or return the report: the director only (the report is the center's account of its work)."""
    return getattr(user, "is_authenticated", False) and has_role(user, Role.DIRECTOR)
