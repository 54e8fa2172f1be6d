"""Periods in which an expert takes no cases: recorded by staff in the admin or by the expert on
the workspace, and honoured by matching."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from experts import services
from experts.models import ExpertInvitation, Unavailability
from experts.selectors import next_ranked_expert, rank_experts
from tests.experts.factories import ExpertFactory, expert_with_login, make_case

pytestmark = pytest.mark.django_db


def day(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def expert():
    return expert_with_login(name="吴志远", countries=["US"])


@pytest.fixture
def case():
    case = make_case(countries=["US"])
    case.due_date = day(20)
    case.save(update_fields=["due_date"])
    return case


def test_the_expert_records_a_period_on_the_workspace_and_is_left_out_of_matching(client, expert, case):
    client.force_login(expert.user)
    response = client.post(
        reverse("experts:unavailability_add"),
        {"starts_on": day(5).isoformat(), "ends_on": day(12).isoformat(), "reason": "境外开庭"},
        follow=True,
    )
    html = response.content.decode()
    assert "已登记不可承接期间" in html and day(5).isoformat() in html and "境外开庭" in html
    ranking, excluded = rank_experts(case)
    assert expert.name not in {row["name"] for row in ranking}
    reason = {row["name"]: row["reason"] for row in excluded}[expert.name]
    assert f"{day(5).isoformat()} 至 {day(12).isoformat()} 不可承接（境外开庭）" == reason


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (8, 3, "结束日期不能早于开始日期"),
        (-9, -2, "结束日期已过"),
        (0, 400, "一次登记不超过一年"),
    ],
)
def test_a_bad_period_is_refused_next_to_the_field(client, expert, starts, ends, message):
    client.force_login(expert.user)
    response = client.post(
        reverse("experts:unavailability_add"), {"starts_on": day(starts).isoformat(), "ends_on": day(ends).isoformat()}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "is-invalid" in html
    assert not Unavailability.objects.exists()


@pytest.mark.parametrize("value", ["", "abc", "99999-01-01", "2026-02-30"])
def test_a_malformed_date_is_a_message_not_a_500(client, expert, value):
    client.force_login(expert.user)
    response = client.post(reverse("experts:unavailability_add"), {"starts_on": value, "ends_on": day(3).isoformat()})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Unavailability.objects.exists()


def test_the_expert_deletes_their_own_period_but_not_anothers(client, expert):
    own = services.unavailability_record(expert=expert, by=expert.user, starts_on=day(1), ends_on=day(3))
    other = ExpertFactory()
    theirs = Unavailability.objects.create(expert=other, starts_on=day(1), ends_on=day(3))
    client.force_login(expert.user)
    assert client.post(reverse("experts:unavailability_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("experts:unavailability_delete", args=[own.pk])).status_code == 302
    assert list(Unavailability.objects.all()) == [theirs]


def test_staff_record_a_period_in_the_expert_admin(client, staff, case):
    expert = ExpertFactory(name="新专家", organisation="某律师事务所", countries=["US"])
    client.force_login(staff)
    url = reverse("admin:experts_expert_change", args=[expert.pk])
    page = client.get(url).content.decode()
    assert "不可承接期间" in page
    data = {
        "name": expert.name,
        "organisation": expert.organisation,
        "countries": ["US"],
        "right_types": ["invention"],
        "technical_fields": ["mechanical"],
        "availability": "available",
        "max_concurrent_cases": "3",
        "active": "on",
        "conflicts-TOTAL_FORMS": "0",
        "conflicts-INITIAL_FORMS": "0",
        "unavailabilities-TOTAL_FORMS": "1",
        "unavailabilities-INITIAL_FORMS": "0",
        "unavailabilities-0-starts_on": day(10).isoformat(),
        "unavailabilities-0-ends_on": day(2).isoformat(),
        "unavailabilities-0-reason": "休假",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    data["unavailabilities-0-ends_on"] = day(15).isoformat()
    assert client.post(url, data).status_code == 302
    assert expert.unavailabilities.get().reason == "休假"
    _ranking, excluded = rank_experts(case)
    assert "休假" in {row["name"]: row["reason"] for row in excluded}["新专家"]


def test_the_next_ranked_expert_skips_one_who_is_away(staff, case):
    first = ExpertFactory(name="甲", countries=["US"], jurisdictions=["US"])
    second = ExpertFactory(name="乙", countries=["US"])
    third = ExpertFactory(name="丙", countries=["US"], technical_fields=[])
    run = services.matching_run(case=case, by=staff)
    assert [row["name"] for row in run.ranking][:3] == ["甲", "乙", "丙"]
    invitation = services.expert_invite(
        case=case, expert=first, by=staff, deadline=timezone.now() + datetime.timedelta(days=2), matching=run
    )
    services.invitation_decline(invitation=invitation, by=first.user or staff, reason="没空")
    Unavailability.objects.create(expert=second, starts_on=day(0), ends_on=day(30))
    assert next_ranked_expert(ExpertInvitation.objects.get(pk=invitation.pk)) == third
