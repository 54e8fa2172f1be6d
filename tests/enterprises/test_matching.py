"""The one rule deciding which warnings concern a key enterprise, on its own."""

import pytest

from enterprises.matching import warning_match_reason


def reason(markets=(), industries=(), country="", industry=""):
    return warning_match_reason(markets=list(markets), industries=list(industries), country=country, industry=industry)


def test_a_warning_about_one_of_its_markets_concerns_it():
    assert reason(markets=["US", "NG"], industries=["other"], country="US") == "出口市场：美国"


def test_a_warning_about_its_industry_concerns_it_whatever_the_country():
    assert reason(markets=["JP"], industries=["electrical", "mechanical"], country="BR", industry="mechanical") == (
        "所属行业：机械"
    )


def test_both_reasons_are_given_when_both_hold():
    assert reason(markets=["DE"], industries=["electrical"], country="DE", industry="electrical") == (
        "出口市场：德国；所属行业：电学"
    )


@pytest.mark.parametrize(
    ("markets", "industries", "country", "industry"),
    [
        (["US"], ["mechanical"], "JP", ""),  # another country, no industry
        (["US"], ["mechanical"], "JP", "chemistry"),  # another country and industry
        ([], [], "US", "mechanical"),  # an enterprise with nothing recorded
        (["US"], ["mechanical"], "", ""),  # a warning with neither
    ],
)
def test_a_warning_about_another_country_and_industry_does_not(markets, industries, country, industry):
    assert reason(markets, industries, country, industry) == ""


def test_the_eu_is_the_market_of_its_member_states_and_the_other_way_round():
    assert reason(markets=["DE", "US"], country="EU") == "出口市场：德国（预警涉及欧盟（欧洲知识产权局/统一专利法院））"
    assert reason(markets=["EU"], country="FR") == "出口市场：欧盟（欧洲知识产权局/统一专利法院）（预警涉及法国）"
    assert reason(markets=["GB", "CH", "NO"], country="EU") == ""  # not members
    assert reason(markets=["EU"], country="GB") == ""
