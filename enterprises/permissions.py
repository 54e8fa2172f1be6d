"""Who may see and change the register of key export enterprises: the one place that decides.

- Center staff, the director and deputies see every enterprise and keep the register: register,
  change, appoint and retire liaison officers (`can_manage_enterprises`).
- A workstation's staff (Role.SERVICE_POINT) see, read-only, the enterprises of their workstation
  and of the workstations under it (`ServicePoint.scope_ids`).
- Anyone else sees nothing: an enterprise outside what a user may see is a 404, in the admin too.
"""

from enterprises.models import KeyEnterprise, LiaisonOfficer, WarningDelivery
from portal.models import ServicePoint
from portal.roles import Role, has_role, is_center_member


def _authenticated(user):
    return getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def workstation_scope(user):
    """The workstation ids a workstation user may see (cached on the user for the request); None
    for anyone who is not workstation staff, an empty list for staff of no workstation."""
    if not _authenticated(user) or not has_role(user, Role.SERVICE_POINT):
        return None
    cached = getattr(user, "_enterprise_scope", None)
    if cached is None:
        cached = ServicePoint.scope_ids(getattr(user, "service_point_id", None))
        user._enterprise_scope = cached
    return cached


def can_manage_enterprises(user, enterprise=None):
    """Register, change, appoint and retire: the center only."""
    return _authenticated(user) and is_center_member(user)


def can_see_register(user):
    """May open the register at all (the admin's list)."""
    return can_manage_enterprises(user) or workstation_scope(user) is not None


def visible_enterprises(user):
    if not _authenticated(user):
        return KeyEnterprise.objects.none()
    if is_center_member(user):
        return KeyEnterprise.objects.all()
    scope = workstation_scope(user)
    if scope:
        return KeyEnterprise.objects.filter(service_point_id__in=scope)
    return KeyEnterprise.objects.none()


def can_view_enterprise(user, enterprise):
    if enterprise is None:
        return can_see_register(user)
    if can_manage_enterprises(user):
        return True
    scope = workstation_scope(user)
    return bool(scope) and enterprise.service_point_id in scope


def visible_officers(user):
    return LiaisonOfficer.objects.filter(enterprise__in=visible_enterprises(user))


def visible_deliveries(user):
    return WarningDelivery.objects.filter(officer__enterprise__in=visible_enterprises(user))
