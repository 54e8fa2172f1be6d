"""A seminar page, its materials and opinion files open only to experts who work on the case
and declared no conflict on it; everybody else gets 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.choices import DisputeLevel
from experts import services
from experts.models import ExpertAssignment, SeminarInvitee
from tests.experts.factories import expert_with_login, make_case
from tests.factories import TINY_PDF

pytestmark = pytest.mark.django_db


def soon(days=3):
    return timezone.now() + timezone.timedelta(days=days)


@pytest.fixture
def case():
    return make_case(level=DisputeLevel.MAJOR, opponent_name="Acme Robotics Inc.")


@pytest.fixture
def expert():
    return expert_with_login(name="甲专家", max_concurrent_cases=10)


def convene(case, staff, experts):
    return services.seminar_convene(
        case=case,
        by=staff,
        title="337 调查应对专家研讨会",
        starts_at=soon(2),
        location="指导中心第一会议室",
        experts=experts,
        materials=[SimpleUploadedFile("案情摘要.pdf", TINY_PDF, content_type="application/pdf")],
    )


def urls(seminar, expert):
    seat = seminar.invitees.get(kind=SeminarInvitee.Kind.EXPERT, expert=expert)
    material = seminar.materials.get()
    return reverse("experts:seminar_seat", args=[seat.pk]), reverse("experts:seminar_material", args=[material.pk])


def declare(case, expert, *, no_conflict):
    assignment = ExpertAssignment.objects.get(case=case, expert=expert, status="awaiting_declaration")
    services.assignment_declare(
        assignment=assignment, by=expert.user, no_conflict=no_conflict, statement="" if no_conflict else "曾任对方顾问"
    )
    return assignment


def test_an_invited_expert_sees_the_seminar_only_after_declaring_no_conflict(client, case, staff, expert):
    seminar = convene(case, staff, [expert])
    seat_url, material_url = urls(seminar, expert)
    client.force_login(expert.user)
    assert client.get(seat_url).status_code == 404
    assert client.get(material_url).status_code == 404
    workspace = client.get(reverse("experts:workspace")).content.decode()
    assert "声明是否存在利益冲突" in workspace and seat_url not in workspace
    assert "337 调查应对专家研讨会" not in client.get(reverse("meetings:calendar")).content.decode()

    declare(case, expert, no_conflict=True)
    page = client.get(seat_url)
    assert page.status_code == 200 and "案情摘要.pdf" in page.content.decode()
    download = client.get(material_url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert seat_url in client.get(reverse("experts:workspace")).content.decode()


def test_an_expert_who_declares_a_conflict_loses_the_seminar_page_and_materials(client, case, staff, expert):
    seminar = convene(case, staff, [expert])
    seat_url, material_url = urls(seminar, expert)
    declare(case, expert, no_conflict=False)
    client.force_login(expert.user)
    assert client.get(seat_url).status_code == 404
    assert client.get(material_url).status_code == 404
    assert client.post(seat_url, {"action": "confirm"}).status_code == 404
    assert seat_url not in client.get(reverse("experts:workspace")).content.decode()
    assert "337 调查应对专家研讨会" not in client.get(reverse("meetings:calendar")).content.decode()


def test_an_expert_whose_assignment_was_withdrawn_loses_the_seminar(client, case, staff, expert):
    seminar = convene(case, staff, [expert])
    assignment = declare(case, expert, no_conflict=True)
    seat_url, material_url = urls(seminar, expert)
    client.force_login(expert.user)
    assert client.get(seat_url).status_code == 200
    services.assignment_withdraw(assignment=assignment, by=staff)
    assert client.get(seat_url).status_code == 404
    assert client.get(material_url).status_code == 404


def test_an_expert_on_the_case_but_not_at_the_seminar_gets_404(client, case, staff, expert):
    colleague = expert_with_login(name="乙专家")
    accepted = services.invitation_accept(
        invitation=services.expert_invite(case=case, expert=colleague, by=staff, deadline=soon()), by=colleague.user
    )
    services.assignment_declare(assignment=accepted, by=colleague.user, no_conflict=True)
    seminar = convene(case, staff, [expert])
    seat_url, material_url = urls(seminar, expert)
    client.force_login(colleague.user)
    assert client.get(seat_url).status_code == 404
    assert client.get(material_url).status_code == 404


@pytest.mark.parametrize("fixture", ["applicant", "agency_user"])
def test_other_roles_get_404_and_staff_may_download(client, request, case, staff, expert, fixture):
    seminar = convene(case, staff, [expert])
    seat_url, material_url = urls(seminar, expert)
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(seat_url).status_code == 404
    assert client.get(material_url).status_code == 404
    client.force_login(staff)
    assert client.get(material_url).status_code == 200


def test_an_expert_already_working_on_the_case_sees_the_seminar_at_once(client, case, staff, expert):
    assignment = services.invitation_accept(
        invitation=services.expert_invite(case=case, expert=expert, by=staff, deadline=soon()), by=expert.user
    )
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    seminar = convene(case, staff, [expert])
    assert ExpertAssignment.objects.filter(case=case, expert=expert).count() == 1  # no second assignment
    seat_url, _material_url = urls(seminar, expert)
    client.force_login(expert.user)
    assert client.get(seat_url).status_code == 200


def test_a_pending_invitation_accepted_after_the_seminar_uses_the_seminar_assignment(case, staff, expert):
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    convene(case, staff, [expert])
    assignment = services.invitation_accept(invitation=invitation, by=expert.user)
    assert ExpertAssignment.objects.filter(case=case, expert=expert).count() == 1
    assert assignment.invitation_id == invitation.pk


def _opinion_file(case, expert, staff):
    assignment = services.invitation_accept(
        invitation=services.expert_invite(case=case, expert=expert, by=staff, deadline=soon()), by=expert.user
    )
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    opinion = services.opinion_submit(
        assignment=assignment,
        by=expert.user,
        analysis="分析",
        recommendations="建议",
        files=[SimpleUploadedFile("意见附件.pdf", TINY_PDF, content_type="application/pdf")],
    )
    return reverse("experts:opinion_file", args=[opinion.attachments.get().pk])


def test_opinion_files_reach_their_author_and_staff_only(client, case, staff, expert, applicant, agency_user):
    url = _opinion_file(case, expert, staff)
    client.force_login(expert.user)
    assert client.get(url).status_code == 200
    client.force_login(staff)
    assert client.get(url).status_code == 200
    colleague = expert_with_login(name="乙专家")
    services.invitation_accept(
        invitation=services.expert_invite(case=case, expert=colleague, by=staff, deadline=soon()), by=colleague.user
    )
    for user in [colleague.user, applicant, agency_user]:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
