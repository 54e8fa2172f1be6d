"""The register in the admin: the list, its filters and search, the enterprise's page with what the center
knows of it, registering with a liaison officer, a duplicate refused at its field, and the workstation's
scope (404 outside it)."""

import pytest
from django.urls import reverse

from applications.models import Application
from consultations.models import Consultation
from enterprises.models import KeyEnterprise, LiaisonOfficer, WarningDelivery
from knowledge.models import Registration
from portal.audit import LogEntry
from tests.enterprises.conftest import KeyEnterpriseFactory, OfficerFactory, draft_warning
from tests.factories import ApplicantFactory, ApplicationFactory, make_credit_code
from tests.knowledge.conftest import EventFactory, WarningFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:enterprises_keyenterprise_changelist")
ADD = reverse("admin:enterprises_keyenterprise_add")


def change_url(enterprise):
    return reverse("admin:enterprises_keyenterprise_change", args=[enterprise.pk])


def some_enterprises(n, point, offset=0):
    for i in range(n):
        enterprise = KeyEnterpriseFactory(
            name=f"许昌汽车零部件{offset + i}有限公司", markets=["DE", "MX"], service_point=point
        )
        OfficerFactory(enterprise=enterprise, name=f"联络员{offset + i}")
        OfficerFactory(enterprise=enterprise, name=f"离任联络员{offset + i}", active=False)


def test_the_list_shows_markets_industries_workstation_and_serving_officers_at_a_fixed_cost(
    client, staff, park_point, django_assert_max_num_queries
):
    client.force_login(staff)
    some_enterprises(3, park_point)
    client.get(LIST)  # warm per-process caches
    with django_assert_max_num_queries(14) as first:
        client.get(LIST)
    some_enterprises(12, park_point, offset=3)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(LIST).content.decode()
    assert "许昌汽车零部件14有限公司" in page
    assert "德国、墨西哥" in page
    assert "机械" in page
    assert "长葛经济技术开发区工作站" in page
    assert "联络员14" in page
    assert "离任联络员14" not in page


def test_filters_and_search(client, staff, enterprise, other_enterprise, park_point):
    client.force_login(staff)
    power = KeyEnterpriseFactory(name="许昌恒达电力设备有限公司", industries=["electrical"], markets=["SA"])

    def names(query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return {row.name for row in response.context["cl"].result_list}

    assert names({"industry": "electrical"}) == {power.name}
    assert names({"market": "NG"}) == {enterprise.name}
    assert names({"service_point__id__exact": park_point.pk}) == {enterprise.name}
    assert names({"q": "RUIFENG"}) == {enterprise.name}  # a brand abroad
    assert names({"q": other_enterprise.credit_code}) == {other_enterprise.name}
    # The market filter offers only the markets in the register.
    page = client.get(LIST).content.decode()
    assert "?market=SA" in page and "?market=FR" not in page
    # A value no filter offers is the admin's notice, not a 500.
    assert client.get(LIST, {"industry": "nonsense"}).status_code == 302


def test_the_enterprise_page_shows_its_consultations_applications_training_and_warnings_sent(
    client, staff, enterprise, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    applicant = ApplicantFactory(name=enterprise.name, credit_code=enterprise.credit_code)
    KeyEnterprise.objects.filter(pk=enterprise.pk).update(applicant=applicant)
    application = ApplicationFactory(applicant=applicant, countries=["US"])
    by_code_only = ApplicationFactory(applicant=ApplicantFactory(), credit_code=enterprise.credit_code)
    ApplicationFactory()  # someone else's
    Consultation.objects.create(
        channel=Consultation.Channel.HOTLINE,
        person_name="张敏",
        organisation_name=enterprise.name,
        credit_code=enterprise.credit_code,
        question="美国客户转来律师函，称我司蕾丝假发侵犯其外观设计专利，怎么办？",
        handled_by=staff,
    )
    Consultation.objects.create(
        channel=Consultation.Channel.WECHAT, person_name="别人", question="另一家企业的问题", handled_by=staff
    )
    training = EventFactory(title="出口企业海外维权实务培训")
    Registration.objects.create(
        event=training, organisation=enterprise.name, contact_name="张敏", email="a@example.cn", phone="1"
    )
    Registration.objects.create(
        event=EventFactory(title="别家报名的培训"),
        organisation="另一家公司",
        contact_name="某",
        email="b@e.cn",
        phone="1",
    )
    from knowledge.services.publication import item_publish

    with django_capture_on_commit_callbacks(execute=True):
        warning = item_publish(item=draft_warning(title="美国假发外观设计诉讼预警", country="US"), by=staff)
    assert WarningDelivery.objects.count() == 1

    client.force_login(staff)
    client.get(change_url(enterprise))
    with django_assert_max_num_queries(21):
        response = client.get(change_url(enterprise))
    assert response.status_code == 200
    page = response.content.decode()
    record = page[page.index('data-testid="enterprise-record"') :]
    assert "蕾丝假发侵犯其外观设计专利" in record and "另一家企业的问题" not in record
    assert reverse("admin:applications_application_change", args=[application.pk]) in record
    assert reverse("admin:applications_application_change", args=[by_code_only.pk]) in record
    assert Application.objects.count() == 3 and record.count("applications/application/") == 2
    assert "出口企业海外维权实务培训" in record and "别家报名的培训" not in record
    assert training.get_absolute_url() in record
    assert "美国假发外观设计诉讼预警" in record and warning.get_absolute_url() in record
    assert "出口市场：美国" in record


def officer_form(prefix="liaison_officers", **officer):
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for name, value in officer.items():
        data[f"{prefix}-0-{name}"] = value
    return data


def enterprise_form(**fields):
    data = {
        "name": "许昌德威汽车零部件有限公司",
        "credit_code": make_credit_code(800001),
        "listed_on": "2026-06-01",
        "active": "on",
        "industries": ["mechanical"],
        "markets": ["DE", "MX"],
        "products": "制动盘、轮毂轴承",
        "brands_abroad": "DEWEI，欧盟，第 018765432 号",
    }
    data.update(fields)
    return data


def test_staff_register_an_enterprise_with_its_liaison_officer(client, staff, park_point):
    client.force_login(staff)
    data = {
        **enterprise_form(service_point=park_point.pk),
        **officer_form(name="赵凯", title="知识产权专员", email="zhaokai@dewei-auto.example.cn", active="on"),
    }
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    enterprise = KeyEnterprise.objects.get()
    assert (enterprise.markets, enterprise.service_point, enterprise.created_by) == (["DE", "MX"], park_point, staff)
    officer = LiaisonOfficer.objects.get()
    assert (officer.enterprise, officer.email, officer.active) == (enterprise, "zhaokai@dewei-auto.example.cn", True)
    assert set(LogEntry.objects.values_list("action_type", flat=True)) >= {
        "enterprises.enterprise.registered",
        "enterprises.officer.appointed",
    }

    # Unticking "在任" retires the officer.
    change = {
        **enterprise_form(service_point=park_point.pk),
        **officer_form(id=officer.pk, enterprise=enterprise.pk, name="赵凯", email=officer.email),
        "liaison_officers-INITIAL_FORMS": "1",
    }
    assert client.post(change_url(enterprise), change).status_code == 302
    officer.refresh_from_db()
    assert not officer.active
    assert LogEntry.objects.filter(action_type="enterprises.officer.retired", object_id=officer.pk).exists()


def test_a_duplicate_credit_code_is_answered_at_the_field_and_keeps_what_was_typed(client, staff, enterprise):
    client.force_login(staff)
    data = {
        **enterprise_form(name="重复登记的企业", credit_code=enterprise.credit_code, note="这段备注不应丢失"),
        **officer_form(name="赵凯", email="zhaokai@dewei-auto.example.cn", active="on"),
    }
    response = client.post(ADD, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["credit_code"] == [
        f"该统一社会信用代码已登记为重点出口企业“{enterprise.name}”，请直接修改该企业的信息。"
    ]
    page = response.content.decode()
    for typed in ("重复登记的企业", "这段备注不应丢失", "zhaokai@dewei-auto.example.cn", "制动盘、轮毂轴承"):
        assert typed in page
    assert KeyEnterprise.objects.count() == 1 and LiaisonOfficer.objects.count() == 1


def test_a_workstation_reads_its_enterprises_and_gets_404_for_any_other(
    client, district_user, enterprise, other_enterprise
):
    client.force_login(district_user)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert [row.name for row in listing.context["cl"].result_list] == [enterprise.name]

    page = client.get(change_url(enterprise))
    assert page.status_code == 200
    text = page.content.decode()
    assert enterprise.name in text and 'name="_save"' not in text  # read-only
    assert "美国、尼日利亚" in text and "RUIFENG HAIR" in text  # the markets in words, the brands
    assert client.post(change_url(enterprise), enterprise_form()).status_code == 403
    assert client.get(ADD).status_code == 403

    for url in (
        change_url(other_enterprise),
        reverse("admin:enterprises_keyenterprise_history", args=[other_enterprise.pk]),
        reverse("admin:enterprises_keyenterprise_delete", args=[other_enterprise.pk]),
        reverse("admin:enterprises_keyenterprise_change", args=["abc"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(change_url(other_enterprise), enterprise_form()).status_code == 404


def test_the_delivery_records_are_scoped_too(client, district_user, other_point_user, enterprise, staff):
    warning = WarningFactory(country="US")
    delivery = WarningDelivery.objects.create(warning=warning, officer=enterprise.liaison_officers.get(), reason="x")
    url = reverse("admin:enterprises_warningdelivery_change", args=[delivery.pk])
    client.force_login(district_user)
    assert client.get(url).status_code == 200
    client.force_login(other_point_user)
    assert client.get(url).status_code == 404
    assert not client.get(reverse("admin:enterprises_warningdelivery_changelist")).context["cl"].result_list
