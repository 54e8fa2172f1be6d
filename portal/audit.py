"""Writing to and reading from the one audit log (portal.models.LogEntry).

Every service records what it did with `log_action`. The client address is taken from the request
being served (set by `AuditRequestMiddleware`), so services need no request argument; work done by
a periodic task or a worker has no address.

Retention: entries are kept AUDIT_RETENTION_DAYS (at least 183 days, about six months, the minimum
the center keeps records of who saw and changed what); `prune_audit_log` removes older rows and
refuses a shorter setting.
"""

import contextvars
import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.models.audit import LogEntry, action_label
from portal.throttling import client_address

__all__ = ["LogEntry", "action_label", "entries_for", "log_action", "prune_audit_log"]

MINIMUM_RETENTION_DAYS = 183

_current_address = contextvars.ContextVar("audit_client_address", default=None)


class AuditRequestMiddleware:
    """Makes the client's address available to `log_action` for the length of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _current_address.reset(token)


def log_action(
    obj,
    action_type,
    *,
    by=None,
    scope=None,
    from_status="",
    to_status="",
    note="",
    public_note="",
    data=None,
    at=None,
):
    """Record one action on `obj` (any saved model instance); returns the entry.

    `by` is the acting user (None for the system: a periodic task, a worker). `scope` is the object
    the entry also belongs to (usually the case), for timelines across related objects. `note` is for
    staff only; `public_note` is what the applicant may read."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action_type=action_type,
        actor=actor,
        client_address=_current_address.get(),
        from_status=from_status or "",
        to_status=to_status or "",
        note=note or "",
        public_note=public_note or "",
        data=data or {},
    )
    if scope is not None:
        entry.scope_content_type = ContentType.objects.get_for_model(scope)
        entry.scope_object_id = scope.pk
    if at is not None:
        entry.created = at
    entry.save(force_insert=True)
    return entry


def entries_for(obj, *, with_scope=False):
    """The entries about `obj`, oldest first; with `with_scope`, also those belonging to it."""
    if with_scope:
        return LogEntry.objects.in_scope(obj).select_related("actor")
    return LogEntry.objects.about(obj).select_related("actor")


def retention_days():
    days = settings.AUDIT_RETENTION_DAYS
    if days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS is {days}; the audit log is kept at least {MINIMUM_RETENTION_DAYS} days."
        )
    return days


def prune_audit_log(*, now=None):
    """Delete entries older than the retention period; returns how many were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _ = LogEntry.objects.filter(created__lt=cutoff)._prune()
    return deleted
