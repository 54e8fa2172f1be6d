"""The register's rows and people: workstations at three levels, their staff, enterprises, officers."""

import datetime

import factory
import pytest

from enterprises.models import KeyEnterprise, LiaisonOfficer
from knowledge.models import Warning
from portal.models import ServicePoint
from portal.roles import Role
from tests.factories import UserFactory, make_credit_code
from tests.knowledge.conftest import WarningFactory


class KeyEnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyEnterprise

    name = factory.Sequence(lambda n: f"许昌测试出口企业{n}有限公司")
    credit_code = factory.Sequence(lambda n: make_credit_code(500000 + n))
    industries = factory.LazyFunction(lambda: ["mechanical"])
    markets = factory.LazyFunction(lambda: ["US"])
    listed_on = datetime.date(2026, 3, 1)
    created_by = factory.LazyFunction(lambda: UserFactory(is_staff=True, roles=[Role.STAFF]))


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonOfficer

    enterprise = factory.SubFactory(KeyEnterpriseFactory)
    name = factory.Sequence(lambda n: f"联络员{n}")
    email = factory.Sequence(lambda n: f"officer{n}@export.example.cn")


def draft_warning(**fields):
    return WarningFactory(status=Warning.Status.DRAFT, published_at=None, **fields)


@pytest.fixture
def city_point(db):
    return ServicePoint.objects.create(
        name="许昌市工作站", level=ServicePoint.Level.CITY, region="许昌市", address="许昌市"
    )


@pytest.fixture
def district_point(city_point):
    return ServicePoint.objects.create(
        name="长葛市工作站", level=ServicePoint.Level.DISTRICT, parent=city_point, region="长葛市", address="长葛市"
    )


@pytest.fixture
def park_point(district_point):
    return ServicePoint.objects.create(
        name="长葛经济技术开发区工作站",
        level=ServicePoint.Level.PARK,
        parent=district_point,
        region="长葛经济技术开发区",
        address="长葛市",
    )


@pytest.fixture
def other_point(db):
    return ServicePoint.objects.create(
        name="禹州市工作站", level=ServicePoint.Level.DISTRICT, region="禹州市", address="禹州市"
    )


def workstation_user(point, name):
    return UserFactory(full_name=name, is_staff=True, service_point=point, roles=[Role.SERVICE_POINT])


@pytest.fixture
def district_user(district_point):
    return workstation_user(district_point, "长葛站工作人员")


@pytest.fixture
def other_point_user(other_point):
    return workstation_user(other_point, "禹州站工作人员")


@pytest.fixture
def enterprise(staff, park_point):
    officer_enterprise = KeyEnterpriseFactory(
        name="许昌瑞丰发制品有限公司",
        industries=["other"],
        markets=["US", "NG"],
        brands_abroad="RUIFENG HAIR，美国，第 7123456 号",
        service_point=park_point,
        created_by=staff,
    )
    OfficerFactory(enterprise=officer_enterprise, name="张敏", email="zhangmin@ruifeng-hair.example.cn")
    return officer_enterprise


@pytest.fixture
def other_enterprise(staff, other_point):
    return KeyEnterpriseFactory(
        name="禹州钧窑陶瓷出口有限公司",
        industries=["other"],
        markets=["JP"],
        service_point=other_point,
        created_by=staff,
    )
