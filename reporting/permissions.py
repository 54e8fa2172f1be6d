"""Who may open the statistics pages, and what each may see there.

The center (staff, the director, deputies) sees every figure and may cut them by any active
workstation. A workstation's staff see only their own workstation and those under it: the cut is
forced to it. A partner agency's users see a read-only page of their own agency's letters. Anyone
else gets a 404 (the pages' existence is not disclosed); an anonymous visitor is sent to log in.
"""

import dataclasses

from portal.models import ServicePoint
from portal.roles import Role, has_role, is_center_member
from reporting.models import WorkReport

CENTER = "center"
SERVICE_POINT = "service_point"
AGENCY = "agency"


@dataclasses.dataclass(frozen=True)
class StatisticsScope:
    """`kind` is CENTER, SERVICE_POINT or AGENCY. `service_point_id` is the workstation a
    workstation user is bound to (None for the center); `agency_id` the agency of an agency user."""

    kind: str
    service_point_id: int | None = None
    agency_id: int | None = None

    @property
    def full(self) -> bool:
        """The whole statistics page (the center and workstations), not the agency's letters only."""
        return self.kind in (CENTER, SERVICE_POINT)

    def service_point_choices(self):
        """The workstations this user may cut the figures by: every active one for the center; for a
        workstation, its own and the active ones under it."""
        points = ServicePoint.objects.filter(active=True)
        if self.kind == SERVICE_POINT:
            points = ServicePoint.objects.filter(pk__in=ServicePoint.scope_ids(self.service_point_id)).filter(
                active=True
            ) | ServicePoint.objects.filter(pk=self.service_point_id)
        return points.order_by("display_order", "name").distinct()


def statistics_scope(user) -> StatisticsScope | None:
    """What `user` may see on the statistics pages, or None when nothing (a 404)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if is_center_member(user):
        return StatisticsScope(CENTER)
    if has_role(user, Role.SERVICE_POINT) and user.service_point_id is not None:
        return StatisticsScope(SERVICE_POINT, service_point_id=user.service_point_id)
    if has_role(user, Role.AGENCY) and user.agency_id is not None:
        return StatisticsScope(AGENCY, agency_id=user.agency_id)
    return None


def can_view_statistics(user) -> bool:
    """The full statistics page (figures of cases, applications, consultations…)."""
    scope = statistics_scope(user)
    return scope is not None and scope.full


def can_view_agency_statistics(user) -> bool:
    """The agency's read-only page of its own letters."""
    scope = statistics_scope(user)
    return scope is not None and scope.kind == AGENCY


# --- The work reports ---------------------------------------------------------------------------
# The center's staff draft and edit them, only the director reviews and signs (签发) or returns them.
# Nobody outside the center sees the report itself; the signed PDF reaches the joint meeting's
# agencies as a document (documents.permissions).


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
