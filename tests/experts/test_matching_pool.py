"""Matching on a realistic pool of 31 experts for a US Section 337 case on machinery (US and
Germany), where the order an experienced staff member would give is known (tests/experts/pool.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.choices import DisputeType
from experts.models import ConflictParty, MatchingRun
from experts.selectors import rank_experts
from tests.experts.pool import EXPECTED_EXCLUDED, EXPECTED_TOP, POOL, build_pool, make_337_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return make_337_case()


@pytest.fixture
def pool(staff):
    return build_pool(staff=staff)


def _by_name(ranking):
    return {row["name"]: row for row in ranking}


def test_the_best_eight_come_in_the_order_staff_would_give(case, pool):
    assert len(POOL) >= 30
    ranking, _excluded = rank_experts(case)
    assert [row["name"] for row in ranking[:8]] == EXPECTED_TOP
    scores = [row["score"] for row in ranking[:9]]
    assert scores == sorted(scores, reverse=True) and len(set(scores[:8])) == 8  # no tie decides the top eight


def test_us_practice_337_and_machinery_rank_above_a_german_patent_attorney_with_neither(case, pool):
    ranking, _excluded = rank_experts(case)
    names = [row["name"] for row in ranking]
    assert names.index("陈美华") < names.index("Klaus Becker")
    best, german = _by_name(ranking)["陈美华"], _by_name(ranking)["Klaus Becker"]
    for reason in ["美国执业", "337 调查经验", "机械领域", "英语", "发明专利", "执业律师", "境外执业律师"]:
        assert any(r.startswith(reason + " +") for r in best["reasons"]), (reason, best["reasons"])
    assert [r for r in german["reasons"] if not r.startswith("当前承办")] == [
        "德国执业 +5",
        "机械领域 +4",
        "发明专利 +2",
        "专利代理师 +2",
        "英语 +1",
        "德语 +1",
    ]


def test_a_trade_investigation_is_not_an_infringement_suit(case, pool):
    ranking, _excluded = rank_experts(case)
    rows = _by_name(ranking)
    # Infringement experience earns nothing in a 337 investigation ...
    assert not any("侵权纠纷经验" in r for row in ranking for r in row["reasons"])
    assert [row["name"] for row in ranking].index("郭磊") < [row["name"] for row in ranking].index("王机械")
    # ... and the same pool for an infringement suit in Germany puts the German side first.
    application = case.application
    application.dispute_types = [DisputeType.INFRINGEMENT]
    application.countries = ["DE"]
    application.save(update_fields=["dispute_types", "countries"])
    case.application.refresh_from_db()
    ranking, _excluded = rank_experts(case)
    rows = _by_name(ranking)
    assert ranking[0]["name"] == "Klaus Becker"
    assert "侵权纠纷经验 +6" in rows["Klaus Becker"]["reasons"]
    assert not any("337" in r for row in ranking for r in row["reasons"])
    assert "陈美华" in rows and "美国执业 +5" not in rows["陈美华"]["reasons"]


def test_conflicted_absent_unavailable_and_unrelated_experts_are_left_out_with_the_reason(case, pool):
    ranking, excluded = rank_experts(case)
    ranked = {row["name"] for row in ranking}
    reasons = {row["name"]: row["reason"] for row in excluded}
    assert not ranked & set(EXPECTED_EXCLUDED)
    for name, word in EXPECTED_EXCLUDED.items():
        assert word in reasons[name], (name, reasons.get(name))
    assert "Kraftwerk Maschinenbau GmbH" in reasons["赵冲突"]
    assert "境外开庭" in reasons["孙出差"]
    assert len(ranking) + len(excluded) == len(POOL)


def test_a_conflict_whose_end_date_has_passed_no_longer_excludes(case, pool):
    ranking, _excluded = rank_experts(case)
    assert "吕往昔" in _by_name(ranking)  # registered conflict with the complainant ended a year ago
    ConflictParty.objects.filter(expert=pool["吕往昔"]).update(until=timezone.localdate())
    ranking, excluded = rank_experts(case)
    assert "吕往昔" not in _by_name(ranking)  # still in force today
    assert "利益冲突" in {row["name"]: row["reason"] for row in excluded}["吕往昔"]


def test_unavailability_excludes_only_when_it_overlaps_the_deadline_window(case, pool):
    ranking, _excluded = rank_experts(case)
    assert "何后来" in _by_name(ranking)  # away from day 60, the case is due on day 40
    assert "孙出差" not in _by_name(ranking)  # away on days 10-20
    case.due_date = timezone.localdate() + datetime.timedelta(days=5)
    case.save(update_fields=["due_date"])
    ranking, _excluded = rank_experts(case)
    assert "孙出差" in _by_name(ranking)  # back before the case's next deadline matters
    case.due_date = None  # no running deadline: the next 30 days count
    case.opinion_due = None
    case.save(update_fields=["due_date", "opinion_due"])
    ranking, _excluded = rank_experts(case)
    assert "孙出差" not in _by_name(ranking)


def test_staff_see_the_ranking_with_its_reasons_and_the_conflicted_expert_only_as_left_out(client, staff, case, pool):
    client.force_login(staff)
    response = client.post(reverse("experts:match_run", args=[case.pk]))
    run = MatchingRun.objects.get(case=case)
    assert response.url == reverse("experts:match", args=[run.pk])
    html = client.get(response.url).content.decode()
    table, left_out = html.split("未列入推荐的专家", 1)
    assert table.index("陈美华") < table.index("周建华") < table.index("Klaus Becker")
    assert "337 调查经验 +6" in table and "美国执业 +5" in table and "机械领域 +4" in table
    assert "赵冲突" not in table and "赵冲突" in left_out
    assert "相关贸易调查纠纷" in html  # the dispute type matched on is shown above the table


def test_the_record_of_matchings_counts_each_ranking_without_reading_it(client, staff, case, pool):
    """The admin's list of matchings shows how many experts each ranking showed and whom staff
    chose; the rankings themselves (every candidate with the reasons) stay in the database."""
    client.force_login(staff)
    client.post(reverse("experts:match_run", args=[case.pk]))
    run = MatchingRun.objects.get(case=case)
    run.chosen = [{"expert_id": 1, "name": "陈美华", "rank": 1}]
    run.save(update_fields=["chosen"])
    empty = MatchingRun.objects.create(case=case, run_by=staff, ranking=[], excluded=[], chosen=[])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("admin:experts_matchingrun_changelist")).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    shown = [row.split('class="field-shown">')[1].split("<")[0] for row in rows]
    assert shown == ["0", str(len(run.ranking))]  # the newest first
    assert "陈美华（#1）" in rows[1] and "陈美华" not in rows[0] and empty.pk
    rows_query = next(
        query["sql"] for query in queries.captured_queries if '"experts_matchingrun"."chosen"' in query["sql"]
    )
    assert "array_length(" in rows_query
    assert '"experts_matchingrun"."ranking",' not in rows_query
    assert '"experts_matchingrun"."ranking" FROM' not in rows_query
