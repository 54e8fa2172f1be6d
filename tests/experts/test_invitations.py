"""Invitations: conflicts refused, capacity, deadlines, decline with a reason, reminders."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from experts import services
from experts.models import ExpertAssignment, ExpertInvitation
from experts.services import CapacityExceeded, ConflictOfInterest
from experts.tasks import send_invitation_reminders
from portal.audit import entries_for
from portal.models import Notification
from portal.transitions import TransitionNotAllowed
from tests.experts.factories import ConflictPartyFactory, ExpertFactory, expert_with_login, make_case

pytestmark = pytest.mark.django_db


def soon(days=3):
    return timezone.now() + timezone.timedelta(days=days)


@pytest.fixture
def case():
    return make_case(opponent_name="Acme Robotics Inc.")


def test_inviting_an_expert_with_a_conflict_is_refused_with_the_reason(case, staff):
    expert = ExpertFactory(name="冲突专家")
    ConflictPartyFactory(expert=expert, name="ACME Robotics Co., Ltd.")
    with pytest.raises(ConflictOfInterest) as exc:
        services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    assert "冲突专家" in exc.value.message and "Acme Robotics Inc." in exc.value.message
    assert not ExpertInvitation.objects.exists()


def test_invitation_notifies_the_expert_and_is_logged(case, staff):
    expert = expert_with_login(name="吴志远")
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    assert invitation.status == ExpertInvitation.Status.PENDING
    assert Notification.objects.filter(recipient=expert.user, subject="案件咨询邀请").exists()
    entry = entries_for(invitation).get(action_type="experts.invitation.sent")
    assert entry.actor == staff and entry.scope == case and entry.status_change == "待答复"


def test_the_last_free_slot_goes_to_one_staff_member_only(case, staff, director):
    expert = ExpertFactory(max_concurrent_cases=1)
    services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    with pytest.raises(CapacityExceeded) as exc:
        services.expert_invite(case=make_case(), expert=expert, by=director, deadline=soon())
    assert "没有空余名额" in exc.value.message
    assert ExpertInvitation.objects.filter(expert=expert).count() == 1


def test_an_expert_is_not_invited_twice_to_one_case(case, staff):
    expert = ExpertFactory()
    services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    with pytest.raises(ValidationError):
        services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())


def test_deadline_must_be_in_the_future(case, staff):
    with pytest.raises(ValidationError):
        services.expert_invite(case=case, expert=ExpertFactory(), by=staff, deadline=timezone.now())


def test_accepting_opens_an_assignment_awaiting_the_declaration(case, staff):
    expert = expert_with_login()
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    assignment = services.invitation_accept(invitation=invitation, by=expert.user)
    assert assignment.status == ExpertAssignment.Status.AWAITING_DECLARATION
    invitation.refresh_from_db()
    assert invitation.status == ExpertInvitation.Status.ACCEPTED and invitation.responded_at


def test_accepting_after_the_deadline_is_refused(case, staff):
    expert = expert_with_login()
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    ExpertInvitation.objects.filter(pk=invitation.pk).update(deadline=timezone.now() - timezone.timedelta(hours=1))
    with pytest.raises(TransitionNotAllowed, match="答复期限已过"):
        services.invitation_accept(invitation=invitation, by=expert.user)


def test_declining_needs_a_reason_and_suggests_the_next_ranked_expert(case, staff):
    first = expert_with_login(name="甲", countries=["US"], jurisdictions=["US"])
    second = ExpertFactory(name="乙", countries=["US"])
    run = services.matching_run(case=case, by=staff)
    assert [row["name"] for row in run.ranking][:2] == ["甲", "乙"]
    invitation = services.expert_invite(case=case, expert=first, by=staff, deadline=soon(), matching=run)
    with pytest.raises(ValidationError):
        services.invitation_decline(invitation=invitation, by=first.user, reason="  ")
    suggestion = services.invitation_decline(invitation=invitation, by=first.user, reason="近期出差")
    assert suggestion == second
    invitation.refresh_from_db()
    assert invitation.decline_reason == "近期出差"
    note = Notification.objects.filter(recipient=staff).latest("pk")
    assert "谢绝邀请" in note.subject and "乙" in note.body


def test_reminders_remind_once_and_expire_overdue_invitations(case, staff, django_capture_on_commit_callbacks):
    due_soon = expert_with_login(name="将到期")
    overdue = ExpertFactory(name="已逾期", countries=["US"])
    nxt = ExpertFactory(name="候补", countries=["US"])
    run = services.matching_run(case=case, by=staff)
    reminded = services.expert_invite(case=case, expert=due_soon, by=staff, deadline=soon(1))
    late = services.expert_invite(case=case, expert=overdue, by=staff, deadline=soon(1), matching=run)
    ExpertInvitation.objects.filter(pk=late.pk).update(deadline=timezone.now() - timezone.timedelta(minutes=5))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitation_reminders.delay().get() == {"expired": 1, "reminded": 1}
    late.refresh_from_db()
    reminded.refresh_from_db()
    assert late.status == ExpertInvitation.Status.EXPIRED
    assert reminded.reminders_sent == 1
    assert any("请答复" in m.subject for m in mail.outbox)
    assert "候补" in Notification.objects.filter(recipient=staff, subject__contains="逾期").latest("pk").body

    # A second run the same day does nothing more.
    assert send_invitation_reminders.delay().get() == {"expired": 0, "reminded": 0}
    reminded.refresh_from_db()
    assert reminded.reminders_sent == 1
    assert nxt.invitations.count() == 0  # staff choose; nobody is invited automatically


def test_declaring_a_conflict_removes_the_expert(case, staff):
    expert = expert_with_login()
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    assignment = services.invitation_accept(invitation=invitation, by=expert.user)
    with pytest.raises(ValidationError):
        services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=False, statement="")
    assignment = services.assignment_declare(
        assignment=assignment, by=expert.user, no_conflict=False, statement="曾代理对方商标事务"
    )
    assert assignment.status == ExpertAssignment.Status.CONFLICT
    assert assignment.conflict_reason == "曾代理对方商标事务"


def test_opinion_is_submitted_once_after_the_declaration(case, staff):
    expert = expert_with_login()
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    assignment = services.invitation_accept(invitation=invitation, by=expert.user)
    with pytest.raises(TransitionNotAllowed):
        services.opinion_submit(assignment=assignment, by=expert.user, analysis="a", recommendations="b")
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    opinion = services.opinion_submit(assignment=assignment, by=expert.user, analysis="分析", recommendations="建议")
    assert opinion.case == case
    with pytest.raises(TransitionNotAllowed):
        services.opinion_submit(assignment=assignment, by=expert.user, analysis="a", recommendations="b")


def test_a_closed_case_takes_no_more_invitations(case, staff):
    from cases.models import Case

    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    case.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="不能再邀请专家"):
        services.expert_invite(case=case, expert=ExpertFactory(), by=staff, deadline=soon())


def test_an_expert_who_declared_a_conflict_is_not_invited_to_the_seminar(case, staff):
    expert = expert_with_login()
    assignment = services.invitation_accept(
        invitation=services.expert_invite(case=case, expert=expert, by=staff, deadline=soon()), by=expert.user
    )
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=False, statement="曾任对方顾问")
    with pytest.raises(ConflictOfInterest, match="已声明与本案存在利益冲突"):
        services.seminar_convene(case=case, by=staff, title="t", starts_at=soon(), location="会议室", experts=[expert])
