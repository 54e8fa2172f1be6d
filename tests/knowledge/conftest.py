"""Published items of every section, for the knowledge platform's tests (others reuse them).

Each factory makes a published item (published now) unless given another `status`; call
`knowledge.search.index_item(obj)` (or the fixture `indexed`) when the test searches for it."""

import datetime

import factory
import pytest
from django.utils import timezone

from knowledge.models import Event, IPType, Law, ServiceInstitution, TypicalCase, Warning

PUBLISHED = Law.Status.PUBLISHED


class _Published(factory.django.DjangoModelFactory):
    status = PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class LawFactory(_Published):
    class Meta:
        model = Law

    country = "US"
    ip_type = IPType.PATENT
    doc_type = Law.DocType.LAW
    title_zh = factory.Sequence(lambda n: f"测试法律{n}")
    title_original = factory.Sequence(lambda n: f"Test Act {n}")
    issuing_body = "United States Congress"
    promulgated_on = datetime.date(2023, 5, 1)
    effective_on = datetime.date(2023, 6, 1)
    summary = "摘要"
    full_text = "全文"


class TypicalCaseFactory(_Published):
    class Meta:
        model = TypicalCase

    title = factory.Sequence(lambda n: f"测试案例{n}")
    ip_type = IPType.PATENT
    country = "US"
    forum = TypicalCase.Forum.COURT
    year = 2024
    facts = "案情"
    response = "应对"
    outcome = "结果"
    lessons = "启示"


class WarningFactory(_Published):
    class Meta:
        model = Warning

    kind = Warning.Kind.COUNTRY
    risk_level = Warning.Risk.HIGH
    title = factory.Sequence(lambda n: f"测试预警{n}")
    country = "US"
    ip_type = IPType.TRADEMARK
    issued_on = datetime.date(2025, 3, 1)
    body = "预警内容"


class InstitutionFactory(_Published):
    class Meta:
        model = ServiceInstitution

    serial = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"测试服务机构{n}")
    nature = "律师事务所"
    head = "张三"
    address = "许昌市魏都区"
    scope = ServiceInstitution.Scope.DOMESTIC
    region = "许昌市"
    services = "海外维权咨询"
    countries_covered = factory.LazyFunction(lambda: ["US"])
    languages = "中文、英文"


class EventFactory(_Published):
    class Meta:
        model = Event

    kind = Event.Kind.TRAINING
    title = factory.Sequence(lambda n: f"测试培训{n}")
    description = "培训简介"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7, hours=3))
    place = "许昌市"


@pytest.fixture
def indexed():
    """index(obj, ...) indexes the given items for search and returns them."""
    from knowledge.search import index_item

    def index(*objs):
        for obj in objs:
            index_item(obj)
        return objs

    return index
