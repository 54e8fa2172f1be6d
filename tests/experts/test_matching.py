"""Ranking experts for a case, with the reasons, leaving out conflicts, full and inactive experts."""

import pytest
from django.utils import timezone

from applications.choices import DisputeType, RightType, TechnicalField
from experts import services
from experts.models import Availability, ExpertInvitation
from experts.selectors import next_ranked_expert, rank_experts
from tests.experts.factories import ConflictPartyFactory, ExpertFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return make_case(
        countries=["DE"],
        right_types=[RightType.INVENTION],
        dispute_types=[DisputeType.INFRINGEMENT],
        technical_fields=[TechnicalField.COMMUNICATIONS],
        opponent_name="Nordtel GmbH",
    )


@pytest.fixture
def pool():
    return {
        "best": ExpertFactory(
            name="王德明",
            countries=["DE", "FR"],
            jurisdictions=["DE"],
            right_types=[RightType.INVENTION],
            dispute_types=[DisputeType.INFRINGEMENT],
            technical_fields=[TechnicalField.COMMUNICATIONS],
            languages=["zh", "de"],
        ),
        "trademark": ExpertFactory(
            name="李商标",
            countries=["US"],
            right_types=[RightType.TRADEMARK],
            dispute_types=[DisputeType.OWNERSHIP],
            technical_fields=[],
            languages=["zh", "en"],
        ),
        "partial": ExpertFactory(
            name="张通信",
            countries=["US"],
            right_types=[RightType.INVENTION],
            technical_fields=[TechnicalField.COMMUNICATIONS],
            languages=["zh", "en"],
        ),
        "conflicted": ExpertFactory(name="赵冲突", countries=["DE"], technical_fields=[TechnicalField.COMMUNICATIONS]),
        "inactive": ExpertFactory(name="钱退休", countries=["DE"], active=False),
        "unavailable": ExpertFactory(name="孙没空", countries=["DE"], availability=Availability.UNAVAILABLE),
        "full": ExpertFactory(name="周满额", countries=["DE"], max_concurrent_cases=1),
    }


def test_the_right_expert_ranks_first_with_the_reasons(case, pool, staff):
    ConflictPartyFactory(expert=pool["conflicted"], name="NORDTEL")
    ranking, _excluded = rank_experts(case)
    assert ranking[0]["name"] == "王德明"
    reasons = "；".join(ranking[0]["reasons"])
    for expected in [
        "德国执业 +5",
        "发明专利 +2",
        "侵权纠纷经验 +6",
        "通信领域 +4",
        "德语 +1",
        "当前承办 0/3 件",
    ]:
        assert expected in reasons
    assert "熟悉德国" not in reasons  # admission already covers familiarity
    names = [row["name"] for row in ranking]
    assert names.index("王德明") < names.index("张通信")
    unmatched = {row["name"]: row["reason"] for row in _excluded}
    assert "均不匹配" in unmatched["李商标"]  # nothing in common with the case


def test_conflicted_inactive_unavailable_and_full_experts_are_left_out_with_reasons(case, pool, staff):
    ConflictPartyFactory(expert=pool["conflicted"], name="NORDTEL")
    other = make_case()
    services.expert_invite(
        case=other, expert=pool["full"], by=staff, deadline=timezone.now() + timezone.timedelta(days=2)
    )
    ranking, excluded = rank_experts(case)
    ranked = {row["name"] for row in ranking}
    reasons = {row["name"]: row["reason"] for row in excluded}
    assert not ranked & {"赵冲突", "钱退休", "孙没空", "周满额"}
    assert "利益冲突" in reasons["赵冲突"] and "Nordtel GmbH" in reasons["赵冲突"]
    assert "退出" in reasons["钱退休"]
    assert "暂不可承接" in reasons["孙没空"]
    assert "1/1" in reasons["周满额"]


def test_load_lowers_the_rank(case, staff):
    busy = ExpertFactory(name="忙碌", countries=["DE"], max_concurrent_cases=5)
    ExpertFactory(name="空闲", countries=["DE"], max_concurrent_cases=5)
    for _ in range(2):
        services.expert_invite(
            case=make_case(), expert=busy, by=staff, deadline=timezone.now() + timezone.timedelta(days=2)
        )
    ranking, _excluded = rank_experts(case)
    names = [row["name"] for row in ranking]
    assert names.index("空闲") < names.index("忙碌")
    assert "当前承办 2/5 件" in ranking[names.index("忙碌")]["reasons"]


def test_matching_run_records_the_ranking_shown_and_the_choice(case, pool, staff):
    run = services.matching_run(case=case, by=staff)
    assert run.ranking[0]["name"] == "王德明"
    invitation = services.expert_invite(
        case=case,
        expert=pool["partial"],
        by=staff,
        deadline=timezone.now() + timezone.timedelta(days=3),
        matching=run,
    )
    run.refresh_from_db()
    assert invitation.rank_shown == run.rank_of(pool["partial"].pk)
    assert run.chosen[0]["name"] == "张通信"
    assert run.chosen[0]["rank"] == invitation.rank_shown


def test_next_ranked_expert_skips_those_already_invited(case, pool, staff):
    run = services.matching_run(case=case, by=staff)
    invitation = services.expert_invite(
        case=case, expert=pool["best"], by=staff, deadline=timezone.now() + timezone.timedelta(days=3), matching=run
    )
    second = ExpertInvitation.objects.get(pk=invitation.pk)
    suggestion = next_ranked_expert(second)
    assert suggestion is not None
    assert suggestion.pk == run.ranking[1]["expert_id"]
