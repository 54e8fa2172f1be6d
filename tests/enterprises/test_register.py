"""Keeping the register: registering, the link to the applicant, duplicates, liaison officers; who sees what."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from enterprises import services
from enterprises.models import KeyEnterprise, LiaisonOfficer
from enterprises.permissions import can_manage_enterprises, can_view_enterprise, visible_enterprises
from portal.access import Forbidden
from portal.audit import LogEntry
from tests.enterprises.conftest import KeyEnterpriseFactory, OfficerFactory
from tests.factories import ApplicantFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db


def new_enterprise(**fields):
    values = {
        "name": "许昌恒达电力设备有限公司",
        "credit_code": make_credit_code(700001),
        "industries": ["electrical"],
        "markets": ["SA", "EG"],
        "listed_on": datetime.date(2026, 5, 1),
    }
    values.update(fields)
    return KeyEnterprise(**values)


def test_registering_links_the_applicant_with_the_same_credit_code_and_is_recorded(staff):
    applicant = ApplicantFactory(name="许昌恒达电力设备有限公司", credit_code=make_credit_code(700001))
    enterprise = services.key_enterprise_register(
        enterprise=new_enterprise(credit_code=" " + make_credit_code(700001).lower() + " "), by=staff
    )
    enterprise.refresh_from_db()
    assert enterprise.credit_code == make_credit_code(700001)
    assert enterprise.applicant == applicant
    assert enterprise.created_by == staff
    entry = LogEntry.objects.get(action_type="enterprises.enterprise.registered")
    assert (entry.object_id, entry.actor) == (enterprise.pk, staff)


def test_without_an_applicant_of_that_code_it_stays_unlinked_until_one_is_found_on_a_later_change(staff):
    enterprise = services.key_enterprise_register(enterprise=new_enterprise(), by=staff)
    assert enterprise.applicant is None
    applicant = ApplicantFactory(credit_code=enterprise.credit_code)
    enterprise.products = "箱式变电站、开关柜"
    services.key_enterprise_update(enterprise=enterprise, by=staff, changed=["products"])
    enterprise.refresh_from_db()
    assert enterprise.applicant == applicant
    assert LogEntry.objects.get(action_type="enterprises.enterprise.changed").data == {
        "fields": ["applicant", "products"]
    }


def test_a_duplicate_credit_code_is_refused_at_its_field_and_nothing_is_saved(staff):
    first = services.key_enterprise_register(enterprise=new_enterprise(), by=staff)
    with pytest.raises(ValidationError) as refused:
        services.key_enterprise_register(enterprise=new_enterprise(name="另一家公司"), by=staff)
    assert refused.value.message_dict == {
        "credit_code": [f"该统一社会信用代码已登记为重点出口企业“{first.name}”，请直接修改该企业的信息。"]
    }
    assert KeyEnterprise.objects.count() == 1


def test_a_wrong_check_character_is_refused_at_its_field(staff):
    code = make_credit_code(700002)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        services.key_enterprise_register(enterprise=new_enterprise(credit_code=wrong), by=staff)
    assert "credit_code" in refused.value.message_dict
    assert not KeyEnterprise.objects.exists()


def test_officers_are_appointed_changed_and_retired_with_an_entry_each(staff):
    enterprise = services.key_enterprise_register(enterprise=new_enterprise(), by=staff)
    officer = services.liaison_officer_add(
        enterprise=enterprise, by=staff, name="王磊", email="wanglei@hengda-power.example.cn", title="法务主管"
    )
    services.liaison_officer_change(officer=officer, by=staff, phone="0374-5551234", title="法务主管")
    services.liaison_officer_retire(officer=officer, by=staff)
    officer.refresh_from_db()
    assert (officer.phone, officer.active) == ("0374-5551234", False)
    actions = list(
        LogEntry.objects.filter(action_type__startswith="enterprises.officer.")
        .order_by("pk")
        .values_list("action_type", "data")
    )
    assert actions == [
        ("enterprises.officer.appointed", {"email": "wanglei@hengda-power.example.cn"}),
        ("enterprises.officer.changed", {"fields": ["phone"]}),
        ("enterprises.officer.retired", {"fields": ["active"]}),
    ]


def test_an_officer_needs_a_valid_address(staff):
    enterprise = services.key_enterprise_register(enterprise=new_enterprise(), by=staff)
    with pytest.raises(ValidationError) as refused:
        services.liaison_officer_add(enterprise=enterprise, by=staff, name="王磊", email="not an address")
    assert "email" in refused.value.message_dict
    assert not LiaisonOfficer.objects.exists()


def test_only_the_center_keeps_the_register(district_user, applicant, agency_user, staff):
    enterprise = KeyEnterpriseFactory()
    for user in (district_user, applicant, agency_user):
        assert not can_manage_enterprises(user)
        with pytest.raises(Forbidden):
            services.key_enterprise_register(enterprise=new_enterprise(), by=user)
        with pytest.raises(Forbidden):
            services.liaison_officer_add(enterprise=enterprise, by=user, name="某人", email="a@example.cn")
        officer = OfficerFactory(enterprise=enterprise)
        with pytest.raises(Forbidden):
            services.liaison_officer_retire(officer=officer, by=user)
    assert KeyEnterprise.objects.count() == 1


def test_a_workstation_sees_its_own_enterprises_and_those_below_it_only(
    staff, city_point, district_point, park_point, other_point, district_user, other_point_user, applicant
):
    at_city = KeyEnterpriseFactory(service_point=city_point)
    at_district = KeyEnterpriseFactory(service_point=district_point)
    at_park = KeyEnterpriseFactory(service_point=park_point)
    elsewhere = KeyEnterpriseFactory(service_point=other_point)
    center_only = KeyEnterpriseFactory(service_point=None)
    everything = {at_city, at_district, at_park, elsewhere, center_only}

    assert set(visible_enterprises(staff)) == everything
    assert set(visible_enterprises(district_user)) == {at_district, at_park}
    assert set(visible_enterprises(other_point_user)) == {elsewhere}
    city_user = UserFactory(is_staff=True, service_point=city_point, roles=["service_point"])
    assert set(visible_enterprises(city_user)) == {at_city, at_district, at_park}
    for nobody in (applicant, UserFactory(is_staff=True, roles=["service_point"])):  # no workstation
        assert not visible_enterprises(nobody).exists()
    assert can_view_enterprise(district_user, at_park)
    assert not can_view_enterprise(district_user, at_city)
    assert not can_view_enterprise(applicant, at_park)
