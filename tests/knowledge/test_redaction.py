"""A closed case turned into a typical case: nothing that identifies the applicant survives; staff
check the replacements; the applicant may be asked for consent, and a refusal stops publication."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Feedback
from cases.models import Case
from cases.opinions.models import GuidanceOpinion
from knowledge.models import Publication, TypicalCase
from knowledge.redaction import Redactor, name_forms
from knowledge.services.publication import item_publish
from knowledge.services.typical_cases import (
    drafting_replacements,
    typical_case_consent_answer,
    typical_case_draft_from_case,
    typical_case_request_consent,
)
from portal.access import Forbidden
from portal.audit import entries_for
from tests.factories import ApplicationFactory, UserFactory, with_status

pytestmark = pytest.mark.django_db
S = Publication.Status

NAME = "山西晋成精密机械有限公司"
CODE = "91140100MA0K1234X5"
PHONE = "13912345678"
EMAIL = "zhangsan@jincheng.cn"
CONTACT = "张三"


def closed_case(applicant_org, *, status=Case.Status.CLOSED):
    """A case as the center closes it: an application naming the applicant everywhere, a signed
    opinion, the applicant's feedback."""
    application = ApplicationFactory(
        applicant=applicant_org,
        applicant_name=NAME,
        credit_code=CODE,
        contact_name=CONTACT,
        contact_phone=PHONE,
        contact_email=EMAIL,
        countries=["US"],
        right_types=["invention"],
        dispute_types=["infringement"],
        technical_fields=["mechanical"],
        opponent_name="Acme Robotics Inc.",
        request=(
            f"{NAME}（统一社会信用代码 {CODE}）出口的数控机床被 Acme Robotics Inc. 指控侵犯美国专利 US 10,123,456 B2。"
            f"晋成精密机械的联系人{CONTACT}（电话 {PHONE}，邮箱 {EMAIL}，座机 0351-7654321）请求应对指导。"
            f"我司在华专利 ZL201910123456.7 与之相关；法定代表人身份证号 140105198001011234；"
            f"商标注册号 12345678。Shanxi Jincheng Precision Machinery Co., Ltd. 为其英文名称。"
        ),
        impact="晋成公司预计年出口额下降 2000 万元。",
    )
    application.submitted_at = timezone.now()
    application.number = "SQ-2026-000042"
    application.save(update_fields=["submitted_at", "number"])
    application = with_status(application, Application.Status.ACCEPTED)
    case = Case.objects.create(
        application=application,
        number="AJ-2026-000017",
        opened_at=timezone.now() - datetime.timedelta(days=60),
        applicant_name=NAME,
        credit_code=CODE,
        countries=["US"],
        right_types=["invention"],
        dispute_types=["infringement"],
        technical_field="mechanical",
    )
    staff = UserFactory(full_name="李明")
    GuidanceOpinion.objects.create(
        case=case,
        addressee=NAME,
        dispute_summary="纠纷基本情况",
        analysis=f"经分析，{NAME}的产品与涉案专利权利要求 1 存在差异（见案件 AJ-2026-000017）。",
        responses=["negotiation", "invalidation"],
        responses_detail="建议先与对方协商，同时准备在美国专利商标局提起多方复审（IPR）。",
        risks="出口前应做自由实施（FTO）检索。",
        next_steps="保留研发记录。",
        drafted_by=staff,
    )
    Feedback.objects.create(
        application=application,
        satisfaction=5,
        timeliness=5,
        usefulness=5,
        outcome=f"对方于 2026 年 3 月撤回起诉，{CONTACT}表示满意。",
        submitted_by=application.created_by,
    )
    case = with_status(case, status)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
    case.refresh_from_db()
    return case


@pytest.fixture
def case(applicant_org, applicant):
    return closed_case(applicant_org)


def public_text(item):
    return "\n".join([item.title, item.facts, item.response, item.outcome, item.lessons])


# --- The redaction itself -----------------------------------------------------------------------


def test_name_forms_include_the_short_forms():
    forms = name_forms(NAME)
    assert {NAME, "山西晋成精密机械", "晋成精密机械有限公司", "晋成精密机械", "晋成"} <= forms
    assert "山西" not in forms and "有限公司" not in forms
    assert "宗诚知识产权代理" in name_forms("许昌市宗诚知识产权代理有限公司")
    latin = name_forms("Shanxi Jincheng Precision Machinery Co., Ltd.")
    assert "Jincheng Precision Machinery" in latin and "Jincheng" in latin


def test_patterns_catch_what_the_case_does_not_name():
    redactor = Redactor()
    text = redactor.redact(
        "另一联系人：王五，手机 +86 138-0013-8000，邮箱 wang.wu@example.com，统一社会信用代码 91110000100000000X，"
        "身份证 11010519491231002X，专利 CN112233445A，文号 晋知指发〔2026〕25号。"
    )
    for secret in ("王五", "138-0013-8000", "wang.wu@example.com", "91110000100000000X", "11010519491231002X"):
        assert secret not in text
    assert "CN112233445A" not in text and "〔2026〕25号" not in text
    assert "[电话已隐去]" in text and "[邮箱已隐去]" in text
    kinds = {r.kind for r in redactor.replacements}
    assert {"phone", "email", "credit_code", "id_number", "patent", "file_number", "person"} <= kinds


def test_ordinary_text_is_left_alone():
    text = "2024 年美国 337 调查中，企业应在 30 日内应诉；赔偿 2000 万元。"
    assert Redactor().redact(text) == text


# --- Drafting from a case -----------------------------------------------------------------------


def test_the_draft_keeps_nothing_that_names_the_applicant(case, staff):
    item = typical_case_draft_from_case(case=case, by=staff)
    text = public_text(item)
    for secret in (
        NAME,
        "山西晋成精密机械",
        "晋成精密机械",
        "晋成",
        "Jincheng",
        CODE,
        PHONE,
        EMAIL,
        CONTACT,
        "0351-7654321",
        "140105198001011234",
        "SQ-2026-000042",
        "AJ-2026-000017",
        "ZL201910123456.7",
        "US 10,123,456 B2",
        "12345678",
        "Acme",
    ):
        assert secret not in text, secret
    assert "某公司" in text and "某公司公司" not in text
    assert "[统一社会信用代码已隐去]" in text and "[电话已隐去]" in text
    assert not re.search(r"\d{11}", text)


def test_the_draft_is_built_from_the_case(case, staff):
    item = typical_case_draft_from_case(case=case, by=staff)
    assert item.status == S.DRAFT and item.source_case == case and item.agency is None
    assert item.country == "US" and item.ip_type == "patent" and item.industry == "mechanical"
    assert item.forum == TypicalCase.Forum.COURT and item.year == case.closed_at.year
    assert item.title == "美国发明专利侵权纠纷应对案例"
    assert "数控机床" in item.facts
    assert "协商谈判" in item.response and "多方复审" in item.response
    assert "撤回起诉" in item.outcome
    assert "自由实施" in item.lessons
    entry = entries_for(item).get(action_type="knowledge.case.drafted_from_case")
    assert entry.actor == staff and entry.data["case"] == case.pk
    assert entries_for(case, with_scope=True).filter(action_type="knowledge.case.drafted_from_case").exists()


def test_staff_see_every_replacement(case, staff, client):
    item = typical_case_draft_from_case(case=case, by=staff)
    replaced = {(r["kind"], r["original"]) for r in drafting_replacements(item)}
    assert ("applicant", NAME) in replaced and ("credit_code", CODE) in replaced
    assert ("phone", PHONE) in replaced and ("email", EMAIL) in replaced and ("person", CONTACT) in replaced
    client.force_login(staff)
    page = client.get(reverse("admin:knowledge_typicalcase_change", args=[item.pk])).content.decode()
    assert 'data-testid="replacements"' in page and CODE in page and "[统一社会信用代码已隐去]" in page
    assert 'data-testid="no-leaks"' in page


def test_only_closed_cases_and_only_once(applicant_org, applicant, staff):
    open_case = closed_case(applicant_org, status=Case.Status.FOLLOW_UP)
    with pytest.raises(ValidationError) as excinfo:
        typical_case_draft_from_case(case=open_case, by=staff)
    assert "已结案" in str(excinfo.value)
    closed = with_status(open_case, Case.Status.CLOSED)
    typical_case_draft_from_case(case=closed, by=staff)
    with pytest.raises(ValidationError) as excinfo:
        typical_case_draft_from_case(case=closed, by=staff)
    assert "已整理为典型案例" in str(excinfo.value)


@pytest.mark.parametrize("who", ["agency_user", "applicant", "expert_user"])
def test_only_the_center_drafts(case, request, who):
    with pytest.raises(Forbidden):
        typical_case_draft_from_case(case=case, by=request.getfixturevalue(who))
    assert not TypicalCase.objects.exists()


def test_publishing_refuses_a_text_where_staff_put_the_name_back(case, staff):
    item = typical_case_draft_from_case(case=case, by=staff)
    TypicalCase.objects.filter(pk=item.pk).update(facts=item.facts + f"（原告为{NAME}，电话 {PHONE}）")
    with pytest.raises(ValidationError) as excinfo:
        item_publish(item=item, by=staff)
    assert "申请人名称" in str(excinfo.value) and "电话号码" in str(excinfo.value)
    TypicalCase.objects.filter(pk=item.pk).update(facts="某公司出口数控机床被诉侵权。")
    assert item_publish(item=item, by=staff).status == S.PUBLISHED


def test_admin_drafts_from_the_changelist_and_from_the_case_page(case, staff, client):
    client.force_login(staff)
    case_page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert reverse("admin:knowledge_typicalcase_from_case", args=[case.pk]) in case_page
    changelist = client.get(reverse("admin:knowledge_typicalcase_changelist")).content.decode()
    assert reverse("admin:knowledge_typicalcase_from_case") in changelist and "从已结案案件生成" in changelist
    url = reverse("admin:knowledge_typicalcase_from_case", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200 and case.number in page.content.decode()
    response = client.post(url, {"case": case.pk})
    item = TypicalCase.objects.get(source_case=case)
    assert response.status_code == 302 and response.url == reverse("admin:knowledge_typicalcase_change", args=[item.pk])
    # A second time the case is no longer offered: a clear message, no 500.
    response = client.post(url, {"case": case.pk})
    assert response.status_code == 400


# --- Consent ------------------------------------------------------------------------------------


def test_consent_is_asked_by_mail_and_given(case, staff, applicant, client, django_capture_on_commit_callbacks):
    item = typical_case_draft_from_case(case=case, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        typical_case_request_consent(item=item, by=staff)
    item.refresh_from_db()
    assert item.consent == TypicalCase.Consent.REQUESTED and item.consent_token
    link = reverse("knowledge:consent", args=[item.consent_token])
    message = next(m for m in mail.outbox if applicant.email in m.to)
    assert link in message.body
    with pytest.raises(ValidationError) as excinfo:
        item_publish(item=item, by=staff)
    assert "尚未答复" in str(excinfo.value)
    page = client.get(link).content.decode()
    assert item.title in page and NAME not in page
    response = client.post(link, {"answer": "agree"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.consent == TypicalCase.Consent.GIVEN
    assert item_publish(item=item, by=staff).status == S.PUBLISHED
    assert entries_for(item).filter(action_type="knowledge.case.consent_given").exists()


def test_a_refused_case_cannot_be_published(case, staff):
    item = typical_case_draft_from_case(case=case, by=staff)
    typical_case_request_consent(item=item, by=staff)
    typical_case_consent_answer(item=item, agree=False)
    item.refresh_from_db()
    assert item.consent == TypicalCase.Consent.REFUSED
    with pytest.raises(ValidationError) as excinfo:
        item_publish(item=item, by=staff)
    assert "不同意公开" in str(excinfo.value)
    with pytest.raises(ValidationError):
        typical_case_consent_answer(item=item, agree=True)  # answered once, for good
    with pytest.raises(ValidationError):
        typical_case_request_consent(item=item, by=staff)
    item.refresh_from_db()
    assert item.status == S.DRAFT


def test_a_wrong_consent_token_is_404(client):
    assert client.get(reverse("knowledge:consent", args=["not-a-token"])).status_code == 404


def test_a_region_written_without_its_suffix_is_found_in_the_address():
    regions = ["太原", "小店", "山西"]
    forms = name_forms("太原云锋数控机床有限公司", regions)
    assert {"云锋数控机床", "云锋"} <= forms
    assert "重型" not in name_forms("太原重型机械集团有限公司", regions)  # a word, not a name
    assert "Heavy" not in name_forms("Taiyuan Heavy Industry Co., Ltd.")
