"""The portal's roles. Each role is a Django group of the same name.

A user may hold several roles (a deputy director is also center staff). Code asks
`has_role(user, Role.X)` rather than looking at groups directly, so that the meaning
of a role lives here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    STAFF = "staff", _("指导中心工作人员")
    DIRECTOR = "director", _("中心主任")
    DEPUTY = "deputy", _("中心副主任")
    AGENCY = "agency", _("协助单位联络人")
    EXPERT = "expert", _("指导专家")
    SERVICE_POINT = "service_point", _("服务工作站工作人员")


# Roles that work in the Django admin; the others work in the front-end.
CENTER_ROLES = {Role.STAFF, Role.DIRECTOR, Role.DEPUTY}
# Roles entitled to sign (签发) assistance letters and guidance opinions.
SIGNING_ROLES = {Role.DIRECTOR, Role.DEPUTY}


def roles_of(user):
    """The set of roles a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(Role(name) for name in names if name in Role.values)
        user._portal_roles = cached
    return cached


def has_role(user, *roles):
    """True when the user holds any of the given roles."""
    return bool(roles_of(user) & set(roles))


def is_center_member(user):
    return has_role(user, *CENTER_ROLES)


def can_sign(user):
    return has_role(user, *SIGNING_ROLES)
