"""Two staff members taking the last free slot of one expert at the same moment: one wins,
the other is told why. The threaded test needs real row locks (PostgreSQL, as in CI)."""

import pytest
from django.utils import timezone

from experts import services
from experts.models import ExpertInvitation
from experts.services import CapacityExceeded
from tests.concurrency import needs_row_locks, run_in_threads
from tests.experts.factories import ExpertFactory, make_case

pytestmark = pytest.mark.django_db(transaction=True)


@needs_row_locks
def test_two_staff_racing_for_the_last_slot_one_wins(staff, director):
    expert = ExpertFactory(max_concurrent_cases=1)
    cases = [make_case(), make_case()]
    deadline = timezone.now() + timezone.timedelta(days=3)
    results = run_in_threads(
        [
            lambda: services.expert_invite(case=cases[0], expert=expert, by=staff, deadline=deadline),
            lambda: services.expert_invite(case=cases[1], expert=expert, by=director, deadline=deadline),
        ]
    )
    won = [r for r in results if isinstance(r, ExpertInvitation)]
    lost = [r for r in results if isinstance(r, CapacityExceeded)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "没有空余名额" in lost[0].message
    assert ExpertInvitation.objects.filter(expert=expert).count() == 1
