"""The demo pool loads, is idempotent, links the demo expert and invites them to a demo case."""

import io

import pytest

from experts import demo
from experts.models import Expert, ExpertInvitation, ExpertOpinion, Seminar
from portal import demo as portal_demo
from tests.experts.factories import make_case

pytestmark = pytest.mark.django_db


def test_demo_pool_covers_the_form_and_invites_the_demo_expert():
    portal_demo.seed(io.StringIO())
    case = make_case(opponent_name="Nordtel GmbH")
    make_case(level="major", opponent_name="Foo Corp.")
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # twice: nothing duplicated
    assert Expert.objects.count() == len(demo.POOL) >= 40
    expert = Expert.objects.get(user__email="expert@demo.cn")
    invitation = ExpertInvitation.objects.get(expert=expert)
    assert invitation.case == case and invitation.matching is not None
    assert ExpertOpinion.objects.filter(case=case).count() == 1  # one opinion to show and quote
    assert Seminar.objects.count() == 1  # convened for the major case
    active = Expert.objects.filter(active=True)
    for code in ["US", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "RU", "TR", "AU"]:
        assert any(code in e.countries for e in active), code
    assert Expert.objects.filter(conflicts__isnull=False).distinct().count() >= 5
    # Matching has something to honour: an ended conflict and periods away.
    from django.utils import timezone

    from experts.models import ConflictParty, Unavailability

    assert ConflictParty.objects.filter(until__lt=timezone.localdate()).exists()
    assert Unavailability.objects.count() == len(demo.AWAY)
    assert any(e.jurisdictions for e in active) and any("trade_investigation" in e.dispute_types for e in active)
