"""One ApiCall row per API request, and the pruning of old rows."""

import datetime
import time

from django.conf import settings
from django.utils import timezone

from api.models import ApiCall, ApiToken
from portal.throttling import client_address


def record_call(request, response, started: float) -> None:
    token = getattr(request, "_auth", None)
    token = token if isinstance(token, ApiToken) else None
    django_request = getattr(request, "_request", request)
    ApiCall.objects.create(
        token=token,
        client_id=token.client_id if token else None,
        method=django_request.method[:10],
        # A path is kept as it came, except NUL, which a database text column cannot hold.
        path=django_request.path.replace("\x00", "\\x00")[:300],
        status_code=response.status_code,
        duration_ms=int((time.monotonic() - started) * 1000),
        client_ip=client_address(django_request) or None,
    )


def prune_calls(*, now=None) -> int:
    """Delete the calls older than API_CALL_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.API_CALL_RETENTION_DAYS)
    deleted, _per_model = ApiCall.objects.filter(at__lt=cutoff).delete()
    return deleted
