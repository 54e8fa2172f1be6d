"""The consultation pages of the staff workplace: scoped lists, 404 outside the scope, adding and
changing through the services, the convert page, the applicant search and the statistics."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from consultations.models import Consultation
from consultations.permissions import visible_consultations
from portal.audit import entries_for
from tests.factories import ApplicantFactory, make_credit_code

pytestmark = pytest.mark.django_db

S = Consultation.Status


def change_url(consultation, name="change"):
    return reverse(f"admin:consultations_consultation_{name}", args=[consultation.pk])


def test_who_sees_which_consultations(
    staff, director, park_user, city_user, other_point_user, applicant, agency_user, log
):
    center = log(staff)
    park = log(park_user)
    other = log(other_point_user)
    assert set(visible_consultations(staff)) == set(visible_consultations(director)) == {center, park, other}
    assert set(visible_consultations(park_user)) == {park}
    assert set(visible_consultations(city_user)) == {park}  # the park workstation is under the city's
    assert set(visible_consultations(other_point_user)) == {other}
    assert not visible_consultations(applicant).exists() and not visible_consultations(agency_user).exists()


def test_a_workstation_user_lists_only_its_scope_and_gets_404_for_other_ids(client, staff, park_user, log):
    mine = log(park_user, person_name="园区来电人")
    theirs = log(staff, person_name="中心来电人")
    client.force_login(park_user)
    page = client.get(reverse("admin:consultations_consultation_changelist")).content.decode()
    assert "园区来电人" in page and "中心来电人" not in page
    assert client.get(change_url(mine)).status_code == 200
    for name in ("change", "history", "convert", "follow_up", "close", "reopen"):
        assert client.get(change_url(theirs, name)).status_code == 404, name
    assert client.post(change_url(theirs, "close")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.OPEN


def test_applicants_and_agency_users_do_not_reach_the_pages(client, applicant, staff, log):
    consultation = log(staff)
    client.force_login(applicant)
    assert client.get(reverse("admin:consultations_consultation_changelist")).status_code in {302, 404}
    assert client.get(change_url(consultation)).status_code in {302, 404}


def test_the_list_shows_the_follow_up_badge_and_its_queries_are_pinned(
    client, staff, park_user, log, django_assert_max_num_queries
):
    today = timezone.localdate()
    log(staff, person_name="逾期回访人", follow_up_on=today - datetime.timedelta(days=2))
    log(staff, person_name="今日回访人", follow_up_on=today)
    organisation = ApplicantFactory(name="已登记单位甲", service_point=park_user.service_point)
    for n in range(12):
        log(park_user if n % 2 else staff, person_name=f"来电人{n}", applicant=organisation if n % 3 == 0 else None)
    client.force_login(staff)
    url = reverse("admin:consultations_consultation_changelist")
    client.get(url)  # warm the session and the content types
    with django_assert_max_num_queries(14):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="zx-badge zx-overdue"') == 1 and page.count('class="zx-badge zx-today"') == 1
    assert "已登记单位甲" in page and "许昌经开区园区工作站" in page
    due = client.get(url + "?follow_up=due").content.decode()
    assert "逾期回访人" in due and "今日回访人" in due and "来电人1<" not in due
    # A filter value the filter does not offer is the admin's notice, never a 500.
    assert client.get(url + "?point=abc", follow=True).status_code == 200


def test_the_list_searches_number_person_phone_organisation_code_and_question(client, staff, log):
    code = make_credit_code(777)
    target = log(
        staff,
        person_name="钱七",
        phone="13911112222",
        organisation_name="运城某果业公司",
        credit_code=code,
        question="澳大利亚地理标志保护",
    )
    log(staff, person_name="别人", phone="13000000000", organisation_name="别的公司", question="别的问题")
    client.force_login(staff)
    url = reverse("admin:consultations_consultation_changelist")
    for term in (target.number, "钱七", "13911112222", "运城某果业", code, "地理标志"):
        page = client.get(url, {"q": term}).content.decode()
        assert "钱七" in page and "别人" not in page, term


def test_staff_add_a_consultation_in_the_admin_through_the_service(client, park_user, park_point):
    client.force_login(park_user)
    add = reverse("admin:consultations_consultation_add")
    assert client.get(add).status_code == 200
    now = timezone.localtime()
    form = {
        "channel": "walk_in",
        "received_at_0": now.strftime("%Y-%m-%d"),
        "received_at_1": now.strftime("%H:%M:%S"),
        "person_name": "孙建",
        "phone": "13934110022",
        "organisation_name": "太原锦程机电有限公司",
        "credit_code": "",
        "countries": ["KR", "JP"],
        "right_types": ["utility_model"],
        "question": "韩国竞争对手的实用新型与我司产品很像，能否请求宣告无效？",
        "answer": "已说明韩国无效审判的条件。",
        "minutes_spent": "35",
        "follow_up_on": (now.date() + datetime.timedelta(days=3)).isoformat(),
    }
    # A bad credit code: the message at the field, what was typed kept.
    response = client.post(add, {**form, "credit_code": "91140100MA0K8T2Q3A"})
    assert response.status_code == 200 and "credit_code" in response.context["adminform"].form.errors
    assert "韩国竞争对手的实用新型" in response.content.decode()
    assert Consultation.objects.count() == 0
    response = client.post(add, form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    consultation = Consultation.objects.get()
    assert consultation.number.startswith("ZX-") and consultation.service_point == park_point
    assert consultation.handled_by == park_user and consultation.countries == ["KR", "JP"]
    assert entries_for(consultation).get().action_type == "consultations.consultation.logged"
    # Changing goes through consultation_update.
    page = client.get(change_url(consultation)).content.decode()
    assert consultation.number in page and 'data-testid="convert-link"' in page
    response = client.post(change_url(consultation), {**form, "answer": "已说明韩国无效审判的条件和费用。"})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.answer.endswith("和费用。")
    assert entries_for(consultation).filter(action_type="consultations.consultation.updated").count() == 1


def test_follow_up_close_and_reopen_from_the_change_page(client, staff, log):
    consultation = log(staff)
    client.force_login(staff)
    response = client.post(change_url(consultation, "follow_up"), {"note": "", "next_on": ""})
    assert response.status_code == 400
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(change_url(consultation, "follow_up"), {"note": "已回电", "next_on": tomorrow.isoformat()})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.follow_up_on == tomorrow and "已回电" in consultation.follow_up_note
    assert client.post(change_url(consultation, "close"), {"note": ""}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == S.CLOSED
    page = client.get(change_url(consultation)).content.decode()
    assert "重新打开" in page and "咨询办结" in page
    # Closing twice: the message, not an error page.
    response = client.post(change_url(consultation, "close"), {"note": ""})
    assert response.status_code == 400 and "已办结" in response.content.decode()
    assert client.post(change_url(consultation, "reopen"), {"note": "再次来电"}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN


def test_the_convert_page_is_prefilled_converts_once_and_then_shows_the_application(client, staff, log):
    consultation = log(staff, credit_code=make_credit_code(9001))
    client.force_login(staff)
    url = change_url(consultation, "convert")
    page = client.get(url).content.decode()
    assert 'value="赵丽"' in page and 'value="zhaoli@huajin.example.cn"' in page
    assert f'value="{consultation.credit_code}"' in page
    # No e-mail: the message at the field, the name kept.
    response = client.post(url, {"full_name": "赵丽", "email": "", "credit_code": consultation.credit_code})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert Application.objects.count() == 0
    response = client.post(
        url,
        {
            "full_name": "赵丽",
            "email": "zhaoli@huajin.example.cn",
            "category": "enterprise",
            "organisation_name": "山西华晋精密铸造有限公司",
            "credit_code": consultation.credit_code,
        },
        follow=True,
    )
    application = Application.objects.get()
    page = response.content.decode()
    assert 'data-testid="converted"' in page
    assert reverse("admin:applications_application_change", args=[application.pk]) in page
    # A second post (another tab) changes nothing.
    client.post(url, {"full_name": "赵丽", "email": "zhaoli@huajin.example.cn"})
    assert Application.objects.count() == 1


def test_the_applicant_search_answers_by_name_or_code_within_the_scope(client, staff, park_user, park_point):
    ours = ApplicantFactory(name="许昌远东传动轴股份有限公司", service_point=park_point)
    theirs = ApplicantFactory(name="许昌另一家传动公司")
    url = reverse("admin:consultations_consultation_applicant_search")
    client.force_login(staff)
    names = [row["text"] for row in client.get(url, {"term": "传动"}).json()["results"]]
    assert len(names) == 2
    by_code = client.get(url, {"term": ours.credit_code.lower()}).json()["results"]
    assert [row["id"] for row in by_code] == [str(ours.pk)]
    client.force_login(park_user)
    results = client.get(url, {"term": "传动"}).json()["results"]
    assert [row["id"] for row in results] == [str(ours.pk)]
    # Not by its key, nor by its name (a key's digits may well occur in the other's credit code).
    assert theirs.name not in str(results)
    # A page number no list reaches: an empty page, never a database error.
    assert client.get(url, {"term": "传动", "page": str(2**62)}).json()["results"] == []


def test_the_admin_index_has_the_entries(client, staff, park_user):
    for user in (staff, park_user):
        client.force_login(user)
        page = client.get(reverse("admin:index")).content.decode()
        assert reverse("admin:consultations_consultation_changelist") in page
        assert reverse("admin:consultations_consultationstatistics_changelist") in page
