"""Concurrent submissions: distinct numbers for distinct applications, one number per application.

The threaded parts need a database with real row locks (PostgreSQL, as in CI). SQLite locks
the whole file and answers a second writer with "database is locked", so there those parts
are skipped; the same guarantees are shown without threads in test_services.py.
"""

import pytest

from applications import services
from applications.models import Application
from portal.transitions import TransitionNotAllowed
from tests.applications.factories import complete_draft
from tests.concurrency import needs_row_locks, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


@needs_row_locks
def test_concurrent_submissions_of_different_applications_get_distinct_numbers(applicant):
    drafts = [complete_draft(applicant) for _ in range(6)]
    results = run_in_threads(
        [lambda d=draft: services.application_submit(application=d, by=applicant).number for draft in drafts]
    )
    assert all(isinstance(number, str) for number in results), results
    assert len(set(results)) == 6
    assert sorted(int(n.rsplit("-", 1)[1]) for n in results) == [1, 2, 3, 4, 5, 6]


@needs_row_locks
def test_a_double_click_in_two_requests_gives_one_number(applicant):
    draft = complete_draft(applicant)
    results = run_in_threads([lambda: services.application_submit(application=draft, by=applicant).number] * 2)
    numbers = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(numbers) == 1 and len(refused) == 1, results
    assert Application.objects.exclude(number=None).count() == 1
    assert draft.versions.count() == 1


def test_sequential_submissions_in_committed_transactions_get_distinct_numbers(applicant):
    """The part that runs everywhere: each submit commits on its own, as real requests do."""
    numbers = [services.application_submit(application=complete_draft(applicant), by=applicant).number for _ in "ab"]
    assert numbers[0] != numbers[1]
