import datetime

import pytest

from portal.roles import Role
from tests.factories import UserFactory
from tests.meetings.factories import DeputyDirectorFactory


@pytest.fixture
def deputy_post(deputy):
    """The `deputy` fixture as the first in the chairing rotation."""
    return DeputyDirectorFactory(user=deputy, rotation_order=1, joined_on=datetime.date(2020, 1, 1))


@pytest.fixture
def second_deputy(center_permissions):
    user = UserFactory(full_name="周强", is_staff=True, roles=[Role.DEPUTY, Role.STAFF])
    return DeputyDirectorFactory(user=user, rotation_order=2, joined_on=datetime.date(2020, 1, 1))


@pytest.fixture
def soon():
    """A meeting time ten days from now, and its quarter."""
    from django.utils import timezone

    from meetings.models import quarter_of

    starts = (timezone.now() + datetime.timedelta(days=10)).replace(hour=9, minute=30, second=0, microsecond=0)
    day = timezone.localdate(starts)
    return starts, day.year, quarter_of(day)


@pytest.fixture
def convened(
    director,
    deputy_post,
    agency,
    other_agency,
    agency_user,
    other_agency_user,
    soon,
    django_capture_on_commit_callbacks,
):
    """This quarter's regular meeting, convened by the director and chaired by `deputy`."""
    from meetings import services

    starts, _year, _quarter = soon
    meeting, _created = services.meeting_plan_quarter(today=timezone_date(starts))
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_convene(
            meeting=meeting, by=director, starts_at=starts, location="指导中心第一会议室"
        )
    return meeting


def timezone_date(value):
    from django.utils import timezone

    return timezone.localdate(value)


def travel_to_meeting_day(monkeypatch, meeting, hours=3):
    """Move the clock to a few hours after the meeting started: attendance and minutes are
    recorded on the day or later, never before."""
    from django.utils import timezone

    moment = meeting.starts_at + datetime.timedelta(hours=hours)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def approved_agenda(convened, deputy, agency_user, monkeypatch):
    """The convened meeting with its agenda approved, on the day it is held."""
    from meetings import services

    services.agenda_item_propose(meeting=convened, by=agency_user, title="请研究展会快速维权机制", description="")
    order = list(convened.agenda_items.values_list("pk", flat=True))
    meeting = services.agenda_approve(meeting=convened, by=deputy, order=order)
    travel_to_meeting_day(monkeypatch, meeting)
    return meeting


@pytest.fixture
def issued(approved_agenda, staff, deputy, agency):
    """Approved minutes with one action item for `agency`."""
    from meetings import services

    minutes = services.minutes_start(meeting=approved_agenda, by=staff)
    entry = minutes.entries.first()
    item = services.action_item_create(
        minutes=minutes,
        agenda_item=entry.agenda_item,
        by=staff,
        title="梳理 337 调查应对指引",
        due_date=timezone_date(approved_agenda.starts_at) + datetime.timedelta(days=20),
        assignee_agency=agency,
    )
    services.minutes_approve(minutes=minutes, by=deputy)
    return item
