"""Workstations of the service network and their staff, for the consultation tests."""

import pytest

from consultations import services
from portal.models import ServicePoint
from portal.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def city_point(db):
    return ServicePoint.objects.create(
        name="许昌市知识产权纠纷应对指导工作站",
        level=ServicePoint.Level.CITY,
        region="许昌市",
        address="许昌市魏都区八一路 1 号",
    )


@pytest.fixture
def park_point(city_point):
    return ServicePoint.objects.create(
        name="许昌经开区园区工作站",
        level=ServicePoint.Level.PARK,
        parent=city_point,
        region="许昌经济技术开发区",
        address="许昌经开区长村张大道 2 号",
    )


@pytest.fixture
def other_point(db):
    return ServicePoint.objects.create(
        name="长葛市工作站", level=ServicePoint.Level.DISTRICT, region="长葛市", address="长葛市人民路 3 号"
    )


@pytest.fixture
def park_user(park_point):
    return UserFactory(full_name="园区周敏", is_staff=True, service_point=park_point, roles=[Role.SERVICE_POINT])


@pytest.fixture
def city_user(city_point):
    return UserFactory(full_name="市站陈刚", is_staff=True, service_point=city_point, roles=[Role.SERVICE_POINT])


@pytest.fixture
def other_point_user(other_point):
    return UserFactory(full_name="长葛刘芳", is_staff=True, service_point=other_point, roles=[Role.SERVICE_POINT])


def data(**kwargs):
    return {
        "channel": "hotline",
        "person_name": "赵丽",
        "person_title": "知识产权专员",
        "phone": "13603512345",
        "email": "zhaoli@huajin.example.cn",
        "organisation_name": "山西华晋精密铸造有限公司",
        "countries": ["US"],
        "right_types": ["invention"],
        "dispute_types": ["trade_investigation"],
        "question": "美国 ITC 可能对铸件发起 337 调查，我司作为供应商如何准备？",
        "answer": "已介绍 337 调查程序。",
        "minutes_spent": 30,
        **kwargs,
    }


@pytest.fixture
def log():
    """log(by, **fields): a consultation recorded through the service."""

    def _log(by, **kwargs):
        return services.consultation_log(data=data(**kwargs), by=by)

    return _log
