"""Rows of the meetings app for tests."""

import datetime
import itertools

import factory
from django.utils import timezone

from applications.choices import DisputeLevel
from cases.models import Case
from meetings.models import JointMeeting, quarter_bounds
from portal.models import DeputyDirector, SiteConfiguration
from portal.roles import Role
from portal.workdays import add_working_days
from tests.factories import ApplicationFactory, UserFactory

_case_numbers = itertools.count(1)


class DeputyDirectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeputyDirector

    user = factory.SubFactory(UserFactory, is_staff=True, roles=[Role.DEPUTY, Role.STAFF])
    rotation_order = factory.Sequence(lambda n: n + 1)
    joined_on = datetime.date(2020, 1, 1)


class RegularMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointMeeting

    kind = JointMeeting.Kind.REGULAR
    year = 2026
    quarter = 4
    title = factory.LazyAttribute(lambda o: f"{o.year}年第{o.quarter}季度联席工作例会")
    period_start = factory.LazyAttribute(lambda o: quarter_bounds(o.year, o.quarter)[0])
    period_end = factory.LazyAttribute(lambda o: quarter_bounds(o.year, o.quarter)[1])


def make_case(
    *,
    opened_at,
    countries=("US",),
    right_types=("invention",),
    dispute_types=("infringement",),
    status=Case.Status.IN_PROGRESS,
    level=DisputeLevel.ORDINARY,
    closed_at=None,
    applicant_name=None,
    input_requested_at=None,
):
    """A case as the services leave it on acceptance: its opinion due `opinion_days` working
    days after opening (the deadline every overdue count reads)."""
    application = ApplicationFactory(
        countries=list(countries), right_types=list(right_types), dispute_types=list(dispute_types), level=level
    )
    if applicant_name:
        application.applicant_name = applicant_name
        application.save(update_fields=["applicant_name"])
    return Case.objects.create(
        application=application,
        number=f"AJ-T-{next(_case_numbers):06d}",
        status=status,
        level=level,
        opened_at=opened_at,
        closed_at=closed_at,
        opinion_due=add_working_days(timezone.localdate(opened_at), SiteConfiguration.get().opinion_days),
        input_requested_at=input_requested_at,
    )


def aware(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))
