"""One helper for the state machines of every app.

Each app keeps its allowed transitions in one dict, `{from_status: {to_status, ...}}`.
Services call `check_transition` before changing a status; a refused transition raises
`TransitionNotAllowed` with a message fit to show to the user.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.converters import parse_int


class TransitionNotAllowed(ValidationError):
    pass


class StaleObject(ValidationError):
    """Raised when a user acted on an out-of-date copy of an object."""


def check_transition(allowed, current, target, *, labels=None):
    if target not in allowed.get(current, set()):
        labels = labels or {}
        raise TransitionNotAllowed(
            _("当前状态为“%(current)s”，不能变更为“%(target)s”。")
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            code="transition",
        )


def check_fresh(obj, seen_version, *, field="revision"):
    """Refuse a change made from an out-of-date page (optimistic locking).

    `seen_version` comes from the page's form: a value that is not a number names no version the
    page could have shown, so it is refused the same way as an old one."""
    if seen_version is not None and parse_int(seen_version) != getattr(obj, field):
        raise StaleObject(
            _("该记录已被他人修改，您看到的是旧版本。请刷新页面查看最新内容后再操作；您填写的内容仍保留在表单中。"),
            code="stale",
        )
