"""A workstation's staff read, and only read, the cases of their workstation and those under it;
any other case id is a 404, in the admin too."""

import pytest
from django.urls import reverse

from cases.permissions import (
    can_handle_case,
    can_read_case_in_admin,
    can_sign_letter,
    visible_cases,
)
from portal.groups import grant_service_point_permissions
from portal.models import ServicePoint
from portal.roles import Role
from tests.cases.factories import make_case
from tests.factories import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    city = ServicePoint.objects.create(name="许昌市工作站", level="city", region="许昌市", address="市民之家")
    weidu = ServicePoint.objects.create(
        name="魏都区工作站", level="district", parent=city, region="魏都区", address="文峰路"
    )
    jianan = ServicePoint.objects.create(
        name="建安区工作站", level="district", parent=city, region="建安区", address="许由路"
    )
    park = ServicePoint.objects.create(
        name="中原电气谷工作站", level="park", parent=jianan, region="建安区", address="尚德路"
    )
    return {"city": city, "weidu": weidu, "jianan": jianan, "park": park}


def station_user(point, **extra):
    grant_service_point_permissions()
    return UserFactory(
        full_name=f"{getattr(point, 'name', '')}工作人员",
        is_staff=True,
        service_point=point,
        roles=[Role.SERVICE_POINT],
        **extra,
    )


@pytest.fixture
def cases(staff, network):
    """One case per way a case belongs to a workstation, and one of the center's own."""
    return {
        # the application was taken by the workstation
        "weidu_application": make_case(staff, service_point=network["weidu"]),
        # the applicant is helped by the workstation
        "weidu_applicant": make_case(staff, applicant=ApplicantFactory(service_point=network["weidu"])),
        "jianan": make_case(staff, service_point=network["jianan"]),
        "park": make_case(staff, applicant=ApplicantFactory(service_point=network["park"])),
        "center": make_case(staff),
    }


def _numbers(queryset):
    return set(queryset.values_list("number", flat=True))


def test_a_district_workstation_sees_its_cases_by_application_or_applicant_only(network, cases):
    user = station_user(network["weidu"])
    assert _numbers(visible_cases(user)) == {cases["weidu_application"].number, cases["weidu_applicant"].number}


def test_a_district_sees_its_parks_and_the_city_sees_all_three_levels(network, cases):
    jianan = station_user(network["jianan"])
    assert _numbers(visible_cases(jianan)) == {cases["jianan"].number, cases["park"].number}
    city = station_user(network["city"])
    assert _numbers(visible_cases(city)) == {c.number for key, c in cases.items() if key != "center"}
    park = station_user(network["park"])
    assert _numbers(visible_cases(park)) == {cases["park"].number}


def test_a_workstation_user_without_a_workstation_sees_nothing(cases):
    user = station_user(None)
    assert not visible_cases(user).exists()


def test_a_workstation_user_reads_but_never_handles_or_signs(network, cases):
    user = station_user(network["weidu"])
    case = cases["weidu_application"]
    assert can_read_case_in_admin(user)
    assert not can_handle_case(user, case)
    assert not can_sign_letter(user, None)


def test_the_admin_case_list_is_scoped_and_offers_no_actions(client, network, cases):
    client.force_login(station_user(network["weidu"]))
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert cases["weidu_application"].number in page
    assert cases["weidu_applicant"].number in page
    assert cases["jianan"].number not in page
    assert cases["center"].number not in page
    assert 'name="action"' not in page  # no bulk assign
    assert "?handler=" not in page and "?agency=" not in page  # the center's handlers and agencies are not listed


def test_the_case_page_of_the_workstation_is_read_only(client, network, cases):
    client.force_login(station_user(network["weidu"]))
    case = cases["weidu_application"]
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="case-read-only"' in page
    assert case.number in page
    for button in ("transition", "assign", "note", "letter", "terminate"):
        assert reverse(f"admin:cases_case_{button}", args=[case.pk]) not in page
    assert "内部备注" not in page


@pytest.mark.parametrize("other", ["jianan", "park", "center"])
def test_another_workstations_case_is_404_everywhere_in_the_admin(client, network, cases, other):
    client.force_login(station_user(network["weidu"]))
    pk = cases[other].pk
    for name in ("change", "history", "transition", "assign", "note", "letter", "report", "terminate", "contact"):
        assert client.get(reverse(f"admin:cases_case_{name}", args=[pk])).status_code == 404, name
    assert client.post(reverse("admin:cases_case_note", args=[pk]), {"text": "x"}).status_code == 404


def test_the_workstations_own_case_cannot_be_changed_through_the_action_urls(client, network, cases):
    client.force_login(station_user(network["weidu"]))
    case = cases["weidu_application"]
    response = client.post(reverse("admin:cases_case_note", args=[case.pk]), {"text": "工作站备注"})
    assert response.status_code == 404
    assert not case.notes.exists()
    response = client.post(reverse("admin:cases_case_transition", args=[case.pk]), {"to_status": "in_progress"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == "accepted"


def test_the_history_of_an_own_case_opens(client, network, cases):
    client.force_login(station_user(network["weidu"]))
    case = cases["weidu_application"]
    assert client.get(reverse("admin:cases_case_history", args=[case.pk])).status_code == 200


def test_the_center_still_sees_every_case_and_its_full_page(client, staff, cases):
    client.force_login(staff)
    case = cases["weidu_application"]
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert reverse("admin:cases_case_note", args=[case.pk]) in page
    assert _numbers(visible_cases(staff)) == {c.number for c in cases.values()}


def test_the_center_case_page_shows_every_ticked_box_of_the_paper_form(client, staff):
    case = make_case(
        staff,
        opponent_types=["competitor", "npe"],
        technical_fields=["mechanical", "electrical"],
        opponent_name="Lone Star Licensing LLC",
    )
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "竞争对手、非专利实施实体（NPE） Lone Star Licensing LLC" in page
    assert "机械、电学" in page


def test_the_centers_own_pages_about_a_case_stay_closed_to_the_workstation(client, network, cases):
    client.force_login(station_user(network["weidu"]))
    case = cases["weidu_application"]
    assert client.get(reverse("experts:case_panel", args=[case.pk])).status_code in (403, 404)
    assert client.post(reverse("cases:case_file", args=[case.pk])).status_code == 404
    assert client.get(reverse("admin:cases_guidanceopinion_add") + f"?case={case.pk}").status_code == 403
    assert client.get(reverse("admin:cases_assistanceletter_changelist")).status_code == 403
