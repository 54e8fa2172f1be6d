"""Applications received on paper or by e-mail, entered by the center or a workstation, and the
workstation's first check before it forwards one to the center."""

import pytest
from django.core.exceptions import ValidationError

from applications import services
from applications.choices import ApplicantCategory, Channel, EvidenceCategory, IdType
from applications.models import Applicant, Application, Invitation
from portal.access import Forbidden
from portal.audit import entries_for
from tests.applications.factories import upload
from tests.applications.workstations import *  # noqa: F403 (the workstation fixtures)
from tests.factories import ApplicantFactory, make_credit_code

pytestmark = pytest.mark.django_db
S = Application.Status

ANSWERS = {
    "applicant_category": ApplicantCategory.ENTERPRISE,
    "applicant_name": "太原纸质机械有限公司",
    "credit_code": make_credit_code(4242),
    "contact_name": "赵六",
    "contact_email": "zhao@paper.cn",
    "contact_phone": "13912345678",
    "contact_address": "山西省太原市小店区 1 号",
    "dispute_types": ["infringement"],
    "right_types": ["invention"],
    "countries": ["US"],
    "opponent_types": ["competitor", "npe"],
    "technical_fields": ["mechanical"],
    "request": "美国客户转来律师函，指控我司产品侵权。",
    "impact": "影响出口约 500 万元。",
    "level": "ordinary",
}


def enter(by, answers=None, applicant=None, **extra):
    return services.application_enter(
        by=by,
        answers=dict(answers or ANSWERS),
        applicant=applicant,
        paper_form=upload("申请书扫描件.pdf"),
        evidence=[(EvidenceCategory.STANDING, upload("营业执照.pdf"))],
        **extra,
    )


def test_center_staff_enter_a_paper_form_and_it_is_submitted_at_once(staff):
    application = enter(staff, channel=Channel.PAPER, invite_email="zhao@paper.cn", invite_name="赵六")
    assert application.status == S.SUBMITTED and application.number and application.review_due
    assert application.channel == Channel.PAPER and application.entered_by == staff
    assert application.versions.count() == 1
    categories = set(application.attachments.values_list("category", flat=True))
    assert categories == {EvidenceCategory.PAPER_FORM, EvidenceCategory.STANDING}
    applicant = Applicant.objects.get(credit_code=ANSWERS["credit_code"])
    assert application.applicant == applicant and applicant.service_point is None
    assert application.opponent_types == ["competitor", "npe"]
    actions = list(entries_for(application).values_list("action_type", "actor"))
    assert ("applications.application.entered", staff.pk) in actions
    assert ("applications.application.submitted", staff.pk) in actions
    assert Invitation.objects.get().application == application


def test_a_duplicate_credit_code_names_the_existing_applicant_and_stores_nothing(staff):
    existing = ApplicantFactory(name="已登记的机械公司", credit_code=ANSWERS["credit_code"])
    with pytest.raises(ValidationError) as caught:
        enter(staff)
    assert "已登记的机械公司" in caught.value.message_dict["credit_code"][0]
    assert Application.objects.count() == 0 and Applicant.objects.get() == existing


def test_a_duplicate_id_document_names_the_existing_person(staff):
    ApplicantFactory(
        name="张三",
        category=ApplicantCategory.INDIVIDUAL,
        credit_code=None,
        id_type=IdType.RESIDENT_ID,
        id_number="11010519491231002X",
    )
    answers = ANSWERS | {
        "applicant_category": ApplicantCategory.INDIVIDUAL,
        "applicant_name": "张三",
        "credit_code": "",
        "id_type": IdType.RESIDENT_ID,
        "id_number": "11010519491231002X",
    }
    with pytest.raises(ValidationError) as caught:
        enter(staff, answers)
    assert "张三" in caught.value.message_dict["id_number"][0]


def test_the_scanned_form_is_required(staff):
    with pytest.raises(ValidationError) as caught:
        services.application_enter(by=staff, answers=dict(ANSWERS), paper_form=None)
    assert "paper_form" in caught.value.message_dict


def test_an_incomplete_form_entered_by_the_center_is_refused_with_the_fields(staff):
    with pytest.raises(ValidationError) as caught:
        enter(staff, ANSWERS | {"impact": ""})
    assert "impact" in caught.value.message_dict
    assert Application.objects.count() == 0


def test_a_workstation_entry_stays_a_draft_until_its_first_check(city_user, city, staff):
    application = enter(city_user, channel=Channel.EMAIL)
    assert application.status == S.DRAFT and application.number is None
    assert application.service_point == city and application.applicant.service_point == city
    assert application.entered_by == city_user
    # The center does not decide on a draft; the workstation's check forwards it.
    with pytest.raises(Forbidden):
        services.application_submit(application=application, by=staff)
    checked = services.application_first_check(
        application=application, by=city_user, complete=True, standing_verified=True, note="材料齐全，执照已核对原件。"
    )
    assert checked.status == S.SUBMITTED and checked.number
    assert checked.first_checked_by == city_user and checked.first_checked_at
    assert checked.first_check_note == "材料齐全，执照已核对原件。"
    assert entries_for(checked).filter(action_type="applications.application.forwarded", actor=city_user).exists()
    accepted = services.application_accept(application=checked, by=staff)
    assert accepted.status == S.ACCEPTED


def test_a_failed_first_check_keeps_the_note_and_the_draft(city_user):
    application = enter(city_user)
    with pytest.raises(ValidationError) as caught:
        services.application_first_check(application=application, by=city_user, complete=False, standing_verified=True)
    assert "note" in caught.value.message_dict
    kept = services.application_first_check(
        application=application, by=city_user, complete=True, standing_verified=False, note="执照复印件不清晰"
    )
    kept.refresh_from_db()
    assert kept.status == S.DRAFT and kept.first_check_note == "执照复印件不清晰"
    assert entries_for(kept).filter(action_type="applications.application.first_check_failed").exists()


def test_the_invited_applicant_cannot_skip_the_workstations_check(city_user, applicant):
    application = enter(city_user)
    from applications.models import ApplicantAccount

    ApplicantAccount.objects.filter(user=applicant).update(applicant=application.applicant)
    applicant.refresh_from_db()
    with pytest.raises(Forbidden):
        services.application_submit(application=application, by=applicant)


def test_another_workstation_cannot_check_or_enter_for_it(city_user, other_city_user):
    application = enter(city_user)
    with pytest.raises(Forbidden):
        services.application_first_check(
            application=application, by=other_city_user, complete=True, standing_verified=True
        )
    with pytest.raises(Forbidden):
        enter(other_city_user, applicant=application.applicant)


def test_center_staff_do_not_first_check(staff, city_user):
    application = enter(city_user)
    with pytest.raises(Forbidden):
        services.application_first_check(application=application, by=staff, complete=True, standing_verified=True)


def test_a_workstation_enters_for_a_natural_person(city_user):
    answers = ANSWERS | {
        "applicant_category": ApplicantCategory.INDIVIDUAL,
        "applicant_name": "李四",
        "credit_code": "",
        "id_type": IdType.RESIDENT_ID,
        "id_number": "11010519491231002X",
    }
    application = enter(city_user, answers)
    assert application.applicant.is_person and application.applicant.credit_code is None
    assert application.id_number == "11010519491231002X"


def test_start_for_without_a_requester_takes_the_contact_from_the_answers(staff, city):
    applicant = ApplicantFactory(service_point=city)
    application = services.application_start_for(
        applicant=applicant,
        by=staff,
        answers={"contact_name": "钱七", "contact_email": "qian@x.cn"},
        channel=Channel.CONSULTATION,
    )
    assert application.created_by == staff and application.entered_by == staff
    assert application.contact_name == "钱七" and application.service_point == city
    assert application.channel == Channel.CONSULTATION


def test_a_workstation_is_not_told_the_name_of_an_applicant_outside_its_scope(city_user, other_city):
    ApplicantFactory(name="大同的机械公司", credit_code=ANSWERS["credit_code"], service_point=other_city)
    with pytest.raises(ValidationError) as caught:
        enter(city_user)
    message = caught.value.message_dict["credit_code"][0]
    assert "大同的机械公司" not in message and "请联系指导中心" in message


def test_a_workstation_starts_drafts_only_for_applicants_it_may_see(city_user, city, other_city):
    theirs = ApplicantFactory(service_point=other_city)
    with pytest.raises(Forbidden):
        services.application_start_for(applicant=theirs, by=city_user, answers={}, service_point=city)
    mine = ApplicantFactory(service_point=city)
    draft = services.application_start_for(applicant=mine, by=city_user, answers={}, channel=Channel.CONSULTATION)
    assert draft.service_point == city and draft.entered_by == city_user


def test_center_staff_enter_a_natural_persons_paper_form_and_it_is_submitted(staff):
    answers = ANSWERS | {
        "applicant_category": ApplicantCategory.INDIVIDUAL,
        "applicant_name": "王五",
        "credit_code": "",
        "id_type": IdType.PASSPORT,
        "id_number": "E12345678",
    }
    application = enter(staff, answers, channel=Channel.EMAIL)
    assert application.status == S.SUBMITTED and application.number
    assert application.applicant.is_person and application.applicant.id_number == "E12345678"
    assert application.channel == Channel.EMAIL
