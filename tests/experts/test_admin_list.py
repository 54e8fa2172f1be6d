"""The expert pool's admin list: each expert once, with the open work counted in the rows' query."""

from tests.experts.factories import ConflictPartyFactory, ExpertFactory


def test_a_search_through_several_conflicts_lists_the_expert_once(client, staff):
    expert = ExpertFactory(name="周知远")
    ConflictPartyFactory(expert=expert, name="晋阳重工股份有限公司")
    ConflictPartyFactory(expert=expert, name="晋阳重工（美国）公司")
    client.force_login(staff)
    page = client.get("/admin/experts/expert/", {"q": "晋阳重工"}).content.decode()
    assert page.count('class="field-name"') == 1
    assert "周知远" in page
