"""Role checks shared by every app.

Object-level rules live in one `permissions.py` per app (applications, cases, experts,
meetings, documents), each exposing `visible_<things>(user)` querysets. Views fetch
objects through those querysets, so an id the user may not see is a 404, never a 403.
"""

from django.contrib.auth.mixins import AccessMixin
from django.http import Http404

from portal.roles import Role, has_role, is_center_member


class RoleRequiredMixin(AccessMixin):
    """Allow a view only to logged-in users holding one of `required_roles`.

    Anonymous users go to the login page; a logged-in user without the role gets a 404,
    so the page's existence is not disclosed.
    """

    required_roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.required_roles):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def require_role(user, *roles):
    if not has_role(user, *roles):
        raise Http404


def landing_url_name(user):
    """Where a role belongs after login."""
    if is_center_member(user) or has_role(user, Role.SERVICE_POINT):
        return "admin:index"
    if has_role(user, Role.AGENCY):
        return "cases:agency_inbox"
    if has_role(user, Role.EXPERT):
        return "experts:workspace"
    if has_role(user, Role.APPLICANT):
        return "applications:mine"
    return "portal:home"
