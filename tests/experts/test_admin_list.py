"""The expert pool's admin list: each expert once, with the open work of the page's experts."""

from django.utils import timezone

from experts.models import ExpertAssignment, ExpertInvitation
from experts.selectors import expert_loads
from tests.experts.factories import ConflictPartyFactory, ExpertFactory, make_case


def test_a_search_through_several_conflicts_lists_the_expert_once(client, staff):
    expert = ExpertFactory(name="周知远")
    ConflictPartyFactory(expert=expert, name="晋阳重工股份有限公司")
    ConflictPartyFactory(expert=expert, name="晋阳重工（美国）公司")
    client.force_login(staff)
    page = client.get("/admin/experts/expert/", {"q": "晋阳重工"}).content.decode()
    assert page.count('class="field-name"') == 1
    assert "周知远" in page


def test_each_expert_shows_their_open_assignments_and_pending_invitations(client, staff):
    busy = ExpertFactory(name="甲专家", max_concurrent_cases=3)
    ExpertFactory(name="乙专家", max_concurrent_cases=2)
    first, second, third = make_case(), make_case(), make_case()
    ExpertAssignment.objects.create(case=first, expert=busy, assigned_by=staff)
    ExpertAssignment.objects.create(
        case=second, expert=busy, assigned_by=staff, status=ExpertAssignment.Status.OPINION_SUBMITTED
    )  # finished: not counted
    ExpertInvitation.objects.create(case=third, expert=busy, invited_by=staff, deadline=timezone.now())
    client.force_login(staff)

    page = client.get("/admin/experts/expert/").content.decode()
    rows = {name: row for row in page.split("<tr")[1:] for name in ("甲专家", "乙专家") if f">{name}</a>" in row}
    assert '<td class="field-load">2/3</td>' in rows["甲专家"]  # an open assignment and a pending invitation
    assert '<td class="field-load">0/2</td>' in rows["乙专家"]
    assert expert_loads([busy.pk]) == {busy.pk: 2}
    assert expert_loads([]) == {}
