"""The conflict check recognises one organisation however it is written."""

import pytest

from experts.conflicts import conflicts_for_case, names_match, normalise_name
from experts.models import ConflictParty
from tests.experts.factories import ConflictPartyFactory, ExpertFactory, make_case
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("listed", "party"),
    [
        ("山西晋成精密机械有限公司", "山西晋成精密机械有限公司"),  # identical
        ("晋成精密机械", "山西晋成精密机械有限公司"),  # short name, region and 有限公司 dropped
        ("晋成精密", "山西晋成精密机械有限公司"),  # 简称 contained in the full name
        ("山西晋成精密机械股份有限公司", "山西晋成精密机械有限公司"),  # another legal form
        ("Acme Robotics, Inc.", "ACME ROBOTICS INC"),  # case and punctuation
        ("Acme Robotics Co., Ltd.", "Acme Robotics Inc."),  # Co., Ltd. vs Inc.
        ("ＡＣＭＥ　Ｒｏｂｏｔｉｃｓ", "Acme Robotics Inc."),  # full-width letters
        ("Jincheng Precision Machinery", "Shanxi Jincheng Precision Machinery Co., Ltd."),
        ("华为", "华为技术有限公司"),
        ("西门子（中国）有限公司", "西门子股份公司"),
    ],
)
def test_variants_of_one_name_match(listed, party):
    assert names_match(listed, party), (normalise_name(listed), normalise_name(party))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("山西晋成精密机械有限公司", "山西恒达化工有限公司"),
        ("Acme Robotics Inc.", "Apex Robotics Inc."),
        ("测试科技有限公司1", "测试科技有限公司12"),
        ("机械", "山西晋成精密机械有限公司"),  # too short to be distinctive
        ("", "Acme"),
    ],
)
def test_different_organisations_do_not_match(first, second):
    assert not names_match(first, second)


@pytest.fixture
def case():
    applicant = ApplicantFactory(
        name="山西晋成精密机械有限公司", name_en="Shanxi Jincheng Precision Machinery Co., Ltd."
    )
    return make_case(applicant=applicant, opponent_name="Acme Robotics Inc.")


def test_expert_who_acted_for_the_opponent_conflicts(case):
    expert = ExpertFactory()
    ConflictPartyFactory(expert=expert, name="ACME ROBOTICS, INC.", relation=ConflictParty.Relation.FOR)
    conflicts = conflicts_for_case(expert, case)
    assert len(conflicts) == 1
    assert "纠纷对方" in str(conflicts[0])
    assert "ACME ROBOTICS, INC." in str(conflicts[0])


def test_expert_listing_the_applicant_by_english_name_conflicts(case):
    expert = ExpertFactory()
    ConflictPartyFactory(
        expert=expert, name="Jincheng Precision Machinery Co Ltd", relation=ConflictParty.Relation.AGAINST
    )
    assert "申请人" in str(conflicts_for_case(expert, case)[0])


def test_expert_listing_the_applicant_by_credit_code_conflicts(case):
    expert = ExpertFactory()
    ConflictPartyFactory(expert=expert, name="某客户", credit_code=case.application.credit_code.lower())
    assert "统一社会信用代码" in str(conflicts_for_case(expert, case)[0])


def test_expert_working_for_the_opponent_conflicts(case):
    expert = ExpertFactory(organisation="Acme Robotics Co., Ltd.")
    assert "专家所在单位" in str(conflicts_for_case(expert, case)[0])


def test_expert_working_for_the_applicant_by_short_name_conflicts(case):
    expert = ExpertFactory(organisation="晋成精密机械")
    assert conflicts_for_case(expert, case)


def test_several_opponents_are_each_checked(case):
    case.application.opponent_name = "Foo GmbH；Acme Robotics Inc."
    case.application.save()
    expert = ExpertFactory()
    ConflictPartyFactory(expert=expert, name="FOO GMBH")
    assert conflicts_for_case(expert, case)


def test_unrelated_expert_has_no_conflict(case):
    expert = ExpertFactory(organisation="北京中知律师事务所")
    ConflictPartyFactory(expert=expert, name="Other Corp.")
    assert conflicts_for_case(expert, case) == []


@pytest.mark.parametrize(
    ("until_days", "conflicts"),
    [(None, True), (30, True), (0, True), (-1, False), (-400, False)],
)
def test_a_registered_conflict_counts_until_its_end_date(case, staff, until_days, conflicts):
    from django.utils import timezone

    from experts import services
    from experts.services import ConflictOfInterest

    today = timezone.localdate()
    until = None if until_days is None else today + timezone.timedelta(days=until_days)
    expert = ExpertFactory()
    ConflictPartyFactory(expert=expert, name="Acme Robotics", relation=ConflictParty.Relation.FOR, until=until)
    assert bool(conflicts_for_case(expert, case)) is conflicts
    deadline = timezone.now() + timezone.timedelta(days=3)
    if conflicts:
        with pytest.raises(ConflictOfInterest):
            services.expert_invite(case=case, expert=expert, by=staff, deadline=deadline)
    else:
        assert services.expert_invite(case=case, expert=expert, by=staff, deadline=deadline).pk
