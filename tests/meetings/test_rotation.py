"""The chairing rotation over several years: skips keep the turn, overrides leave the
rotation alone, deputies join and leave, and ad-hoc meetings rotate separately."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import JointMeeting
from meetings.rotation import Deputy, PastTurn, next_chair
from portal.access import Forbidden
from tests.meetings.factories import DeputyDirectorFactory, aware

A, B, C, D = 1, 2, 3, 4


def deputies(*, a_active=True):
    return [
        Deputy(A, 1, datetime.date(2020, 1, 1), active=a_active),
        Deputy(B, 2, datetime.date(2020, 1, 1), left_on=datetime.date(2027, 10, 1)),
        Deputy(C, 3, datetime.date(2020, 1, 1)),
        Deputy(D, 4, datetime.date(2027, 4, 1)),
    ]


def mid_quarter(year, quarter):
    return datetime.date(year, 3 * quarter - 1, 15)


def test_rotation_over_eleven_quarters_with_skips_override_joiner_and_leaver():
    history = []
    chairs = []
    plan = [
        # (year, quarter, absent, override, A active)
        (2026, 1, (), None, True),
        (2026, 2, (), None, True),
        (2026, 3, (C,), None, True),  # C absent: A chairs, C keeps the turn
        (2026, 4, (), None, True),  # C makes up the turn
        (2027, 1, (), C, True),  # director names C; B's turn is untouched
        (2027, 2, (), None, True),  # B (D has joined on 1 April but comes after C)
        (2027, 3, (), None, True),
        (2027, 4, (), None, True),  # B left on 1 October: after C comes D
        (2028, 1, (), None, False),  # A inactive: skipped, keeps the turn; C chairs
        (2028, 2, (), None, True),  # A makes up the turn
        (2028, 3, (), None, True),  # the rotation continues after C: D
    ]
    for year, quarter, absent, override, a_active in plan:
        day = mid_quarter(year, quarter)
        if override:
            chair, skipped, by_rotation = override, (), False
        else:
            choice = next_chair(deputies(a_active=a_active), history, day, unavailable=set(absent))
            chair, skipped, by_rotation = choice.chair_id, choice.skipped_ids, True
        history.append(PastTurn(day=day, chair_id=chair, by_rotation=by_rotation, skipped_ids=skipped))
        chairs.append(chair)
    assert chairs == [A, B, A, C, C, B, C, D, C, A, D]
    assert history[2].skipped_ids == (C,)
    assert history[8].skipped_ids == (A,)


def test_a_deputy_skipped_twice_is_owed_one_turn_and_chairs_when_back():
    people = [Deputy(A, 1, datetime.date(2020, 1, 1)), Deputy(B, 2, datetime.date(2020, 1, 1))]
    history = []
    chairs = []
    for n, absent in enumerate([(), (B,), (B,), (), (), ()]):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=91 * n)
        choice = next_chair(people, history, day, unavailable=set(absent))
        history.append(PastTurn(day=day, chair_id=choice.chair_id, skipped_ids=choice.skipped_ids))
        chairs.append(choice.chair_id)
    # B is owed one turn (made up at the fourth meeting); the order then goes on after A.
    assert chairs == [A, A, A, B, B, A]


def test_an_owed_turn_lapses_when_the_deputy_leaves():
    people = [
        Deputy(A, 1, datetime.date(2020, 1, 1)),
        Deputy(B, 2, datetime.date(2020, 1, 1), left_on=datetime.date(2026, 5, 1)),
        Deputy(C, 3, datetime.date(2020, 1, 1)),
    ]
    history = [PastTurn(day=datetime.date(2026, 2, 15), chair_id=A)]
    first = next_chair(people, history, datetime.date(2026, 4, 15), unavailable={B})
    assert first.chair_id == C and first.skipped_ids == (B,)
    history.append(PastTurn(day=datetime.date(2026, 4, 15), chair_id=C, skipped_ids=(B,)))
    # B has left: the owed turn lapses and the rotation goes on from C to A.
    assert next_chair(people, history, datetime.date(2026, 8, 15)).chair_id == A


def test_nobody_available_is_refused():
    people = [Deputy(A, 1, datetime.date(2020, 1, 1))]
    with pytest.raises(ValidationError):
        next_chair(people, [], datetime.date(2026, 2, 1), unavailable={A})
    with pytest.raises(ValidationError):
        next_chair(people, [], datetime.date(2019, 2, 1))


# --- The same rule through the services, on the database ------------------------------


@pytest.fixture
def four_deputies(center_permissions):
    a = DeputyDirectorFactory(rotation_order=1, user__full_name="甲副主任")
    b = DeputyDirectorFactory(rotation_order=2, user__full_name="乙副主任", left_on=datetime.date(2027, 10, 1))
    c = DeputyDirectorFactory(rotation_order=3, user__full_name="丙副主任")
    d = DeputyDirectorFactory(rotation_order=4, user__full_name="丁副主任", joined_on=datetime.date(2027, 4, 1))
    return a, b, c, d


def _convene(meeting, director, day, **kwargs):
    return services.meeting_convene(
        meeting=meeting,
        by=director,
        starts_at=aware(day.year, day.month, day.day),
        location="指导中心会议室",
        **kwargs,
    )


def test_rotation_through_the_services_over_ten_quarters(director, four_deputies):
    a, b, c, d = four_deputies
    quarters = [
        (2026, 1),
        (2026, 2),
        (2026, 3),
        (2026, 4),
        (2027, 1),
        (2027, 2),
        (2027, 3),
        (2027, 4),
        (2028, 1),
        (2028, 2),
    ]
    chairs = []
    for year, quarter in quarters:
        meeting = services.meeting_plan_regular(year=year, quarter=quarter, by=director)[0]
        kwargs = {}
        if (year, quarter) == (2026, 3):
            kwargs["absent"] = [c]
        if (year, quarter) == (2027, 1):
            kwargs.update(chair=c.user, chair_reason="乙副主任出差，主任指定丙副主任主持")
        if (year, quarter) == (2028, 1):
            a.active = False
            a.save()
        meeting = _convene(meeting, director, mid_quarter(year, quarter), **kwargs)
        if (year, quarter) == (2028, 1):
            a.active = True
            a.save()
        chairs.append(meeting.chair)
    assert chairs == [a, b, a, c, c, b, c, d, c, a]
    overridden = JointMeeting.objects.get(year=2027, quarter=1)
    assert not overridden.chair_by_rotation
    assert overridden.chair_override_reason.startswith("乙副主任出差")
    assert list(JointMeeting.objects.get(year=2026, quarter=3).skipped_deputies.all()) == [c]


def test_ad_hoc_meetings_rotate_separately_and_leave_the_quarterly_turn_alone(director, four_deputies):
    a, b, _c, _d = four_deputies
    q1 = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=1, by=director)
    assert _convene(q1, director, datetime.date(2026, 2, 10)).chair == a
    urgent = services.meeting_create(
        kind=JointMeeting.Kind.AD_HOC, by=director, reason="美国 337 调查紧急应对", on=datetime.date(2026, 3, 2)
    )
    assert _convene(urgent, director, datetime.date(2026, 3, 3)).chair == a  # first in the ad-hoc rotation
    urgent2 = services.meeting_create(
        kind=JointMeeting.Kind.AD_HOC, by=director, reason="展会知识产权纠纷", on=datetime.date(2026, 3, 20)
    )
    assert _convene(urgent2, director, datetime.date(2026, 3, 21)).chair == b
    q2 = services.meeting_plan_regular(year=2026, quarter=2, by=director)[0]
    assert _convene(q2, director, datetime.date(2026, 5, 12)).chair == b  # unaffected by the ad-hoc meetings


def test_a_chair_who_is_not_a_deputy_director_is_refused(director, staff, four_deputies):
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=1, by=director)
    with pytest.raises(ValidationError, match="副主任"):
        _convene(meeting, director, datetime.date(2026, 2, 10), chair=staff, chair_reason="临时安排")
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.PLANNED and meeting.chair is None


def test_only_the_director_overrides_the_chair_and_must_give_a_reason(director, deputy, four_deputies):
    _a, b, _c, _d = four_deputies
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=1, by=director)
    _convene(meeting, director, datetime.date(2026, 2, 10))
    with pytest.raises(ValidationError, match="理由"):
        services.meeting_assign_chair(meeting=meeting, by=director, chair=b)
    with pytest.raises(Forbidden, match="只有中心主任可以指定主持人"):
        services.meeting_assign_chair(meeting=meeting, by=deputy, chair=b, reason="我来主持")
    services.meeting_assign_chair(meeting=meeting, by=director, chair=b, reason="甲副主任临时公务")
    meeting.refresh_from_db()
    assert meeting.chair == b and not meeting.chair_by_rotation
