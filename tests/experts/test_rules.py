"""The rules of the expert workflow hold: statuses change only through declared transitions, a
refusal from the wrong state names the state the object is in, only the right person acts, the
work log reads the same for staff and shows applicants only what is meant for them, and opening a
confidential file is recorded."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.choices import DisputeLevel
from experts import services
from experts.models import ExpertAssignment, ExpertInvitation, ExpertNomination, Seminar
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import LogEntry
from portal.roles import Role
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from tests.experts.factories import ExpertFactory, expert_with_login, make_case
from tests.factories import TINY_PDF, PartnerAgencyFactory, with_status

pytestmark = pytest.mark.django_db


def soon():
    return timezone.now() + timezone.timedelta(days=3)


@pytest.fixture
def case():
    return make_case(level=DisputeLevel.MAJOR)


@pytest.fixture
def expert():
    return expert_with_login(name="吴志远", max_concurrent_cases=10)


@pytest.fixture
def other_expert():
    return expert_with_login(name="周佳怡", max_concurrent_cases=10)


def invite(case, expert, staff):
    return services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())


# --- Declared transitions -----------------------------------------------------------------------


def test_a_direct_status_write_fails_on_every_expert_model(case, expert, staff):
    invitation = invite(case, expert, staff)
    assignment = services.invitation_accept(invitation=invitation, by=expert.user)
    seminar = services.seminar_convene(
        case=case, by=staff, title="研讨会", starts_at=soon(), location="第一会议室", experts=[expert]
    )
    nomination = ExpertNomination.objects.create(
        case=case, agency=PartnerAgencyFactory(code="ipo", name="山西省知识产权局"), nominated_by=staff, name="郑推荐"
    )
    for obj, status in [
        (invitation, ExpertInvitation.Status.WITHDRAWN),
        (assignment, ExpertAssignment.Status.ACTIVE),
        (seminar, Seminar.Status.CANCELLED),
        (nomination, ExpertNomination.Status.APPROVED),
    ]:
        obj.refresh_from_db()
        before = obj.status
        with pytest.raises(DirectStatusWrite):
            obj.status = status
        obj.refresh_from_db()
        assert obj.status == before


def test_a_refusal_from_the_wrong_state_names_the_current_state(case, expert, staff):
    invitation = invite(case, expert, staff)
    services.invitation_decline(invitation=invitation, by=expert.user, reason="近期出差")
    with pytest.raises(TransitionNotAllowed) as refused:
        services.invitation_accept(invitation=invitation, by=expert.user)
    assert "当前状态为“已谢绝”" in refused.value.messages[0]
    seminar = services.seminar_convene(
        case=case, by=staff, title="研讨会", starts_at=soon(), location="第一会议室", experts=[expert]
    )
    services.seminar_cancel(seminar=seminar, by=staff)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.seminar_cancel(seminar=seminar, by=staff)
    assert "当前状态为“已取消”" in refused.value.messages[0]


# --- Who may act --------------------------------------------------------------------------------


def test_only_the_invited_expert_accepts_or_declines(case, expert, other_expert, staff, agency_user):
    invitation = invite(case, expert, staff)
    for outsider in (other_expert.user, staff, agency_user):
        with pytest.raises(Forbidden) as refused:
            services.invitation_accept(invitation=invitation, by=outsider)
        assert str(refused.value) == "只有受邀专家本人可以答复此邀请。"
        with pytest.raises(Forbidden):
            services.invitation_decline(invitation=invitation, by=outsider, reason="代为谢绝")
    invitation.refresh_from_db()
    assert invitation.status == ExpertInvitation.Status.PENDING
    assert not ExpertAssignment.objects.filter(case=case).exists()
    services.invitation_accept(invitation=invitation, by=expert.user)
    invitation.refresh_from_db()
    assert invitation.status == ExpertInvitation.Status.ACCEPTED


def test_staff_record_the_answer_only_of_an_expert_without_a_login(case, staff, other_expert):
    by_phone = ExpertFactory(name="郑老师")  # no portal account: answers by telephone
    invitation = invite(case, by_phone, staff)
    with pytest.raises(Forbidden):
        services.invitation_accept(invitation=invitation, by=other_expert.user)
    assignment = services.invitation_accept(invitation=invitation, by=staff)
    services.assignment_declare(assignment=assignment, by=staff, no_conflict=True)
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.ACTIVE


def test_only_the_assigned_expert_declares_and_gives_the_opinion(case, expert, other_expert, staff):
    assignment = services.invitation_accept(invitation=invite(case, expert, staff), by=expert.user)
    for outsider in (other_expert.user, staff):
        with pytest.raises(Forbidden):
            services.assignment_declare(assignment=assignment, by=outsider, no_conflict=True)
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    with pytest.raises(Forbidden):
        services.opinion_submit(assignment=assignment, by=staff, analysis="分析", recommendations="建议")
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.ACTIVE


def test_only_center_staff_invite_withdraw_and_run_seminars(case, expert, agency_user, applicant):
    for outsider in (expert.user, agency_user, applicant):
        with pytest.raises(Forbidden):
            services.matching_run(case=case, by=outsider)
        with pytest.raises(Forbidden):
            services.expert_invite(case=case, expert=expert, by=outsider, deadline=soon())
        with pytest.raises(Forbidden):
            services.seminar_convene(
                case=case, by=outsider, title="研讨会", starts_at=soon(), location="会议室", experts=[expert]
            )
    assert not ExpertInvitation.objects.exists() and not Seminar.objects.exists()


def test_an_expert_answers_only_for_their_own_seminar_seat(case, expert, other_expert, staff):
    seminar = services.seminar_convene(
        case=case, by=staff, title="研讨会", starts_at=soon(), location="会议室", experts=[expert, other_expert]
    )
    seat = seminar.invitees.get(expert=expert)
    with pytest.raises(Forbidden):
        services.seminar_respond(invitee=seat, by=other_expert.user, attend=False)
    with pytest.raises(Forbidden):
        services.seminar_record_view(invitee=seat, by=other_expert.user, view="代为发言")
    services.seminar_respond(invitee=seat, by=staff, attend=True)  # staff record a telephone answer
    seat.refresh_from_db()
    assert seat.response == seat.Response.CONFIRMED


def test_accepting_someone_elses_invitation_in_the_browser_is_a_403_with_the_reason(client, case, expert, staff):
    """A member of staff who also sits in the pool sees every invitation, but answers only their own."""
    staff.groups.add(Group.objects.get_or_create(name=Role.EXPERT)[0])
    invitation = invite(case, expert, staff)
    client.force_login(staff)
    response = client.post(reverse("experts:invitation", args=[invitation.pk]), {"action": "accept"})
    assert response.status_code == 403
    assert "只有受邀专家本人可以答复此邀请。" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == ExpertInvitation.Status.PENDING


def test_another_experts_invitation_page_is_a_404(client, case, expert, other_expert, staff):
    invitation = invite(case, expert, staff)
    client.force_login(other_expert.user)
    url = reverse("experts:invitation", args=[invitation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "accept"}).status_code == 404


# --- The work log ---------------------------------------------------------------------------------


def test_staff_read_the_expert_work_on_the_case_page_and_applicants_only_the_public_note(
    client, case, expert, staff, monkeypatch
):
    invitation = invite(case, expert, staff)
    assignment = services.invitation_accept(invitation=invitation, by=expert.user)
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    seminar = services.seminar_convene(
        case=case, by=staff, title="研讨会", starts_at=soon(), location="会议室", experts=[expert]
    )
    seat = seminar.invitees.get(expert=expert)
    services.seminar_respond(invitee=seat, by=expert.user, attend=True)
    moment = seminar.starts_at + timezone.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seat.pk])
    services.seminar_conclude(seminar=seminar, by=staff, analysis="分析", recommendations="建议", agreement="一致")

    client.force_login(staff)
    page = client.get(reverse("experts:case_panel", args=[case.pk])).content.decode()
    for line in (
        "邀请专家",
        "接受邀请",
        "待答复 → 已接受",
        "声明无利益冲突",
        "待确认 → 确认参加",
        "已召开 → 已形成合议意见",
    ):
        assert line in page, line
    page = client.get(reverse("experts:seminar_manage", args=[seminar.pk])).content.decode()
    assert "答复研讨会邀请" in page and "待确认 → 确认参加" in page

    public = list(entries_for(case, with_scope=True).public())
    assert [e.public_note for e in public] == ["指导中心已召开专家研讨会，形成合议意见。"]
    assert expert.name not in public[0].public_note


# --- Confidential files -----------------------------------------------------------------------------


def test_opening_a_seminar_material_or_an_opinion_file_is_recorded(client, case, expert, staff):
    material = SimpleUploadedFile("对方起诉状.pdf", TINY_PDF, content_type="application/pdf")
    seminar = services.seminar_convene(
        case=case,
        by=staff,
        title="研讨会",
        starts_at=soon(),
        location="会议室",
        experts=[expert],
        materials=[material],
    )
    assignment = ExpertAssignment.objects.get(case=case, expert=expert)
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    opinion = services.opinion_submit(
        assignment=assignment,
        by=expert.user,
        analysis="分析",
        recommendations="建议",
        files=[SimpleUploadedFile("检索报告.pdf", TINY_PDF, content_type="application/pdf")],
    )

    client.force_login(expert.user)
    assert client.get(reverse("experts:seminar_material", args=[seminar.materials.get().pk])).status_code == 200
    client.force_login(staff)
    attachment = opinion.attachments.get()
    assert client.get(reverse("experts:opinion_file", args=[attachment.pk])).status_code == 200
    assert client.get(reverse("admin:experts_expertopinion_change", args=[opinion.pk])).status_code == 200

    downloads = LogEntry.objects.filter(
        action_type__in=[
            "experts.seminar_material.downloaded",
            "experts.opinion_attachment.downloaded",
            "experts.opinion.viewed",
        ]
    )
    assert [(e.action_type, e.actor, e.scope, e.data.get("file")) for e in downloads] == [
        ("experts.seminar_material.downloaded", expert.user, case, "对方起诉状.pdf"),
        ("experts.opinion_attachment.downloaded", staff, case, "检索报告.pdf"),
        ("experts.opinion.viewed", staff, case, None),
    ]
    page = client.get(reverse("experts:case_panel", args=[case.pk])).content.decode()
    assert "下载研讨会材料" in page and "对方起诉状.pdf" in page


def test_a_file_the_user_may_not_see_is_a_404_and_not_recorded(client, case, expert, other_expert, staff):
    material = SimpleUploadedFile("对方起诉状.pdf", TINY_PDF, content_type="application/pdf")
    seminar = services.seminar_convene(
        case=case, by=staff, title="研讨会", starts_at=soon(), location="会议室", experts=[expert], materials=[material]
    )
    client.force_login(other_expert.user)
    assert client.get(reverse("experts:seminar_material", args=[seminar.materials.get().pk])).status_code == 404
    assert not LogEntry.objects.filter(action_type="experts.seminar_material.downloaded").exists()


def test_with_status_prepares_a_state_for_a_test_without_a_transition(case, expert, staff):
    invitation = with_status(invite(case, expert, staff), ExpertInvitation.Status.EXPIRED)
    assert invitation.status == ExpertInvitation.Status.EXPIRED
    with pytest.raises(TransitionNotAllowed):
        services.invitation_withdraw(invitation=invitation, by=staff)


def test_the_case_page_work_log_does_not_grow_its_queries_with_entries(client, case, staff):
    def count_queries():
        client.force_login(staff)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("experts:case_panel", args=[case.pk])).status_code == 200
        return len(captured)

    services.expert_invite(case=case, expert=expert_with_login(name="甲"), by=staff, deadline=soon())
    few = count_queries()
    for name in ("乙", "丙", "丁", "戊"):
        invitation = services.expert_invite(case=case, expert=expert_with_login(name=name), by=staff, deadline=soon())
        services.invitation_withdraw(invitation=invitation, by=staff)
    assert count_queries() <= few + 2  # the rows grow, not one query per entry
