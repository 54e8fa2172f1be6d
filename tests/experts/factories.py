"""Rows of the expert pool for tests."""

import factory
from django.utils import timezone

from applications.choices import DisputeType, RightType, TechnicalField
from applications.models import Application
from cases.models import Case
from experts.models import ConflictParty, Expert
from portal.roles import Role
from tests.factories import ApplicationFactory, UserFactory, with_status


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"专家{n}")
    organisation = factory.Sequence(lambda n: f"北京某某律师事务所{n}")
    title = "合伙人"
    email = factory.Sequence(lambda n: f"expert{n}@example.cn")
    phone = "13900000000"
    right_types = factory.LazyFunction(lambda: [RightType.INVENTION])
    dispute_types = factory.LazyFunction(lambda: [DisputeType.INFRINGEMENT])
    technical_fields = factory.LazyFunction(lambda: [TechnicalField.MECHANICAL])
    countries = factory.LazyFunction(lambda: ["US"])
    languages = factory.LazyFunction(lambda: ["zh", "en"])
    max_concurrent_cases = 3


def expert_with_login(**kwargs):
    user = UserFactory(full_name=kwargs.get("name", "专家"), roles=[Role.EXPERT])
    return ExpertFactory(user=user, **kwargs)


class ConflictPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictParty

    expert = factory.SubFactory(ExpertFactory)
    name = "Acme Robotics Inc."
    relation = ConflictParty.Relation.FOR


_counter = iter(range(1, 10**6))


def make_case(**application_fields):
    """An accepted application with its case, without going through the intake services."""
    application = ApplicationFactory(**application_fields)
    application.submitted_at = timezone.now()
    application.number = f"SQ-T-{application.pk:06d}"
    application.save(update_fields=["submitted_at", "number"])
    application = with_status(application, Application.Status.ACCEPTED)
    return Case.objects.create(
        application=application,
        number=f"AJ-T-{next(_counter):06d}",
        level=application.level,
        opened_at=timezone.now(),
        # The deadline abroad the case list shows (copied as cases.services.case_open does).
        foreign_deadline=application.foreign_deadline,
        foreign_deadline_what=application.foreign_deadline_what,
        foreign_deadline_where=application.foreign_deadline_where,
        urgent=application.urgent,
    )
