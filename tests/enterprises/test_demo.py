"""The register's demo data: eight Xuchang exporters in four industries with valid credit codes and
officers, attendance at the past training, and a second run that changes nothing."""

import io

import pytest

from enterprises import demo
from enterprises.models import KeyEnterprise, LiaisonOfficer
from knowledge import demo as knowledge_demo
from knowledge.models import Registration
from portal import demo as portal_demo
from portal.audit import LogEntry
from portal.validators import validate_credit_code


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    portal_demo.seed(out)
    knowledge_demo.seed(out)
    demo.seed(out)
    return out


def test_the_demo_register_is_complete_and_seeding_again_changes_nothing(seeded):
    assert KeyEnterprise.objects.count() == 8
    for enterprise in KeyEnterprise.objects.all():
        validate_credit_code(enterprise.credit_code)
        assert enterprise.credit_code[2:8] == "411000"  # Xuchang
        assert enterprise.markets and enterprise.industries and enterprise.brands_abroad
        assert enterprise.liaison_officers.filter(active=True).exists()
        assert enterprise.liaison_officers.filter(email__endswith=".example.cn").count() == (
            enterprise.liaison_officers.count()
        )
    industries = {code for enterprise in KeyEnterprise.objects.all() for code in enterprise.industries}
    assert {"other", "electrical", "mechanical"} <= industries
    attended = Registration.objects.filter(organisation__in=demo.ATTENDED, status=Registration.Status.ATTENDED)
    assert attended.count() == 2
    counts = (KeyEnterprise.objects.count(), LiaisonOfficer.objects.count(), Registration.objects.count())
    entries = LogEntry.objects.filter(action_type__startswith="enterprises.").count()

    demo.seed(io.StringIO())
    assert (KeyEnterprise.objects.count(), LiaisonOfficer.objects.count(), Registration.objects.count()) == counts
    assert LogEntry.objects.filter(action_type__startswith="enterprises.").count() == entries
