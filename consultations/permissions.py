"""Who may see and do what with consultations.

Center members (staff, the director, deputies) see every consultation. A workstation's staff see those
received by their workstation and by the workstations under it (`ServicePoint.scope_ids`); any other id
is a 404 for them. Nobody else sees any.

`visible_consultations(user)` is the queryset the admin and the statistics read from;
`can_<verb>(user, obj)` are the decisions the services check first (portal.access.Forbidden).
"""

from applications import permissions as application_permissions
from applications.models import Applicant
from consultations.models import Consultation
from portal.models import ServicePoint
from portal.roles import Role, has_role, is_center_member


def is_workstation_user(user) -> bool:
    """A workstation's staff member: the role and a workstation to belong to."""
    return (
        getattr(user, "is_authenticated", False)
        and has_role(user, Role.SERVICE_POINT)
        and user.service_point_id is not None
        and not is_center_member(user)
    )


def scope_of(user):
    """The workstation ids whose consultations `user` may see: None for all (the center), [] for none."""
    if not getattr(user, "is_authenticated", False):
        return []
    if is_center_member(user):
        return None
    if is_workstation_user(user):
        cached = getattr(user, "_consultation_scope", None)
        if cached is None:
            cached = ServicePoint.scope_ids(user.service_point_id)
            user._consultation_scope = cached
        return cached
    return []


def visible_consultations(user):
    scope = scope_of(user)
    if scope is None:
        return Consultation.objects.all()
    if not scope:
        return Consultation.objects.none()
    return Consultation.objects.filter(service_point_id__in=scope)


def visible_applicants(user):
    """The registered applicants a consultation may be linked to: those applications.permissions lets
    the center (all) or a workstation's staff (its own) see."""
    if not can_log(user):
        return Applicant.objects.none()
    return application_permissions.visible_applicants(user)


def can_log(user) -> bool:
    """Record a consultation: the center's staff and a workstation's staff."""
    return getattr(user, "is_authenticated", False) and (is_center_member(user) or is_workstation_user(user))


def can_change(user, consultation) -> bool:
    """Edit, record a follow-up, close or reopen: whoever may see it."""
    scope = scope_of(user)
    if scope is None:
        return True
    return consultation.service_point_id is not None and consultation.service_point_id in scope


def can_convert(user, consultation) -> bool:
    """Turn into a draft application and invite the enterprise: whoever may change it."""
    return can_change(user, consultation)


def can_view_statistics(user) -> bool:
    """The statistics page: the center (everything) and a workstation's staff (its scope)."""
    return can_log(user)
