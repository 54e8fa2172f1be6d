"""A seminar for a major case, from convening to the collegial opinion and its minutes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications.choices import DisputeLevel
from documents.models import Document
from experts import services
from experts.models import Seminar, SeminarInvitee
from experts.selectors import opinions_for_case
from experts.services import ConflictOfInterest
from portal.audit import entries_for
from portal.transitions import TransitionNotAllowed
from tests.experts.factories import ConflictPartyFactory, ExpertFactory, expert_with_login, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return make_case(level=DisputeLevel.MAJOR, opponent_name="Acme Robotics Inc.")


def convene(case, staff, experts, **extra):
    return services.seminar_convene(
        case=case,
        by=staff,
        title="337 调查应对专家研讨会",
        starts_at=timezone.now() + timezone.timedelta(days=2),
        location="指导中心第一会议室",
        experts=experts,
        **extra,
    )


def on_the_day(monkeypatch, seminar, hours=1):
    """Move the clock to the seminar's day: attendance and the opinion are recorded then, not before."""
    moment = seminar.starts_at + timezone.timedelta(hours=hours)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_seminar_flow_ends_in_a_collegial_opinion_with_dissent_and_minutes(
    case, staff, agency, django_capture_on_commit_callbacks, monkeypatch
):
    a, b, c = expert_with_login(name="甲专家"), expert_with_login(name="乙专家"), expert_with_login(name="丙专家")
    seminar = convene(case, staff, [a, b, c], agencies=[agency], staff_users=[staff], agenda="是否应诉")
    assert seminar.status == Seminar.Status.CONVENED
    seats = {i.expert_id: i for i in seminar.invitees.filter(kind=SeminarInvitee.Kind.EXPERT)}
    assert seminar.invitees.count() == 5

    services.seminar_respond(invitee=seats[a.pk], by=a.user, attend=True)
    services.seminar_respond(invitee=seats[b.pk], by=b.user, attend=True)
    services.seminar_respond(invitee=seats[c.pk], by=c.user, attend=False)
    services.seminar_record_view(invitee=seats[a.pk], by=a.user, view="建议积极应诉")

    on_the_day(monkeypatch, seminar)
    services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seats[a.pk].pk, seats[b.pk].pk])
    seminar.refresh_from_db()
    assert seminar.status == Seminar.Status.HELD
    services.seminar_record_view(invitee=seats[b.pk], by=staff, view="建议先行和解")

    with pytest.raises(ValidationError, match="乙专家保留不同意见"):
        services.seminar_conclude(
            seminar=seminar,
            by=staff,
            analysis="分析",
            recommendations="应诉",
            agreement="多数意见",
            positions={seats[b.pk].pk: (SeminarInvitee.Position.DISSENT, "")},
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.seminar_conclude(
            seminar=seminar,
            by=staff,
            analysis="对方专利稳定性存疑",
            recommendations="积极应诉并提起无效",
            agreement="与会专家一致认为应当应诉",
            positions={
                seats[a.pk].pk: (SeminarInvitee.Position.AGREE, ""),
                seats[b.pk].pk: (SeminarInvitee.Position.DISSENT, "建议先行和解谈判"),
            },
        )
    seminar.refresh_from_db()
    assert seminar.status == Seminar.Status.CONCLUDED
    assert seminar.minutes.kind == Document.Kind.SEMINAR_MINUTES
    assert seminar.minutes.number == "第1期"
    assert seminar.minutes.status == Document.Status.READY, seminar.minutes.last_error
    assert seminar.minutes.context["dissents"][0]["dissent"] == "建议先行和解谈判"

    collegial = [row for row in opinions_for_case(case) if row["kind"] == "collegial"]
    assert len(collegial) == 1
    assert collegial[0]["recommendations"] == "积极应诉并提起无效"
    assert collegial[0]["dissent"] == ["乙专家：建议先行和解谈判"]
    assert "甲专家" in collegial[0]["author"] and "丙专家" not in collegial[0]["author"]
    entry = entries_for(seminar).get(action_type="experts.seminar.concluded")
    assert entry.status_change == "已召开 → 已形成合议意见" and entry.scope == seminar.case


def test_a_seminar_needs_a_place_and_experts(case, staff):
    with pytest.raises(ValidationError):
        services.seminar_convene(
            case=case, by=staff, title="t", starts_at=timezone.now(), experts=[ExpertFactory()], location=""
        )
    with pytest.raises(ValidationError):
        convene(case, staff, [])


def test_an_expert_with_a_conflict_is_not_invited_to_the_seminar(case, staff):
    expert = ExpertFactory(name="冲突")
    ConflictPartyFactory(expert=expert, name="Acme Robotics")
    with pytest.raises(ConflictOfInterest):
        convene(case, staff, [expert])
    assert not Seminar.objects.exists()


def test_attendance_needs_an_expert_and_views_close_with_the_conclusion(case, staff, monkeypatch):
    expert = expert_with_login()
    seminar = convene(case, staff, [expert], staff_users=[staff])
    on_the_day(monkeypatch, seminar)
    staff_seat = seminar.invitees.get(kind=SeminarInvitee.Kind.STAFF)
    with pytest.raises(ValidationError):
        services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[staff_seat.pk])
    seat = seminar.invitees.get(kind=SeminarInvitee.Kind.EXPERT)
    services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seat.pk])
    services.seminar_conclude(seminar=seminar, by=staff, analysis="a", recommendations="b", agreement="c")
    with pytest.raises(TransitionNotAllowed):
        services.seminar_record_view(invitee=seat, by=expert.user, view="太晚了")
    with pytest.raises(TransitionNotAllowed):
        services.seminar_cancel(seminar=seminar, by=staff)


def test_attendance_and_the_collegial_opinion_cannot_be_recorded_before_the_seminar_day(
    case, staff, client, monkeypatch
):
    from django.urls import reverse

    expert = expert_with_login()
    seminar = convene(case, staff, [expert])  # in two days
    seat = seminar.invitees.get(kind=SeminarInvitee.Kind.EXPERT)
    day = timezone.localdate(seminar.starts_at)
    with pytest.raises(TransitionNotAllowed, match=f"研讨会定于 {day.year}年{day.month}月{day.day}日 召开"):
        services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seat.pk])
    Seminar.objects.filter(pk=seminar.pk).update(status=Seminar.Status.HELD)  # even if marked held by hand
    with pytest.raises(TransitionNotAllowed, match="会议当天或之后才能记录合议意见"):
        services.seminar_conclude(seminar=seminar, by=staff, analysis="a", recommendations="b", agreement="c")
    Seminar.objects.filter(pk=seminar.pk).update(status=Seminar.Status.CONVENED)

    # Staff trying it on the seminar page read why, next to nothing recorded.
    client.force_login(staff)
    page = client.post(
        reverse("experts:seminar_manage", args=[seminar.pk]), {"action": "attendance", "present": [seat.pk]}
    ).content.decode()
    assert "会议当天或之后才能登记出席情况" in page
    seminar.refresh_from_db()
    assert seminar.status == Seminar.Status.CONVENED and not seminar.invitees.filter(attended=True).exists()

    on_the_day(monkeypatch, seminar, hours=0)  # the moment it starts
    client.force_login(staff)
    services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seat.pk])
    assert Seminar.objects.get(pk=seminar.pk).status == Seminar.Status.HELD
