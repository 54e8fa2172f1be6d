"""Each endpoint names the scope it needs (`required_scope` on the view); a token without it
gets a 403 naming the scope; a call without a valid token a 401."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from api.models import ApiToken


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view):
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return True
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(_("请在 Authorization 头中提供接口令牌（Bearer <密钥>）。"))
        if not token.has_scope(scope):
            raise exceptions.PermissionDenied(_("该令牌没有“%(scope)s”权限。") % {"scope": scope})
        return True
