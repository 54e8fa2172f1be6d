"""The demo consultations load, through the services, and a second load adds nothing."""

import io

import pytest

from applications.models import Invitation
from consultations import demo
from consultations.models import Consultation
from consultations.selectors import follow_ups_due
from portal.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seed_is_idempotent_and_covers_the_channels(park_point):
    UserFactory(email="staff@demo.cn", full_name="李明", is_staff=True, roles=[Role.STAFF])
    UserFactory(
        email="point@demo.cn", full_name="周敏", is_staff=True, service_point=park_point, roles=[Role.SERVICE_POINT]
    )
    demo.seed(io.StringIO())
    count = Consultation.objects.count()
    assert count == len(demo.CONSULTATIONS) >= 15
    assert set(Consultation.objects.values_list("channel", flat=True)) == set(Consultation.Channel.values)
    assert follow_ups_due().count() >= 3
    assert Consultation.objects.filter(status=Consultation.Status.CONVERTED).count() == 1
    assert Invitation.objects.count() == 1
    assert Consultation.objects.filter(service_point=park_point).count() >= 2
    demo.seed(io.StringIO())
    assert Consultation.objects.count() == count and Invitation.objects.count() == 1
