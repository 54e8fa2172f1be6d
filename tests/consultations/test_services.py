"""Logging, changing, following up, closing, reopening and converting consultations."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications.choices import ApplicantCategory, Channel
from applications.models import Applicant, Application, Invitation
from consultations import services
from consultations.models import Consultation
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import EmailDelivery
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from tests.consultations.conftest import data
from tests.factories import ApplicantFactory, make_credit_code

pytestmark = pytest.mark.django_db

S = Consultation.Status


def test_staff_log_a_consultation_numbered_by_year_with_one_audit_entry(staff, log):
    first = log(staff)
    second = log(staff, channel="wechat")
    year = timezone.localdate().year
    assert first.number == f"ZX-{year}-000001" and second.number == f"ZX-{year}-000002"
    assert first.status == S.OPEN and first.handled_by == staff and first.service_point is None
    (entry,) = entries_for(first)
    assert entry.action_type == "consultations.consultation.logged" and entry.actor == staff


def test_a_consultation_received_last_year_takes_that_years_number(staff, log):
    last_year = timezone.now() - datetime.timedelta(days=400)
    consultation = log(staff, received_at=last_year)
    assert consultation.number == f"ZX-{timezone.localtime(last_year).year}-000001"


def test_a_workstation_logs_on_its_own_workstation(park_user, park_point, log):
    assert log(park_user).service_point == park_point


def test_an_applicant_or_an_agency_user_cannot_log(applicant, agency_user, log):
    for user in (applicant, agency_user):
        with pytest.raises(Forbidden):
            log(user)
    assert Consultation.objects.count() == 0


def test_bad_input_is_named_at_its_field_and_nothing_is_saved(staff, log):
    with pytest.raises(ValidationError) as caught:
        log(staff, question="", credit_code="91140100MA0K8T2Q3A")
    assert {"question", "credit_code"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        log(staff, channel="telegram")
    assert "channel" in caught.value.message_dict
    assert Consultation.objects.count() == 0


def test_linking_a_registered_applicant_keeps_its_name_and_code_for_the_search(staff, log):
    organisation = ApplicantFactory(name="山西华晋精密铸造有限公司")
    consultation = log(staff, organisation_name="", applicant=organisation)
    assert consultation.organisation_name == organisation.name
    assert consultation.credit_code == organisation.credit_code


def test_update_records_the_fields_changed(staff, log):
    consultation = log(staff, follow_up_on=timezone.localdate())
    consultation.follow_up_reminded_on = timezone.localdate()
    consultation.save(update_fields=["follow_up_reminded_on"])
    later = timezone.localdate() + datetime.timedelta(days=3)
    services.consultation_update(
        consultation=consultation, data={"answer": "补充答复", "follow_up_on": later}, by=staff
    )
    consultation.refresh_from_db()
    assert consultation.answer == "补充答复" and consultation.follow_up_on == later
    assert consultation.follow_up_reminded_on is None
    entry = entries_for(consultation).get(action_type="consultations.consultation.updated")
    assert set(entry.data["fields"]) == {"answer", "follow_up_on", "follow_up_reminded_on"}
    # Nothing changed: no entry.
    services.consultation_update(consultation=consultation, data={"answer": "补充答复"}, by=staff)
    assert entries_for(consultation).filter(action_type="consultations.consultation.updated").count() == 1


def test_a_follow_up_is_appended_and_sets_the_next_date_or_none(staff, log):
    consultation = log(staff, follow_up_on=timezone.localdate())
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    services.consultation_follow_up(
        consultation=consultation, note="已回电，企业在准备材料", next_on=next_week, by=staff
    )
    services.consultation_follow_up(consultation=consultation, note="材料已收到", next_on=None, by=staff)
    consultation.refresh_from_db()
    lines = consultation.follow_up_note.splitlines()
    assert len(lines) == 2 and lines[0].endswith("李明：已回电，企业在准备材料") and lines[1].endswith("材料已收到")
    assert consultation.follow_up_on is None
    assert entries_for(consultation).filter(action_type="consultations.consultation.followed_up").count() == 2


def test_a_follow_up_needs_a_note_a_date_not_past_and_an_open_consultation(staff, log):
    consultation = log(staff)
    with pytest.raises(ValidationError) as caught:
        services.consultation_follow_up(consultation=consultation, note=" ", by=staff)
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.consultation_follow_up(
            consultation=consultation, note="x", next_on=timezone.localdate() - datetime.timedelta(days=1), by=staff
        )
    assert "next_on" in caught.value.message_dict
    services.consultation_close(consultation=consultation, by=staff)
    with pytest.raises(TransitionNotAllowed):
        services.consultation_follow_up(consultation=consultation, note="x", by=staff)


def test_close_and_reopen_go_through_the_declared_transitions(staff, log):
    consultation = log(staff)
    with pytest.raises(DirectStatusWrite):
        consultation.status = S.CLOSED
    services.consultation_close(consultation=consultation, note="已解答", by=staff)
    consultation.refresh_from_db()
    assert consultation.status == S.CLOSED
    with pytest.raises(TransitionNotAllowed):
        services.consultation_close(consultation=consultation, by=staff)
    monday = timezone.localdate() + datetime.timedelta(days=2)
    services.consultation_reopen(consultation=consultation, note="企业再次来电", follow_up_on=monday, by=staff)
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN and consultation.follow_up_on == monday
    actions = list(entries_for(consultation).values_list("action_type", flat=True))
    assert actions == [
        "consultations.consultation.logged",
        "consultations.consultation.closed",
        "consultations.consultation.reopened",
    ]


def test_a_workstation_cannot_change_another_workstations_consultation(park_user, other_point_user, city_user, log):
    consultation = log(park_user)
    with pytest.raises(Forbidden):
        services.consultation_update(consultation=consultation, data={"answer": "x"}, by=other_point_user)
    with pytest.raises(Forbidden):
        services.consultation_close(consultation=consultation, by=other_point_user)
    with pytest.raises(Forbidden):
        services.consultation_convert(consultation=consultation, by=other_point_user, full_name="x", email="x@x.cn")
    # The city workstation above it may.
    services.consultation_close(consultation=consultation, by=city_user)


# --- Converting -------------------------------------------------------------------------------


def convert(consultation, by, **kwargs):
    values = {"full_name": "赵丽", "email": "zhaoli@huajin.example.cn", "phone": "13603512345", **kwargs}
    return services.consultation_convert(consultation=consultation, by=by, **values)


def test_convert_registers_the_organisation_starts_a_prefilled_draft_and_invites_the_person(staff, log):
    code = make_credit_code(4242)
    consultation = log(staff, credit_code=code, fair_name="")
    application = convert(consultation, staff, address="太原市晋源区 8 号")
    consultation.refresh_from_db()
    assert consultation.status == S.CONVERTED and consultation.application == application
    applicant = Applicant.objects.get(credit_code=code)
    assert applicant.name == "山西华晋精密铸造有限公司" and applicant.category == ApplicantCategory.ENTERPRISE
    assert consultation.applicant == applicant
    assert application.status == Application.Status.DRAFT and application.applicant == applicant
    assert application.channel == Channel.CONSULTATION and application.entered_by == staff
    assert application.countries == ["US"] and application.right_types == ["invention"]
    assert application.dispute_types == ["trade_investigation"]
    assert consultation.number in application.request and "337 调查" in application.request
    assert application.contact_name == "赵丽" and application.contact_email == "zhaoli@huajin.example.cn"
    invitation = Invitation.objects.get()
    assert invitation.applicant == applicant and invitation.application == application
    assert invitation.email == "zhaoli@huajin.example.cn" and invitation.sent_by == staff
    assert EmailDelivery.objects.filter(to="zhaoli@huajin.example.cn").exists()
    entry = entries_for(consultation).get(action_type="consultations.consultation.converted")
    assert entry.data["application"] == application.pk and entry.data["applicant_created"] is True


def test_converting_twice_gives_one_application_and_one_invitation(staff, log):
    consultation = log(staff, credit_code=make_credit_code(4243))
    first = convert(consultation, staff)
    second = convert(consultation, staff)
    assert first.pk == second.pk
    assert Application.objects.count() == 1 and Invitation.objects.count() == 1 and Applicant.objects.count() == 1
    assert entries_for(consultation).filter(action_type="consultations.consultation.converted").count() == 1


def test_a_registered_credit_code_links_the_existing_applicant_never_a_second(staff, log):
    existing = ApplicantFactory(name="山西华晋精密铸造有限公司（已登记）")
    consultation = log(staff, credit_code="")
    application = convert(consultation, staff, credit_code=existing.credit_code.lower())
    assert application.applicant == existing and Applicant.objects.count() == 1


def test_a_natural_person_is_registered_by_a_checked_resident_id(staff, log):
    consultation = log(staff, organisation_name="", person_name="何静")
    with pytest.raises(ValidationError) as caught:
        convert(consultation, staff, category="individual", organisation_name="何静", id_number="110101199003070019")
    assert "id_number" in caught.value.message_dict
    assert Applicant.objects.count() == 0 and Application.objects.count() == 0
    application = convert(
        consultation,
        staff,
        category="individual",
        organisation_name="何静",
        id_type="resident_id",
        id_number="11010119900307002x",
    )
    person = application.applicant
    assert person.category == ApplicantCategory.INDIVIDUAL and person.credit_code is None
    assert person.id_number == "11010119900307002X"


def test_convert_needs_who_to_invite_and_a_code_for_an_unregistered_organisation(staff, log):
    consultation = log(staff, credit_code="")
    with pytest.raises(ValidationError) as caught:
        convert(consultation, staff, email="")
    assert "email" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        convert(consultation, staff)
    assert "credit_code" in caught.value.message_dict
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN and Application.objects.count() == 0


def test_a_workstation_converts_for_its_workstation(park_user, park_point, log):
    consultation = log(park_user, credit_code=make_credit_code(4244))
    application = convert(consultation, park_user)
    assert application.service_point == park_point and application.entered_by == park_user
    assert application.applicant.service_point == park_point


def test_data_has_only_known_fields(staff):
    with pytest.raises(ValueError):
        services.consultation_log(data=data(status="closed"), by=staff)


def test_a_workstation_finding_an_applicant_outside_its_scope_is_told_at_the_field(park_user, log):
    registered = ApplicantFactory(name="中心登记的单位")
    consultation = log(park_user, credit_code=registered.credit_code)
    with pytest.raises(ValidationError) as caught:
        convert(consultation, park_user)
    assert "credit_code" in caught.value.message_dict
    assert Application.objects.count() == 0 and Invitation.objects.count() == 0


def test_a_workstation_links_only_applicants_it_may_see(park_user, park_point, log):
    ours = ApplicantFactory(service_point=park_point)
    assert log(park_user, applicant=ours).applicant == ours
    with pytest.raises(ValidationError) as caught:
        log(park_user, applicant=ApplicantFactory())
    assert "applicant" in caught.value.message_dict
