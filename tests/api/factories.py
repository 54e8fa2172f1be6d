"""Rows for the API and national export tests: cases with known fields, published knowledge,
API clients and tokens."""

import datetime

from django.utils import timezone

from api.models import ApiClient, ApiToken
from cases.models import Case
from tests.factories import ApplicationFactory, submitted, with_status

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str, hour=10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=TZ)


def make_record_case(
    number, *, opened: str, closed: str | None = None, status=None, first_contact: str | None = None, **fields
):
    """A case opened on `opened` (YYYY-MM-DD) from a submitted application with `fields`."""
    application = submitted(ApplicationFactory(**fields), when=at(opened) - datetime.timedelta(days=3))
    application = with_status(application, application.Status.ACCEPTED)
    case = Case.objects.create(
        application=application,
        number=number,
        opened_at=at(opened),
        first_contacted_at=at(first_contact) if first_contact else None,
        applicant_name=application.applicant_name,
        credit_code=application.credit_code,
        countries=application.countries,
        dispute_types=application.dispute_types,
        right_types=application.right_types,
        technical_field=(application.technical_fields or [""])[0],
        level=application.level or "ordinary",
    )
    if status:
        case = with_status(case, status)
    if closed:
        Case.objects.filter(pk=case.pk).update(closed_at=at(closed))
        case.refresh_from_db()
    return case


_counter = iter(range(1, 10**6))


def issue_token(*scopes, client=None, expires_at=None, rate=1000, acts_as=None):
    """(key, token): a token of `client` (a new one by default) with `scopes`."""
    if client is None:
        client = ApiClient.objects.create(name=f"测试调用方{next(_counter)}", rate_per_minute=rate, acts_as=acts_as)
    key, prefix = ApiToken.new_key()
    token = ApiToken(
        client=client, scopes=list(scopes), expires_at=expires_at or timezone.now() + datetime.timedelta(days=30)
    )
    token.set_key(key, prefix)
    token.save()
    return key, token


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
