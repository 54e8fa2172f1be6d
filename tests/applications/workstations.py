"""Workstations of the service network and their staff, for the tests of entry, first check and scope."""

__all__ = ["city", "city_user", "other_city", "other_city_user", "park", "park_user", "workstation", "workstation_user"]

import pytest

from portal.models import ServicePoint
from portal.roles import Role
from tests.factories import UserFactory


def workstation(name, level="city", parent=None):
    return ServicePoint.objects.create(name=name, level=level, parent=parent, region=name[:3], address=f"{name}地址")


@pytest.fixture
def city(db):
    return workstation("太原市工作站")


@pytest.fixture
def park(city):
    return workstation("太原经开区园区工作站", level="park", parent=city)


@pytest.fixture
def other_city(db):
    return workstation("大同市工作站")


def workstation_user(point, name="周站"):
    return UserFactory(full_name=name, is_staff=True, service_point=point, roles=[Role.SERVICE_POINT])


@pytest.fixture
def city_user(city):
    return workstation_user(city, "周站")


@pytest.fixture
def park_user(park):
    return workstation_user(park, "吴园")


@pytest.fixture
def other_city_user(other_city):
    return workstation_user(other_city, "郑同")
