"""The center registers the workstations of the three-level network in the admin; a workstation's
staff are admin users of their own role, with a second factor and the permissions they need."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.admin import ServicePointForm
from portal.demo import seed_service_points
from portal.groups import SERVICE_POINT_PERMISSIONS, grant_service_point_permissions
from portal.models import ServicePoint
from portal.permissions import landing_url_name
from portal.roles import Role
from portal.twofactor.core import needs_two_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _point(name, level, parent=None, region="许昌市"):
    return ServicePoint.objects.create(name=name, level=level, parent=parent, region=region, address="地址")


def _form(**data):
    base = {"name": "新工作站", "region": "许昌市", "address": "许昌市某路 1 号", "display_order": 0, "active": True}
    return ServicePointForm(data={**base, **data})


@pytest.fixture
def city():
    return _point("许昌市工作站", "city")


@pytest.fixture
def district(city):
    return _point("魏都区工作站", "district", city, "魏都区")


def test_a_city_workstation_has_no_parent(city):
    assert _form(level="city").is_valid()
    form = _form(level="city", parent=city.pk)
    assert not form.is_valid()
    assert "市级工作站是最高一级" in form.errors["parent"][0]


def test_a_districts_parent_is_the_city(city, district):
    assert _form(level="district", parent=city.pk).is_valid()
    missing = _form(level="district")
    assert not missing.is_valid() and "须选择市级工作站" in missing.errors["parent"][0]
    wrong = _form(level="district", parent=district.pk)
    assert not wrong.is_valid() and "只能是市级工作站" in wrong.errors["parent"][0]


def test_a_parks_parent_is_a_district_or_the_city(city, district):
    assert _form(level="park", parent=district.pk).is_valid()
    assert _form(level="park", parent=city.pk).is_valid()
    park = _point("中原电气谷工作站", "park", district, "建安区")
    under_park = _form(level="park", parent=park.pk)
    assert not under_park.is_valid() and "只能是县（区）级或市级工作站" in under_park.errors["parent"][0]
    assert not _form(level="park").is_valid()


def test_a_workstation_with_districts_under_it_cannot_become_a_district(city, district):
    form = ServicePointForm(
        instance=city,
        data={
            "name": city.name,
            "level": "district",
            "parent": "",
            "region": "许昌市",
            "address": "地址",
            "display_order": 0,
        },
    )
    assert not form.is_valid()
    assert "level" in form.errors


def test_the_admin_shows_the_error_at_the_field_and_keeps_what_was_typed(client, staff, district):
    client.force_login(staff)
    response = client.post(
        reverse("admin:portal_servicepoint_add"),
        {
            "name": "许昌经济技术开发区工作站",
            "level": "district",
            "parent": district.pk,
            "region": "许昌经济技术开发区",
            "address": "瑞祥路 1 号",
            "hotline": "0374-3396601",
            "display_order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "县（区）级工作站的上级只能是市级工作站。" in page
    assert "瑞祥路 1 号" in page and "0374-3396601" in page
    assert not ServicePoint.objects.filter(name="许昌经济技术开发区工作站").exists()


def test_the_center_registers_a_workstation_and_sees_its_staff(client, staff, city):
    client.force_login(staff)
    response = client.post(
        reverse("admin:portal_servicepoint_add"),
        {
            "name": "长葛市工作站",
            "level": "district",
            "parent": city.pk,
            "region": "长葛市",
            "address": "葛天大道 210 号",
            "hotline": "0374-6198820",
            "office_hours": "工作日 8:30–17:30",
            "host_organisation": "长葛市市场监督管理局",
            "display_order": 3,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    point = ServicePoint.objects.get(name="长葛市工作站")
    assert point.parent == city and point.level == "district"
    UserFactory(full_name="郭晓燕", email="guo@example.cn", service_point=point, roles=[Role.SERVICE_POINT])
    page = client.get(reverse("admin:portal_servicepoint_change", args=[point.pk])).content.decode()
    assert "郭晓燕" in page and "guo@example.cn" in page
    listing = client.get(reverse("admin:portal_servicepoint_changelist") + "?level__exact=district").content.decode()
    assert "长葛市工作站" in listing and "许昌市工作站</a>" not in listing


def test_the_user_admin_sets_and_filters_by_workstation(client, district):
    member = UserFactory(full_name="郭晓燕", service_point=district, roles=[Role.SERVICE_POINT])
    other = UserFactory(full_name="不相干的人")
    # Users are managed by an administrator (the center's groups have no user permissions).
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:portal_user_change", args=[member.pk])).content.decode()
    assert 'name="service_point"' in page
    listing = client.get(reverse("admin:portal_user_changelist") + f"?service_point__id__exact={district.pk}")
    text = listing.content.decode()
    assert "郭晓燕" in text and other.full_name not in text


def test_the_workstation_role_has_its_permissions_and_tolerates_missing_ones():
    granted = grant_service_point_permissions()
    assert {"applications.view_applicant", "applications.view_application", "cases.view_case"} <= set(granted)
    assert set(granted) <= {f"{app}.{codename}" for app, codename in SERVICE_POINT_PERMISSIONS}
    group = Group.objects.get(name=Role.SERVICE_POINT)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "change_case" not in codenames and "change_application" not in codenames
    assert grant_service_point_permissions() == granted  # idempotent


def test_a_workstation_user_needs_a_second_factor_and_lands_on_the_admin(district):
    user = UserFactory(is_staff=True, service_point=district, roles=[Role.SERVICE_POINT])
    assert needs_two_factor(user)
    assert landing_url_name(user) == "admin:index"


def test_the_demo_network_has_three_levels():
    points = seed_service_points()
    assert seed_service_points().keys() == points.keys()  # idempotent
    city = points["许昌市海外知识产权纠纷应对指导工作站"]
    assert city.level == "city" and city.parent is None
    for name in ("魏都区工作站", "建安区工作站", "禹州市工作站", "长葛市工作站"):
        assert points[name].level == "district" and points[name].parent == city
    for name in ("许昌经济技术开发区工作站", "中原电气谷工作站"):
        assert points[name].level == "park"
    assert points["中原电气谷工作站"].parent == points["建安区工作站"]
    assert set(ServicePoint.scope_ids(points["建安区工作站"].pk)) == {
        points["建安区工作站"].pk,
        points["中原电气谷工作站"].pk,
    }
    for point in points.values():
        form = ServicePointForm(
            instance=point,
            data={
                "name": point.name,
                "level": point.level,
                "parent": point.parent_id or "",
                "region": point.region,
                "address": point.address,
                "display_order": point.display_order,
                "active": True,
            },
        )
        assert form.is_valid(), (point.name, form.errors)


def test_the_demo_has_a_workstation_user_at_a_district():
    import io

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal import demo

    users = demo.seed(io.StringIO())
    station = users["station"]
    assert station.email == "station@demo.cn" and station.is_staff
    assert station.service_point.name == "魏都区工作站"
    assert station.groups.filter(name=Role.SERVICE_POINT).exists()
    assert station.check_password(demo.DEMO_PASSWORD)
    assert TOTPDevice.objects.filter(user=station, confirmed=True).exists()


def test_a_workstation_user_without_a_workstation_or_staff_status_is_refused_at_the_fields(client):
    user = UserFactory(full_name="郭晓燕")
    group, _created = Group.objects.get_or_create(name=Role.SERVICE_POINT)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:portal_user_change", args=[user.pk])
    data = {
        "email": user.email,
        "full_name": "郭晓燕",
        "phone": "0374-2331256",
        "is_active": "on",
        "groups": [group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "服务工作站工作人员须选择所属服务工作站。" in page
    assert "须勾选“工作人员状态”" in page
    assert "0374-2331256" in page  # what was typed is kept
    point = ServicePoint.objects.create(name="魏都区工作站", level="city", region="魏都区", address="文峰路")
    response = client.post(url, {**data, "service_point": point.pk, "is_staff": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.service_point == point and user.is_staff
