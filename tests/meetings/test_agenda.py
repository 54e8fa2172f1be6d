"""The agenda proposed from live work, checked against a known set of cases."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import DisputeLevel
from cases import selectors as case_selectors
from cases.models import AssistanceLetter, Case, LetterRecipient
from meetings import selectors, services
from meetings.models import JointMeeting
from tests.meetings.factories import aware, make_case


@pytest.fixture
def known_cases(db):
    """Q3 2026: three new cases (one of them major), one closed; plus an old and a Q4 case."""
    make_case(
        opened_at=aware(2026, 7, 6), countries=["US", "DE"], right_types=["invention"], dispute_types=["infringement"]
    )
    make_case(
        opened_at=aware(2026, 8, 17),
        countries=["US"],
        right_types=["trademark"],
        dispute_types=["infringement", "exhibition"],
        level=DisputeLevel.MAJOR,
        applicant_name="晋城重工",
    )
    make_case(
        opened_at=aware(2026, 9, 30, 23),
        countries=["JP"],
        right_types=["invention", "design"],
        dispute_types=["validity"],
        status=Case.Status.CLOSED,
        closed_at=aware(2026, 9, 30, 23),
    )
    make_case(opened_at=aware(2026, 3, 2), countries=["KR"], status=Case.Status.CLOSED, closed_at=aware(2026, 8, 1))
    make_case(opened_at=aware(2026, 10, 1, 0), countries=["FR"])  # next quarter: not counted


def test_period_statistics_count_new_and_closed_cases_by_country_right_and_dispute_type(known_cases):
    stats = selectors.period_statistics(datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert stats["new_cases"] == 3
    assert stats["closed_cases"] == 2  # the Q3 case closed on 30 Sept and the Q1 case closed in August
    assert dict(stats["by_country"]) == {"美国": 2, "德国": 1, "日本": 1}
    assert dict(stats["by_right_type"]) == {"发明专利": 2, "商标": 1, "工业品外观设计": 1}
    assert dict(stats["by_dispute_type"]) == {"侵权纠纷": 2, "展会知识产权纠纷": 1, "权利有效性纠纷": 1}


def test_the_agenda_proposes_the_cases_whose_opinion_is_late(director, deputy_post, staff):
    """The agenda takes the one list of overdue cases (cases.selectors.overdue_cases): the
    cases whose guidance opinion is past its working-day limit, not those paused for the
    applicant's input, nor those whose opinion is out or that ended."""
    today = datetime.date(2026, 11, 23)  # a Monday; opinion_days is 20 working days
    late = make_case(opened_at=aware(2026, 10, 12), applicant_name="太原精密")
    with_agencies = make_case(opened_at=aware(2026, 10, 13), status=Case.Status.AWAITING_INPUT)
    make_case(opened_at=aware(2026, 11, 16))  # within the limit
    make_case(opened_at=aware(2026, 10, 12), input_requested_at=aware(2026, 10, 20))  # paused for the applicant
    make_case(opened_at=aware(2026, 9, 1), status=Case.Status.OPINION_ISSUED)
    make_case(opened_at=aware(2026, 9, 1), status=Case.Status.FOLLOW_UP)
    make_case(opened_at=aware(2026, 9, 1), status=Case.Status.TERMINATED)
    assert list(case_selectors.overdue_cases(today, opinion_only=True)) == [late, with_agencies]

    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=4, by=director)
    services.meeting_convene(meeting=meeting, by=director, starts_at=aware(2026, 12, 15), location="会议室")
    services.agenda_refresh(meeting=meeting, by=staff, today=today)
    item = meeting.agenda_items.get(auto_key="overdue_cases")
    assert item.title == "督办逾期未出具指导意见的案件（2件）"
    assert item.data == {"cases": [late.number, with_agencies.number]}
    assert f"{late.number} 太原精密" in item.description
    assert not hasattr(selectors, "overdue_cases")  # one owner only


def test_the_regular_meeting_agenda_is_built_from_the_previous_quarter(
    known_cases, director, deputy_post, agency, staff
):
    # A signed letter overdue at the agency, and one answered in time.
    case = Case.objects.filter(level=DisputeLevel.MAJOR).get()
    letter = AssistanceLetter.objects.create(
        case=case,
        status=AssistanceLetter.Status.SIGNED,
        subject="请协助核查境外展会信息",
        body="…",
        drafted_by=staff,
        number="晋知指〔2026〕3号",
    )
    LetterRecipient.objects.create(letter=letter, agency=agency, due_date=timezone.localdate() - datetime.timedelta(1))
    answered = AssistanceLetter.objects.create(
        case=case, status=AssistanceLetter.Status.SIGNED, subject="已回复的函", body="…", drafted_by=staff
    )
    LetterRecipient.objects.create(
        letter=answered,
        agency=agency,
        due_date=timezone.localdate() - datetime.timedelta(5),
        answered_at=timezone.now(),
    )
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=4, by=director)
    services.meeting_convene(meeting=meeting, by=director, starts_at=aware(2026, 12, 15), location="会议室")
    items = {item.auto_key: item for item in meeting.agenda_items.all()}
    assert set(items) >= {"statistics", "major_cases", "overdue_letters"}
    assert "open_actions" not in items  # no earlier action items
    stats = items["statistics"]
    assert "新受理案件 3 件，结案 2 件" in stats.description
    assert "美国 2 件" in stats.description
    assert "晋城重工" in items["major_cases"].description
    assert items["overdue_letters"].description.count("省商务厅") == 1
    assert "晋知指〔2026〕3号" in items["overdue_letters"].description
    assert [i.position for i in meeting.agenda_items.order_by("position")] == sorted(i.position for i in items.values())


def test_refreshing_the_agenda_updates_automatic_items_in_place(known_cases, director, deputy_post, staff):
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=4, by=director)
    services.meeting_convene(meeting=meeting, by=director, starts_at=aware(2026, 12, 15), location="会议室")
    before = meeting.agenda_items.get(auto_key="statistics")
    make_case(opened_at=aware(2026, 9, 1), countries=["BR"])
    services.agenda_refresh(meeting=meeting, by=staff)
    after = meeting.agenda_items.get(auto_key="statistics")
    assert after.pk == before.pk and "新受理案件 4 件" in after.description
    assert meeting.agenda_items.filter(auto_key="statistics").count() == 1
