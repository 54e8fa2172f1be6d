"""Every API error is JSON: DRF's own (`{"detail": …}` or `{field: [messages]}`), plus the project's
refusals (portal.access.Forbidden → 403) and a period error (→ 400 with a message per parameter)."""

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from portal.access import Forbidden
from reporting.periods import PeriodError


def exception_handler(exc, context):
    if isinstance(exc, PeriodError):
        exc = exceptions.ValidationError({name: [message] for name, message in exc.errors.items()})
    elif isinstance(exc, Forbidden):
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)
