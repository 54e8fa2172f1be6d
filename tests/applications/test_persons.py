"""Natural persons (个人) and sole traders (个体工商户) as applicants: registration by category, the
form's identity rules, what submission asks for by category, and what the applicant's pages and its
receipt show (the workstation that helps it, its deadline abroad, the multiple choices)."""

import datetime
import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.choices import ApplicantCategory, Channel, EvidenceCategory, IdType
from applications.forms import ApplicationForm
from applications.models import Applicant, Application, MembershipRequest
from applications.selectors import applicant_of
from applications.services.submission import receipt_context
from portal.models import ServicePoint, SiteConfiguration, User
from portal.roles import Role
from tests.applications.factories import AttachmentFactory
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db

RESIDENT_ID = "140105198503120026"
OTHER_RESIDENT_ID = "11010519491231002X"
PASSWORD = "Xiaoming-2026-secure"

PERSON = {
    "category": "individual",
    "id_type": "resident_id",
    "id_number": RESIDENT_ID,
    "full_name": "张晓明",
    "email": "zhangxiaoming@example.cn",
    "phone": "13903510088",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def register(client, capture, data):
    with capture(execute=True):
        return client.post(reverse("applications:register"), data)


# --- registration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "name"),
    [
        ("enterprise", "太原晋成精密机械有限公司"),
        ("sole_trader", "太原市小店区李记醋坊"),
        ("association", "山西省机械工业协会"),
        ("research", "山西省材料研究所"),
    ],
)
def test_an_organisation_or_sole_trader_registers_with_its_name_and_credit_code(
    client, django_capture_on_commit_callbacks, category, name
):
    code = make_credit_code(4242)
    data = {**PERSON, "category": category, "organisation_name": name, "credit_code": code}
    data.update(id_type="passport", id_number="E1234567#")  # left in hidden fields: not used
    response = register(client, django_capture_on_commit_callbacks, data)
    assert response.status_code == 200 and "请确认邮箱" in response.content.decode()
    organisation = applicant_of(User.objects.get(email=PERSON["email"]))
    assert (organisation.name, organisation.category, organisation.credit_code) == (name, category, code)
    assert organisation.id_type == "" and organisation.id_number == ""


def test_a_person_registers_with_a_resident_id_and_is_the_applicant(client, django_capture_on_commit_callbacks):
    # What an earlier choice of "企业" left in the hidden organisation fields is not used.
    data = {
        **PERSON,
        "organisation_name": "某公司",
        "credit_code": "91350100M000100Y44",
        "id_number": "14010519850312002 6",
    }
    response = register(client, django_capture_on_commit_callbacks, data)
    assert response.status_code == 200 and "请确认邮箱" in response.content.decode()
    user = User.objects.get(email=PERSON["email"])
    person = applicant_of(user)
    assert person.category == ApplicantCategory.INDIVIDUAL and person.is_person
    assert person.name == "张晓明"  # the person's own name
    assert person.credit_code is None
    assert (person.id_type, person.id_number) == (IdType.RESIDENT_ID, RESIDENT_ID)
    assert not user.is_active
    assert [message.to for message in mail.outbox] == [[PERSON["email"]]]
    assert re.search(r"/accounts/activate/\S+", mail.outbox[0].body)


def test_a_person_registers_with_a_passport(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks, {**PERSON, "id_type": "passport", "id_number": "e12345678"})
    person = applicant_of(User.objects.get(email=PERSON["email"]))
    assert (person.id_type, person.id_number) == (IdType.PASSPORT, "E12345678")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "140105198503120027"}, "id_number", "居民身份证号码校验位不正确"),
        ({"id_number": "140105199902300015"}, "id_number", "出生日期 19990230 不存在"),
        ({"id_number": "140105203001010012"}, "id_number", "出生日期 20300101 不存在"),
        ({"id_number": "14010519850312002"}, "id_number", "应为 18 位，当前为 17 位"),
        ({"id_type": "passport", "id_number": "E1234567#"}, "id_number", "护照号码只能包含英文字母和数字，不能包含：#"),
        ({"id_type": "passport", "id_number": "护照E1234567"}, "id_number", "不能包含：护 照"),
        ({"id_type": "", "id_number": RESIDENT_ID}, "id_type", "个人申请请选择证件类型"),
        ({"id_number": ""}, "id_number", "个人申请请填写证件号码"),
    ],
)
def test_a_bad_id_document_is_refused_at_its_field_and_nothing_typed_is_lost(
    client, django_capture_on_commit_callbacks, changes, field, message
):
    data = {**PERSON, **changes}
    response = register(client, django_capture_on_commit_callbacks, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not User.objects.exists() and not Applicant.objects.exists()
    # The message is in the field's own block, next to it.
    block = page.split(f'id="div_id_{field}"', 1)[1].split('id="div_id_', 1)[0]
    assert message in block
    for name in ("full_name", "email", "phone"):
        assert f'value="{data[name]}"' in page
    if data["id_number"]:
        assert f'value="{data["id_number"]}"' in page
    assert PASSWORD not in page  # passwords are typed again, as Django does
    assert "checked" in re.search(r'<input[^>]*value="individual"[^>]*>', page).group(0)


def test_an_organisation_must_give_its_name_and_credit_code(client, django_capture_on_commit_callbacks):
    data = {**PERSON, "category": "enterprise", "organisation_name": "", "credit_code": ""}
    page = register(client, django_capture_on_commit_callbacks, data).content.decode()
    assert "请填写单位名称。" in page.split('id="div_id_organisation_name"', 1)[1].split('id="div_id_', 1)[0]
    assert "请填写 18 位统一社会信用代码。" in page.split('id="div_id_credit_code"', 1)[1].split('id="div_id_', 1)[0]
    assert not User.objects.exists()


def test_the_registration_page_puts_the_category_first_and_marks_the_blocks_for_the_script(client):
    page = client.get(reverse("applications:register")).content.decode()
    assert page.index('name="category"') < page.index('name="organisation_name"') < page.index('name="full_name"')
    for label in ["企业", "个体工商户", "个人", "社会团体", "科研院所", "其他"]:
        assert f"{label}\n" in page or f"{label}<" in page or f"{label} " in page
    assert 'id="identity-person"' in page and 'data-category-show="individual"' in page
    assert 'id="identity-organisation"' in page and 'data-category-hide="individual"' in page
    assert "js/applicant-category.js" in page
    # Without the script every block shows: nothing is hidden by the server.
    for block in ("identity-person", "identity-organisation"):
        assert "hidden" not in re.search(rf'<div[^>]*id="{block}"[^>]*>', page).group(0)
    assert "居民身份证" in page and "护照" in page


def test_a_second_registration_with_a_registered_id_asks_to_join_and_reveals_no_name(
    client, django_capture_on_commit_callbacks
):
    person = ApplicantFactory(
        category=ApplicantCategory.INDIVIDUAL,
        name="张晓明",
        credit_code=None,
        id_type=IdType.RESIDENT_ID,
        id_number=RESIDENT_ID,
    )
    holder = UserFactory(full_name="张晓明", email="holder@example.cn", applicant=person, roles=[Role.APPLICANT])
    data = {**PERSON, "full_name": "冒名者", "email": "newcomer@example.cn"}
    response = register(client, django_capture_on_commit_callbacks, data)
    page = response.content.decode()
    assert "该证件号码已在本平台登记" in page
    assert "张晓明" not in page  # the name registered with the number is never shown
    newcomer = User.objects.get(email="newcomer@example.cn")
    assert applicant_of(newcomer) is None
    request = MembershipRequest.objects.get(user=newcomer)
    assert request.applicant == person and request.status == MembershipRequest.Status.PENDING
    assert Applicant.objects.filter(id_number=RESIDENT_ID).count() == 1
    told = [message for message in mail.outbox if holder.email in message.to]
    assert told and "相同的证件号码" in told[0].body


# --- the form's identity rules ------------------------------------------------------------------


@pytest.fixture
def person():
    return ApplicantFactory(
        category=ApplicantCategory.INDIVIDUAL,
        name="张晓明",
        credit_code=None,
        id_type=IdType.RESIDENT_ID,
        id_number=RESIDENT_ID,
    )


@pytest.fixture
def person_user(person):
    return UserFactory(full_name="张晓明", applicant=person, roles=[Role.APPLICANT])


def person_data(**overrides):
    data = {
        "applicant_category": "individual",
        "applicant_name": "张晓明",
        "contact_name": "张晓明",
        "contact_email": "zhangxiaoming@example.cn",
        "contact_phone": "13903510088",
        "contact_address": "山西省太原市迎泽区迎泽大街 1 号",
        "dispute_types": ["infringement"],
        "right_types": ["design"],
        "countries": ["US"],
        "opponent_types": ["competitor", "other"],
        "opponent_type_other": "电商平台",
        "technical_fields": ["mechanical", "other"],
        "technical_field_other": "手工艺品",
        "request": "我的外观设计在美国电商平台被投诉下架，请求指导。",
        "impact": "店铺月销售额约 5 万元。",
        "level": "ordinary",
        "revision": "0",
    }
    data.update(overrides)
    return data


def test_a_person_s_form_is_locked_to_the_registered_id_and_has_no_credit_code(person):
    f = ApplicationForm(
        person_data(id_type="passport", id_number="E12345678", credit_code="91350100M000100Y43"),
        complete=True,
        organisation=person,
    )
    assert f.is_valid(), f.errors
    assert "credit_code" not in f.fields
    assert f.fields["id_type"].disabled and f.fields["id_number"].disabled
    assert (f.cleaned_data["id_type"], f.cleaned_data["id_number"]) == (IdType.RESIDENT_ID, RESIDENT_ID)
    assert [value for value, _label in f.fields["applicant_category"].choices] == ["individual"]
    assert f.cleaned_data["opponent_types"] == ["competitor", "other"]


def test_a_person_s_form_needs_the_text_of_its_other_boxes(person):
    f = ApplicationForm(person_data(opponent_type_other=""), complete=True, organisation=person)
    assert not f.is_valid()
    assert f.errors["opponent_type_other"] == ["选择了“其他”，请在这里说明。"]


def test_an_organisation_s_form_offers_no_person_and_no_id_fields(applicant_org):
    f = ApplicationForm(person_data(credit_code=applicant_org.credit_code), complete=True, organisation=applicant_org)
    assert not f.is_valid()
    assert "applicant_category" in f.errors  # 个人 is not one of its choices
    assert "id_type" not in f.fields and "id_number" not in f.fields
    f = ApplicationForm(person_data(applicant_category="sole_trader"), complete=True, organisation=applicant_org)
    assert f.is_valid(), f.errors
    assert f.cleaned_data["credit_code"] == applicant_org.credit_code


def test_without_an_account_the_category_decides_what_identifies_the_applicant():
    f = ApplicationForm(person_data(id_type="resident_id", id_number="140105199902300015"), complete=True)
    assert not f.is_valid()
    assert "19990230" in f.errors["id_number"][0]
    f = ApplicationForm(
        person_data(credit_code="91350100M000100Y43", id_type="resident_id", id_number=RESIDENT_ID), complete=True
    )
    assert f.errors["credit_code"] == ["以个人名义申请时不填统一社会信用代码，请填写证件类型和号码。"]


def test_a_person_starts_a_draft_and_sees_its_id_locked_on_the_form(client, person_user):
    client.force_login(person_user)
    response = client.post(reverse("applications:new"))
    page = client.get(response.url).content.decode()
    assert "统一社会信用代码" not in page.split('id="section-applicant"', 1)[1].split("</fieldset>", 1)[0]
    id_input = re.search(r'<input[^>]*name="id_number"[^>]*>', page).group(0)
    assert f'value="{RESIDENT_ID}"' in id_input and "disabled" in id_input
    # Saving the draft stores the registered document, whatever is posted.
    application = Application.objects.get()
    client.post(
        reverse("applications:edit", args=[application.pk]),
        person_data(revision=application.revision, id_number=OTHER_RESIDENT_ID, next="stay"),
    )
    application.refresh_from_db()
    assert (application.applicant_category, application.id_type, application.id_number) == (
        "individual",
        IdType.RESIDENT_ID,
        RESIDENT_ID,
    )
    assert application.opponent_types == ["competitor", "other"] and application.credit_code == ""


# --- submission by category ---------------------------------------------------------------------


def person_application(person, user, **fields):
    identity = {
        "applicant_category": ApplicantCategory.INDIVIDUAL,
        "applicant_name": person.name,
        "credit_code": "",
        "id_type": person.id_type,
        "id_number": person.id_number,
    }
    return ApplicationFactory(applicant=person, created_by=user, **(identity | fields))


def test_a_person_proves_standing_with_an_id_card(person, person_user):
    application = person_application(person, person_user)
    problems = services.submission_problems(application)
    assert "身份证" in problems["attachments"] and "营业执照" not in problems["attachments"]
    AttachmentFactory(application=application, category=EvidenceCategory.STANDING, uploaded_by=person_user)
    assert services.submission_problems(application) == {}


def test_a_person_s_application_must_carry_the_registered_id(person, person_user):
    application = person_application(person, person_user, id_number=OTHER_RESIDENT_ID)
    AttachmentFactory(application=application, uploaded_by=person_user)
    assert services.submission_problems(application) == {"id_number": "证件须与账号登记的证件一致。"}
    application.id_number = ""
    assert "id_number" in services.submission_problems(application)


@pytest.mark.parametrize(
    ("category", "hint"),
    [("sole_trader", "个体工商户营业执照"), ("enterprise", "营业执照或登记证书"), ("research", "营业执照或登记证书")],
)
def test_an_organisation_or_sole_trader_proves_standing_with_its_licence(category, hint):
    organisation = ApplicantFactory(category=category)
    application = ApplicationFactory(applicant=organisation, applicant_category=category)
    problems = services.submission_problems(application)
    assert hint in problems["attachments"] and "身份证" not in problems["attachments"]
    application.applicant_category = "individual"
    assert "applicant_category" in services.submission_problems(application)


def test_a_form_received_on_paper_needs_its_signed_scan(applicant_org):
    application = ApplicationFactory(applicant=applicant_org, channel=Channel.PAPER)
    AttachmentFactory(application=application, category=EvidenceCategory.STANDING)
    assert services.submission_problems(application) == {"attachments": "请上传申请人签字（盖章）的纸质申请书扫描件。"}
    AttachmentFactory(application=application, category=EvidenceCategory.PAPER_FORM)
    assert services.submission_problems(application) == {}
    online = ApplicationFactory(applicant=applicant_org)
    AttachmentFactory(application=online, category=EvidenceCategory.STANDING)
    assert services.submission_problems(online) == {}  # online, submitting is the signature


def test_the_person_s_receipt_shows_the_id_type_a_masked_number_and_the_lists(person, person_user):
    application = person_application(
        person,
        person_user,
        opponent_types=["competitor", "other"],
        opponent_type_other="电商平台",
        technical_fields=["mechanical", "other"],
        technical_field_other="手工艺品",
        foreign_deadline=datetime.date(2027, 1, 15),
        foreign_deadline_what="平台申诉",
        foreign_deadline_where="亚马逊美国站",
        urgent=True,
    )
    AttachmentFactory(application=application, uploaded_by=person_user)
    application = services.application_submit(application=application, by=person_user)
    context = receipt_context(application)
    assert context["id_type"] == "居民身份证" and context["id_number"] == "140***********0026"
    assert context["opponent_types"] == ["竞争对手", "其他（电商平台）"]
    assert context["technical_fields"] == ["机械", "其他（手工艺品）"]
    html = render_to_string("pdf/receipt.html", {"center": SiteConfiguration.get(), "seal": "", **context})
    assert "140***********0026" in html and RESIDENT_ID not in html
    assert "居民身份证" in html and "统一社会信用代码" not in html
    assert "竞争对手、其他（电商平台）" in html and "机械、其他（手工艺品）" in html
    assert "2027年1月15日，平台申诉（亚马逊美国站），紧急" in html
    assert "你于" in html and "你单位" not in html


def test_an_organisation_s_receipt_keeps_its_credit_code(applicant, applicant_org):
    application = ApplicationFactory(applicant=applicant_org, created_by=applicant)
    AttachmentFactory(application=application, uploaded_by=applicant)
    application = services.application_submit(application=application, by=applicant)
    html = render_to_string(
        "pdf/receipt.html", {"center": SiteConfiguration.get(), "seal": "", **receipt_context(application)}
    )
    assert applicant_org.credit_code in html and "你单位" in html and "证件号码" not in html


# --- the applicant's pages ------------------------------------------------------------------------


def test_mine_shows_the_workstation_that_helps_the_applicant_and_its_hotline(client, person, person_user):
    point = ServicePoint.objects.create(
        name="许昌经开区工作站",
        level="park",
        region="许昌经济技术开发区",
        address="许昌市魏文路 1 号",
        hotline="0374-1234567",
    )
    client.force_login(person_user)
    page = client.get(reverse("applications:mine")).content.decode()
    box = page.split('data-testid="service-point"', 1)[1].split("</div></div>", 1)[0]
    assert SiteConfiguration.get().hotline in box and "许昌经开区工作站" not in box
    person.service_point = point
    person.save()
    page = client.get(reverse("applications:mine")).content.decode()
    box = page.split('data-testid="service-point"', 1)[1].split("</div></div>", 1)[0]
    assert "许昌经开区工作站" in box and "0374-1234567" in box and "许昌市魏文路 1 号" in box
    identity = page.split('data-testid="applicant-identity"', 1)[1].split("</p>", 1)[0]
    assert "居民身份证 140***********0026" in identity and RESIDENT_ID not in page


def test_mine_shows_each_open_application_s_deadline_abroad(client, applicant):
    today = timezone.localdate()
    ApplicationFactory(
        applicant=applicant_of(applicant),
        foreign_deadline=today + datetime.timedelta(days=3),
        foreign_deadline_what="337 调查答辩",
        urgent=True,
    )
    ApplicationFactory(applicant=applicant_of(applicant), request="没有境外期限")
    client.force_login(applicant)
    page = client.get(reverse("applications:mine")).content.decode()
    cells = re.findall(r'data-testid="foreign-deadline-cell">(.*?)</td>', page, re.S)
    with_deadline = next(cell for cell in cells if "337" in cell)
    assert (today + datetime.timedelta(days=3)).isoformat() in with_deadline
    assert "还剩" in with_deadline and "text-bg-danger" in with_deadline and "紧急" in with_deadline
    assert any(cell.strip() == "—" for cell in cells)


def test_review_and_detail_show_the_check_boxes_and_the_deadline_abroad(client, person, person_user, staff):
    application = person_application(
        person,
        person_user,
        opponent_types=["competitor", "npe"],
        technical_fields=["communications", "optoelectronics"],
        foreign_deadline=datetime.date(2027, 1, 15),
        foreign_deadline_what="商标异议",
        foreign_deadline_where="欧盟知识产权局",
    )
    AttachmentFactory(application=application, uploaded_by=person_user)
    client.force_login(person_user)
    review = client.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert "竞争对手、非专利实施实体（NPE）" in review and "通信、光电" in review
    assert "2027-01-15" in review and "商标异议" in review and "欧盟知识产权局" in review
    assert RESIDENT_ID in review  # the person's own page shows its number
    assert 'id="answer-credit_code"' not in review  # nothing of an organisation's identity
    services.application_submit(application=application, by=person_user)
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="foreign-deadline"' in detail and RESIDENT_ID in detail
    client.force_login(staff)
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert RESIDENT_ID not in detail and "140***********0026" in detail
    # The workstation that took the application is named, with its telephone.
    application.service_point = ServicePoint.objects.create(
        name="魏都区工作站",
        level="district",
        region="魏都区",
        address="许昌市魏都区文峰路 89 号",
        hotline="0374-2331256",
    )
    application.save(update_fields=["service_point"])
    client.force_login(person_user)
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    box = detail.split('data-testid="service-point"', 1)[1].split("</div>", 1)[0]
    assert "魏都区工作站" in box and "0374-2331256" in box


def test_the_evidence_page_asks_a_person_for_its_id_card(client, person, person_user):
    application = person_application(person, person_user)
    client.force_login(person_user)
    page = client.get(reverse("applications:evidence", args=[application.pk])).content.decode()
    hint = page.split('data-testid="standing-hint"', 1)[1].split("</span>", 1)[0]
    assert "居民身份证" in hint


def test_a_correction_s_changes_show_the_check_boxes_and_the_deadline_as_read(client, person, person_user, staff):
    application = person_application(person, person_user, opponent_types=["competitor"])
    AttachmentFactory(application=application, uploaded_by=person_user)
    application = services.application_submit(application=application, by=person_user)
    assert application.versions.get().data["foreign_deadline"] is None
    services.application_return(application=application, by=staff, reason="请补充平台投诉通知和申诉期限")
    services.application_save_draft(
        application=application,
        data={
            "opponent_types": ["competitor", "npe"],
            "foreign_deadline": datetime.date(2027, 1, 15),
            "urgent": True,
        },
        by=person_user,
    )
    client.force_login(person_user)
    page = client.get(reverse("applications:review", args=[application.pk])).content.decode()
    changes = page.split('data-testid="changes"', 1)[1].split("</section>", 1)[0]
    assert "<ins>竞争对手、非专利实施实体（NPE）</ins>" in changes and "<del>竞争对手</del>" in changes
    assert "<ins>2027-01-15</ins>" in changes
    assert "<del>否</del>" in changes and "<ins>是</ins>" in changes and "True" not in changes
    application = services.application_submit(application=application, by=person_user)
    assert application.versions.order_by("number").last().data["foreign_deadline"] == "2027-01-15"
