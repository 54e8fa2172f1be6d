"""How workstation staff work in the admin: through each app's permissions.py, without the center's
model permissions, on their own workstation's rows only."""

from applications.permissions import (
    is_service_point_user,
)
from portal.admin_scope import NotFoundOutsideQuerysetMixin
from portal.roles import is_center_member


def workstation_only(user):
    """A workstation's staff (not also center staff): they see only their scope, and only through these admins."""
    return is_service_point_user(user) and not is_center_member(user)


class ScopedAdminMixin(NotFoundOutsideQuerysetMixin):
    """A workstation's staff work in the admin through applications.permissions, without the model permissions
    of the center: they may view what the admin's queryset (scoped by permissions.py) holds; an id outside
    it is a 404."""

    def has_module_permission(self, request):
        return workstation_only(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if workstation_only(request.user):
            return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        return super().has_view_permission(request, obj)


class ScopedInlineMixin:
    """Inlines of an object a workstation user may see are readable by that user (the parent's admin
    decided the object is in scope)."""

    def has_view_permission(self, request, obj=None):
        return workstation_only(request.user) or super().has_view_permission(request, obj)
