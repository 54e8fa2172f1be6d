"""The one exception for "you may not do this", and the one way to raise it.

Each app's permissions.py answers two questions: `visible_<things>(user)` (a queryset: what the
user may see at all; anything else is a 404) and `can_<verb>(user, obj)` (a decision on an object
the user can see). Every service starts with `require(can_<verb>(by, obj), message)`. A refused
action is `Forbidden`, a PermissionDenied: the 403 page shows its message in the portal's layout,
so the user learns why, and nothing is silently ignored.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

DEFAULT_MESSAGE = _("您无权执行此操作。")


class Forbidden(PermissionDenied):
    def __init__(self, message=None):
        self.message = message or DEFAULT_MESSAGE
        super().__init__(self.message)

    def __str__(self):
        return str(self.message)


def require(allowed, message=None):
    """Raise Forbidden(message) unless `allowed` is true."""
    if not allowed:
        raise Forbidden(message)
