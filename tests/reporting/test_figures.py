"""Every figure of `reporting.selectors.figures` on a small data set built by hand, with the
expected values counted by hand and written as literals.

The period is the fourth quarter of 2026: the National Day holiday (1–7 October) and its
make-up Saturday (10 October) lie inside it, and "today" is 1 December 2026. Working days
are counted after the first date up to and including the second.

Calendar around the holiday: Tue 29 Sep, Wed 30 Sep work; 1–7 Oct off; Thu 8, Fri 9,
Sat 10 (make-up) work; Sun 11 off; Mon 12 … Fri 16, Mon 19 … work.
"""

import datetime
import json
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType

from applications.models import Application, ApplicationVersion, Feedback
from applications.regions import PROVINCE_CODES, province_key
from cases.models import AssistanceLetter, Case, LetterRecipient
from cases.opinions.models import GuidanceOpinion
from cases.opinions.services import opinion_reopen, opinion_review, opinion_sign, opinion_submit
from consultations.models import Consultation
from experts.models import ExpertAssignment, ExpertInvitation, ExpertOpinion
from portal.models import LogEntry, ServicePoint
from reporting import regions
from reporting.periods import Period
from reporting.selectors import DIMENSIONS, agency_letter_figures, figures
from tests.documents.factories import make_case, make_opinion
from tests.experts.factories import ExpertFactory
from tests.factories import ApplicationFactory, PartnerAgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 12, 1)
Q4 = Period.quarter(2026, 4)


def at(month, day, hour=10, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def d(month, day, year=2026):
    return datetime.date(year, month, day)


def application(number, submitted, status, *, decided=None, review_due=None, **fields):
    app = ApplicationFactory(
        number=number, status=status, submitted_at=submitted, decided_at=decided, review_due=review_due, **fields
    )
    return app


def version(app, number, when):
    row = ApplicationVersion.objects.create(application=app, number=number, data={}, submitted_by=app.created_by)
    ApplicationVersion.objects.filter(pk=row.pk).update(submitted_at=when)


def log(app, action, when, from_status, to_status):
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Application),
        object_id=app.pk,
        action_type=action,
        created=when,
        from_status=from_status,
        to_status=to_status,
    )


def case(app, number, opened, status, **fields):
    return Case.objects.create(
        application=app,
        number=number,
        opened_at=opened,
        status=status,
        countries=app.countries,
        right_types=app.right_types,
        dispute_types=app.dispute_types,
        level=app.level,
        credit_code=app.credit_code,
        applicant_name=app.applicant_name,
        # What case_open copies for the statistics.
        service_point=app.service_point,
        applicant_category=app.applicant_category,
        opponent_types=app.opponent_types,
        region=province_key(app.credit_code, app.id_type, app.id_number),
        **fields,
    )


@pytest.fixture
def data():
    staff = UserFactory(is_staff=True)
    sp1 = ServicePoint.objects.create(name="许昌市工作站", level="city", region="许昌市", address="许昌")
    sp2 = ServicePoint.objects.create(
        name="魏都区工作站", level="district", parent=sp1, region="魏都区", address="魏都"
    )
    sp3 = ServicePoint.objects.create(name="长葛市工作站", level="district", region="长葛市", address="长葛")

    # --- applications ---------------------------------------------------------------------
    a0 = application("SQ-0", at(9, 24), "accepted", decided=at(9, 29), review_due=d(9, 30))
    # a1: submitted Wed 30 Sep, accepted Fri 9 Oct: 8, 9 Oct = 2 working days; on time.
    a1 = application(
        "SQ-1",
        at(9, 30),
        "accepted",
        decided=at(10, 9),
        review_due=d(10, 15),
        service_point=sp1,
        countries=["US", "DE"],
        right_types=["invention", "trademark"],
        dispute_types=["infringement"],
        opponent_types=["competitor"],
        level="ordinary",
    )
    # a2: 8 Oct → 12 Oct: 9, 10 (make-up), 12 = 3; on time. An individual from Henan.
    a2 = application(
        "SQ-2",
        at(10, 8),
        "accepted",
        decided=at(10, 12),
        review_due=d(10, 14),
        applicant_category="individual",
        credit_code="",
        id_type="resident_id",
        id_number="410102199001011234",
        countries=["US"],
        right_types=["invention"],
        dispute_types=["infringement", "trade_investigation"],
        opponent_types=["competitor", "npe"],
        level="major",
    )
    # a3: 12 Oct → declined 20 Oct: 13, 14, 15, 16, 19, 20 = 6; late (due 16 Oct).
    application("SQ-3", at(10, 12), "declined", decided=at(10, 20), review_due=d(10, 16))
    # a4: 13 Oct → 14 Oct = 1; on time. Credit code of a national authority ("10"): region unknown.
    a4 = application(
        "SQ-4",
        at(10, 13),
        "accepted",
        decided=at(10, 14),
        review_due=d(10, 20),
        service_point=sp2,
        credit_code="911000007109288888",
        countries=["JP"],
        right_types=["trademark"],
        dispute_types=["validity"],
        opponent_types=["npe"],
        level="ordinary",
    )
    # a5: waiting past its review deadline.
    application("SQ-5", at(11, 2), "submitted", review_due=d(11, 9), service_point=sp3)
    # a6: first submitted 15 Oct, returned twice, resubmitted 20 Oct: received once, returned once.
    a6 = application("SQ-6", at(10, 20), "submitted", review_due=d(12, 10), service_point=sp1)
    version(a6, 1, at(10, 15))
    version(a6, 2, at(10, 20))
    log(a6, "applications.application.returned", at(10, 16), "submitted", "returned")
    log(a6, "applications.application.returned", at(10, 21), "submitted", "returned")
    # a7: first submitted in September, resubmitted on 5 Oct: not received in the quarter; overdue.
    a7 = application("SQ-7", at(10, 5), "submitted", review_due=d(10, 19))
    version(a7, 1, at(9, 1))
    version(a7, 2, at(10, 5))
    log(a7, "applications.application.returned", at(9, 2), "submitted", "returned")
    # a8: a draft withdrawn (not counted); a9: withdrawn after a return (counted).
    a8 = ApplicationFactory(status="withdrawn")
    log(a8, "applications.application.withdrawn", at(10, 20), "draft", "withdrawn")
    a9 = application("SQ-9", at(9, 10), "withdrawn")
    version(a9, 1, at(9, 10))
    log(a9, "applications.application.withdrawn", at(11, 3), "returned", "withdrawn")
    a10 = application("SQ-10", at(3, 3, year=2025), "accepted", decided=at(3, 9, year=2025))
    a11 = application("SQ-11", at(8, 3), "accepted", decided=at(8, 4))
    a12 = application("SQ-12", at(7, 6), "accepted", decided=at(7, 7))

    # --- cases ----------------------------------------------------------------------------
    # c0: opened Tue 29 Sep, first contact Thu 8 Oct: 30 Sep, 8 Oct = 2; on time.
    #     Opinion signed 20 Oct: 30 Sep, 8, 9, 10, 12–16, 19, 20 Oct = 11, less 1 paused = 10; on time.
    c0 = case(
        a0,
        "AJ-0",
        at(9, 29),
        "opinion_issued",
        first_contacted_at=at(10, 8),
        first_contact_due=d(10, 9),
        opinion_due=d(10, 27),
        paused_days=1,
    )
    # c1: opened Fri 9 Oct, first contact Mon 12 Oct: 10 (make-up), 12 = 2; on time.
    #     Opinion signed 10 Nov: 16 working days in October after the 9th + 7 in November = 23; late.
    c1 = case(
        a1,
        "AJ-1",
        at(10, 9),
        "opinion_issued",
        technical_field="mechanical",
        first_contacted_at=at(10, 12),
        first_contact_due=d(10, 13),
        opinion_due=d(11, 6),
    )
    # c2: opened 12 Oct, first contact 19 Oct: 13–16, 19 = 5; late. Opinion overdue now.
    c2 = case(
        a2,
        "AJ-2",
        at(10, 12),
        "in_progress",
        technical_field="electrical",
        first_contacted_at=at(10, 19),
        first_contact_due=d(10, 15),
        opinion_due=d(11, 10),
        due_date=d(11, 10),
    )
    # c3: opened 14 Oct, never contacted: first contact overdue now.
    c3 = case(
        a4,
        "AJ-3",
        at(10, 14),
        "accepted",
        technical_field="mechanical",
        first_contact_due=d(10, 16),
        opinion_due=d(12, 20),
        due_date=d(10, 16),
    )
    case(a10, "AJ-4", at(3, 10, year=2025), "closed", closed_at=at(6, 15, year=2025))
    case(a11, "AJ-5", at(8, 5), "terminated", closed_at=at(10, 20))
    case(a12, "AJ-6", at(7, 8), "closed", closed_at=at(11, 30))

    def opinion(c, signed):
        # As opinion_sign does: the case keeps the time of its first signed opinion.
        Case.objects.filter(pk=c.pk, opinion_issued_at__isnull=True).update(opinion_issued_at=signed)
        return GuidanceOpinion.objects.create(
            case=c, status="signed", addressee="申请人", dispute_summary="概况", drafted_by=staff, signed_at=signed
        )

    opinion(c0, at(10, 20))
    opinion(c1, at(11, 10))
    opinion(c1, at(11, 20))  # a corrected version: not a first issue

    # --- consultations --------------------------------------------------------------------
    def consultation(channel, when, point=None):
        return Consultation.objects.create(
            channel=channel,
            received_at=when,
            person_name="王五",
            question="如何应对？",
            service_point=point,
            handled_by=staff,
        )

    consultation("hotline", at(10, 8), sp1)
    consultation("hotline", at(11, 3))
    consultation("email", at(10, 1, 0, 30))  # 30 minutes into the quarter, local time
    consultation("wechat", at(9, 30, 23, 30))  # 30 minutes before it

    # --- letters --------------------------------------------------------------------------
    jia = PartnerAgencyFactory(short_name="甲单位")
    yi = PartnerAgencyFactory(short_name="乙单位")
    PartnerAgencyFactory(short_name="丙单位", active=False)
    ding = PartnerAgencyFactory(short_name="丁单位")

    def letter(c, signed, status="signed"):
        return AssistanceLetter.objects.create(
            case=c,
            status=status,
            subject="商请协助",
            body="请协助。",
            drafted_by=staff,
            signed_by=staff,
            signed_at=signed,
            number=f"函{c.number}",
        )

    def recipient(lt, agency, due, acknowledged=None, answered=None):
        LetterRecipient.objects.create(
            letter=lt, agency=agency, due_date=due, acknowledged_at=acknowledged, answered_at=answered
        )

    l1 = letter(c1, at(10, 9))
    recipient(l1, jia, d(10, 23), at(10, 10), at(10, 16))  # 10, 12–16 Oct = 6
    recipient(l1, yi, d(10, 23), at(10, 12), at(10, 20))  # 10, 12–16, 19, 20 Oct = 8
    l2 = letter(c2, at(10, 13))
    recipient(l2, jia, d(10, 27), at(10, 14))  # unanswered, overdue
    recipient(l2, yi, d(10, 27), None, at(10, 15))  # 14, 15 Oct = 2
    l3 = letter(c0, at(9, 29))
    recipient(l3, jia, d(11, 30))  # signed before the quarter; overdue now
    l4 = letter(c3, at(10, 20), status="withdrawn")
    recipient(l4, yi, d(11, 3))

    # --- experts --------------------------------------------------------------------------
    e1, e2, e3 = ExpertFactory(name="专家甲"), ExpertFactory(name="专家乙"), ExpertFactory(name="专家丙")

    def invitation(expert, c, status, when):
        row = ExpertInvitation.objects.create(
            case=c, expert=expert, status=status, deadline=when + datetime.timedelta(days=3), invited_by=staff
        )
        ExpertInvitation.objects.filter(pk=row.pk).update(invited_at=when)
        return row

    i1 = invitation(e1, c1, "accepted", at(10, 9))
    invitation(e2, c1, "declined", at(10, 9))
    invitation(e3, c2, "pending", at(10, 13))
    i4 = invitation(e1, c2, "accepted", at(11, 2))
    i5 = invitation(e2, c0, "accepted", at(9, 29))

    def assignment(expert, c, status, inv=None):
        return ExpertAssignment.objects.create(case=c, expert=expert, status=status, invitation=inv, assigned_by=staff)

    assignment(e1, c1, "active", i1)
    assignment(e1, c2, "awaiting_declaration", i4)
    done = assignment(e2, c0, "opinion_submitted", i5)
    assignment(e3, c3, "active")
    ExpertOpinion.objects.create(
        assignment=done, case=c0, expert=e2, analysis="分析", recommendations="建议", submitted_at=at(10, 15)
    )

    # --- satisfaction ---------------------------------------------------------------------
    def feedback(app, when, scores, comment):
        row = Feedback.objects.create(
            application=app,
            satisfaction=scores[0],
            timeliness=scores[1],
            usefulness=scores[2],
            comment=comment,
            submitted_by=staff,
        )
        Feedback.objects.filter(pk=row.pk).update(submitted_at=when)

    feedback(a0, at(10, 20), (5, 4, 5), "办理很及时，谢谢。")
    feedback(a1, at(11, 11), (3, 2, 4), "")
    feedback(a10, at(9, 1), (1, 1, 1), "上一季度的意见")

    return {"sp1": sp1, "sp2": sp2, "jia": jia, "yi": yi, "ding": ding, "a0": a0, "e1": e1, "e2": e2, "e3": e3}


def test_applications_and_cases(data):
    result = figures(Q4, today=TODAY)
    assert result["period"] == {
        "kind": "quarter",
        "first": "2026-10-01",
        "last": "2026-12-31",
        "label": "2026年第4季度",
    }
    assert result["service_point_ids"] is None
    assert result["applications"] == {"received": 5, "accepted": 3, "returned": 1, "declined": 1, "withdrawn": 1}
    assert result["cases"] == {"opened": 3, "closed": 1, "terminated": 1, "open_now": 4, "overdue_now": 2}
    json.dumps(result)  # plain JSON


def test_handling_times_in_working_days_across_national_day(data):
    handling = figures(Q4, today=TODAY)["handling"]
    # [1, 2, 3, 6]: median 2.5; p90 at rank 2.7 = 3 + 0.7 × 3 = 5.1; 3 of 4 on time.
    assert handling["acceptance"] == {"count": 4, "median": 2.5, "p90": 5.1, "on_time": 3, "on_time_share": 0.75}
    # [2, 2, 5]: median 2; p90 at rank 1.8 = 2 + 0.8 × 3 = 4.4; 2 of 3 on time.
    assert handling["first_contact"] == {"count": 3, "median": 2.0, "p90": 4.4, "on_time": 2, "on_time_share": 0.6667}
    # [10, 23]: median 16.5; p90 = 10 + 0.9 × 13 = 21.7; 1 of 2 on time.
    assert handling["opinion"] == {"count": 2, "median": 16.5, "p90": 21.7, "on_time": 1, "on_time_share": 0.5}
    assert handling["overdue_now"] == {"acceptance": 2, "first_contact": 1, "opinion": 1}


def test_consultations_and_trends(data):
    result = figures(Q4, today=TODAY)
    assert result["consultations"] == {
        "total": 3,
        "by_channel": [
            {"key": "hotline", "label": "热线电话", "count": 2},
            {"key": "email", "label": "电子邮件", "count": 1},
        ],
    }
    trends = result["trends"]
    assert [t["label"] for t in trends] == [f"{y}年第{q}季度" for y in (2025, 2026) for q in (1, 2, 3, 4)]
    assert trends[0]["params"] == {"period": "quarter", "year": "2025", "quarter": "1"}
    assert [t["received"] for t in trends] == [1, 0, 0, 0, 0, 0, 6, 5]
    assert [t["opened"] for t in trends] == [1, 0, 0, 0, 0, 0, 3, 3]
    assert [t["closed"] for t in trends] == [0, 1, 0, 0, 0, 0, 0, 1]
    assert [t["consultations"] for t in trends] == [0, 0, 0, 0, 0, 0, 1, 3]


def rows(*triples):
    return [{"key": k, "label": label, "count": n} for k, label, n in triples]


def test_dimensions_count_each_tick(data):
    dimensions = figures(Q4, today=TODAY)["dimensions"]
    assert list(dimensions) == list(DIMENSIONS)
    assert dimensions["country"] == rows(("US", "美国", 2), ("DE", "德国", 1), ("JP", "日本", 1))
    assert dimensions["right_type"] == rows(("invention", "发明专利", 2), ("trademark", "商标", 2))
    assert dimensions["dispute_type"] == rows(
        ("infringement", "侵权纠纷", 2),
        ("trade_investigation", "相关贸易调查纠纷（如美国 337 调查）", 1),
        ("validity", "权利有效性纠纷", 1),
    )
    assert dimensions["technical_field"] == rows(("mechanical", "机械", 2), ("electrical", "电学", 1))
    assert dimensions["opponent_type"] == rows(("competitor", "竞争对手", 2), ("npe", "非专利实施实体（NPE）", 2))
    assert dimensions["level"] == rows(("ordinary", "普通纠纷", 2), ("major", "重大/疑难纠纷", 1))
    assert dimensions["applicant_category"] == rows(("enterprise", "企业", 2), ("individual", "个人", 1))
    assert dimensions["region"] == rows(("14", "山西省", 1), ("41", "河南省", 1), ("unknown", "无法识别", 1))
    expected = sorted(
        [
            (str(data["sp1"].pk), "许昌市工作站", 1),
            (str(data["sp2"].pk), "魏都区工作站", 1),
            ("center", "指导中心直接受理", 1),
        ]
    )
    assert dimensions["service_point"] == rows(*expected)


def test_letters_by_agency(data):
    letters = figures(Q4, today=TODAY)["letters"]
    assert letters == [
        {
            "agency_id": data["yi"].pk,
            "agency": "乙单位",
            "sent": 2,
            "acknowledged": 1,
            "answered": 2,
            "median_response_days": 5.0,
            "overdue": 0,
        },
        {
            "agency_id": data["jia"].pk,
            "agency": "甲单位",
            "sent": 2,
            "acknowledged": 2,
            "answered": 1,
            "median_response_days": 6.0,
            "overdue": 2,
        },
        {
            "agency_id": data["ding"].pk,
            "agency": "丁单位",
            "sent": 0,
            "acknowledged": 0,
            "answered": 0,
            "median_response_days": None,
            "overdue": 0,
        },
    ]


def test_agency_letter_figures_show_only_its_own_letters(data):
    own = agency_letter_figures(Q4, data["jia"].pk, today=TODAY)
    assert {k: v for k, v in own.items() if k != "letters"} == {
        "agency_id": data["jia"].pk,
        "agency": "甲单位",
        "sent": 2,
        "acknowledged": 2,
        "answered": 1,
        "median_response_days": 6.0,
        "overdue": 2,
    }
    assert [letter["number"] for letter in own["letters"]] == ["函AJ-2", "函AJ-1"]
    assert own["letters"][1]["answered_at"].startswith("2026-10-16T10:00:00")
    assert own["letters"][0]["answered_at"] is None


def test_experts(data):
    experts = figures(Q4, today=TODAY)["experts"]
    assert experts == {
        "invited": 4,
        "accepted": 2,
        "declined": 1,
        "acceptance_rate": 0.6667,
        "opinions": 1,
        "load": [
            {"expert_id": data["e1"].pk, "name": "专家甲", "active": 2, "opinions": 0},
            {"expert_id": data["e3"].pk, "name": "专家丙", "active": 1, "opinions": 0},
            {"expert_id": data["e2"].pk, "name": "专家乙", "active": 0, "opinions": 1},
        ],
    }


def test_satisfaction(data):
    satisfaction = figures(Q4, today=TODAY)["satisfaction"]
    assert satisfaction["count"] == 2
    assert satisfaction["averages"] == {"satisfaction": 4.0, "timeliness": 3.0, "usefulness": 4.5}
    assert len(satisfaction["comments"]) == 1
    comment = satisfaction["comments"][0]
    assert comment["application_id"] == data["a0"].pk
    assert comment["number"] == "SQ-0"
    assert comment["satisfaction"] == 5
    assert comment["comment"] == "办理很及时，谢谢。"
    assert comment["submitted_at"].startswith("2026-10-20T10:00:00")


def test_the_service_point_cut(data):
    result = figures(Q4, service_point_ids=[data["sp1"].pk, data["sp2"].pk], today=TODAY)
    assert result["service_point_ids"] == sorted([data["sp1"].pk, data["sp2"].pk])
    assert result["applications"] == {"received": 2, "accepted": 2, "returned": 1, "declined": 0, "withdrawn": 0}
    assert result["cases"] == {"opened": 2, "closed": 0, "terminated": 0, "open_now": 2, "overdue_now": 1}
    # a1 (2) and a4 (1).
    assert result["handling"]["acceptance"] == {
        "count": 2,
        "median": 1.5,
        "p90": 1.9,
        "on_time": 2,
        "on_time_share": 1.0,
    }
    assert result["handling"]["overdue_now"] == {"acceptance": 0, "first_contact": 1, "opinion": 0}
    assert result["consultations"]["total"] == 1
    assert [row["key"] for row in result["dimensions"]["service_point"]] == sorted(
        [str(data["sp1"].pk), str(data["sp2"].pk)]
    )
    letters = {row["agency"]: (row["sent"], row["answered"], row["median_response_days"]) for row in result["letters"]}
    assert letters == {"甲单位": (1, 1, 6.0), "乙单位": (1, 1, 8.0), "丁单位": (0, 0, None)}
    assert result["experts"]["invited"] == 2  # i1, i2 on c1
    assert result["satisfaction"]["count"] == 1  # a1's


def test_a_holiday_staff_add_changes_the_durations(data):
    # Staff declare Monday 12 October a holiday: a2's acceptance (8 → 12 Oct) drops to 2 days.
    from portal.models import CalendarDay

    CalendarDay.objects.create(date=d(10, 12), is_working_day=False, note="测试", source="manual")
    handling = figures(Q4, today=TODAY)["handling"]
    assert handling["acceptance"]["median"] == 2.0  # [1, 2, 2, 6]


def test_six_queries_whatever_the_period_or_cut(data, django_assert_num_queries):
    # The one-row figures together, the trend, the dimensions, the letters, the experts' load,
    # the comments.
    with django_assert_num_queries(6):
        figures(Q4, today=TODAY)
    with django_assert_num_queries(6):
        figures(Period.year(2026), service_point_ids=[data["sp1"].pk], today=TODAY)


def test_an_empty_period():
    result = figures(Period.month(2019, 2), today=TODAY)
    assert result["applications"] == {"received": 0, "accepted": 0, "returned": 0, "declined": 0, "withdrawn": 0}
    assert result["handling"]["acceptance"] == {
        "count": 0,
        "median": None,
        "p90": None,
        "on_time": 0,
        "on_time_share": None,
    }
    assert result["dimensions"]["country"] == []
    assert result["experts"]["acceptance_rate"] is None
    assert result["satisfaction"]["averages"] == {"satisfaction": None, "timeliness": None, "usefulness": None}


def test_the_province_rule_names_the_provinces_the_statistics_label():
    assert set(PROVINCE_CODES) == set(regions.PROVINCES)
    assert province_key("91410100MA0000000X", "", "") == "41"
    assert province_key("", "resident_id", "140102199001011234") == "14"
    assert province_key("", "passport", "140102199001011234") == "unknown"
    assert province_key("91110000MA0000000X", "", "") == "11"  # characters 3–4: Beijing
    assert province_key("11100000000000000X", "", "") == "unknown"  # "10": a national authority
    assert province_key("", "", "") == "unknown"


def test_the_case_keeps_what_the_statistics_count_from_open_and_first_issue(
    applicant_org, staff, director, django_capture_on_commit_callbacks
):
    point = ServicePoint.objects.create(name="许昌市工作站", level="city", region="许昌市", address="许昌")
    c = make_case(
        applicant_org=applicant_org,
        by=staff,
        service_point=point,
        applicant_category="individual",
        credit_code="",
        id_type="resident_id",
        id_number="410102199001011234",
        opponent_types=["competitor", "npe"],
    )
    c.refresh_from_db()
    assert c.service_point == point
    assert c.applicant_category == "individual"
    assert c.region == "41"
    assert c.opponent_types == ["competitor", "npe"]
    assert c.opinion_issued_at is None

    opinion = make_opinion(c, staff)

    def sign():
        opinion_submit(opinion=opinion, by=staff)
        opinion_review(opinion=opinion, by=staff, approve=True)
        with django_capture_on_commit_callbacks(execute=True):
            opinion_sign(opinion=opinion, by=director)
        opinion.refresh_from_db()

    sign()
    c.refresh_from_db()
    first = opinion.signed_at
    assert c.opinion_issued_at == first
    # A corrected version signed later is not the case's first issue.
    opinion_reopen(opinion=opinion, by=director, reason="更正引用的法条。")
    sign()
    c.refresh_from_db()
    assert opinion.signed_at > first
    assert c.opinion_issued_at == first
