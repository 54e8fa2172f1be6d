"""The application form: field-level Chinese messages, all at once; drafts are lenient."""

import pytest

from applications.forms import ApplicationForm
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db

VALID_CODE = "91350100M000100Y43"


@pytest.fixture
def organisation():
    return ApplicantFactory(credit_code=VALID_CODE, name="福建样例科技有限公司")


def complete_data(**overrides):
    data = {
        "applicant_category": "enterprise",
        "applicant_name": "福建样例科技有限公司",
        "credit_code": VALID_CODE,
        "contact_name": "王丽",
        "contact_email": "wangli@example.cn",
        "contact_phone": "0351-7654321转801",
        "contact_address": "山西省太原市小店区学府街 101 号",
        "dispute_types": ["trade_investigation", "infringement"],
        "right_types": ["invention"],
        "countries": ["US"],
        "opponent_types": ["competitor"],
        "technical_fields": ["mechanical"],
        "request": "美国 ITC 已对我司发起 337 调查，请求指导应诉策略。",
        "impact": "涉及对美出口额约 3000 万元。",
        "level": "major",
        "revision": "0",
    }
    data.update(overrides)
    return data


def form(data, organisation, complete=True):
    return ApplicationForm(data, complete=complete, organisation=organisation)


def test_a_complete_form_is_valid(organisation):
    f = form(complete_data(), organisation)
    assert f.is_valid(), f.errors
    assert f.cleaned_data["countries"] == ["US"]


def test_the_documented_credit_code_passes_and_a_wrong_check_character_fails():
    # Without an account to lock it to (the form as staff could use it), the code is checked as typed.
    assert form(complete_data(), None).is_valid()
    f = form(complete_data(credit_code="91350100M000100Y44"), None)
    assert not f.is_valid()
    assert f.errors["credit_code"] == ["统一社会信用代码校验位不正确，请核对营业执照上的代码。"]


def test_credit_code_is_locked_to_the_organisation_s(organisation):
    other = "91140100MA0000000" + "X"
    f = form(complete_data(credit_code=other), organisation)
    assert f.is_valid(), f.errors
    assert f.cleaned_data["credit_code"] == VALID_CODE  # what was posted is not taken
    assert f.fields["credit_code"].disabled


@pytest.mark.parametrize("phone", ["1391234567a", "电话abc", "12345"])
def test_bad_phone_numbers_get_a_message(organisation, phone):
    f = form(complete_data(contact_phone=phone), organisation)
    assert not f.is_valid()
    assert "contact_phone" in f.errors


@pytest.mark.parametrize("phone", ["13912345678", "+86 139 1234 5678", "010-12345678", "(0351)1234567"])
def test_good_phone_numbers_pass(organisation, phone):
    f = form(complete_data(contact_phone=phone), organisation)
    assert f.is_valid(), f.errors


def test_bad_email_gets_a_message(organisation):
    f = form(complete_data(contact_email="not-an-email"), organisation)
    assert not f.is_valid()
    assert "contact_email" in f.errors


def test_twenty_thousand_characters_in_a_short_field_is_refused(organisation):
    f = form(complete_data(contact_name="王" * 20000), organisation)
    assert not f.is_valid()
    assert "contact_name" in f.errors


def test_long_text_fields_take_several_thousand_characters(organisation):
    f = form(complete_data(request="纠纷经过。" * 1500), organisation)  # 7,500 characters
    assert f.is_valid(), f.errors


@pytest.mark.parametrize(
    ("choice", "value", "text_field"),
    [
        ("applicant_category", "other", "applicant_category_other"),
        ("dispute_types", ["other"], "dispute_type_other"),
        ("right_types", ["invention", "other"], "right_type_other"),
        ("opponent_types", ["other"], "opponent_type_other"),
        ("technical_fields", ["other"], "technical_field_other"),
    ],
)
def test_other_requires_its_text(organisation, choice, value, text_field):
    f = form(complete_data(**{choice: value}), organisation)
    assert not f.is_valid()
    assert f.errors[text_field] == ["选择了“其他”，请在这里说明。"]
    f = form(complete_data(**{choice: value, text_field: "具体说明"}), organisation)
    assert f.is_valid(), f.errors


def test_other_country_needs_a_choice_or_text_and_is_stored_as_iso_codes(organisation):
    f = form(complete_data(countries=[], country_is_other="on"), organisation)
    assert not f.is_valid()
    assert "country_other" in f.errors
    f = form(complete_data(countries=["DE"], country_is_other="on", other_country_codes=["VN", "MX"]), organisation)
    assert f.is_valid(), f.errors
    assert f.cleaned_data["countries"] == ["DE", "VN", "MX"]


def test_every_missing_answer_is_reported_at_once(organisation):
    f = form({"revision": "0"}, organisation)
    assert not f.is_valid()
    for name in ["applicant_category", "contact_email", "dispute_types", "request", "level"]:
        assert name in f.errors
    assert "必填项" in f.errors["request"][0]
    # The credit code is the account's, filled in and not asked for.
    assert "credit_code" not in f.errors and f.cleaned_data["credit_code"] == VALID_CODE


def test_without_an_account_every_missing_identity_answer_is_reported():
    f = form({"revision": "0", "applicant_category": "enterprise"}, None)
    assert not f.is_valid()
    assert f.errors["credit_code"] == ["请填写 18 位统一社会信用代码。"]


def test_a_draft_needs_nothing_but_keeps_format_checks(organisation):
    draft = form({"request": "先写一点", "revision": "0"}, organisation, complete=False)
    assert draft.is_valid(), draft.errors
    draft = form({"request": "先写一点", "contact_phone": "abc", "revision": "0"}, organisation, complete=False)
    assert not draft.is_valid()
    assert draft.draft_data()["request"] == "先写一点"
    assert "contact_phone" not in draft.draft_data()
