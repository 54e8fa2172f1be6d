"""Concurrent signings of guidance opinions get distinct, consecutive numbers, and one opinion
signed twice at once issues one document (PostgreSQL row locks, as in CI)."""

import re

import pytest

from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from documents import services
from documents.models import Document
from tests.concurrency import needs_row_locks, run_in_threads
from tests.documents.factories import make_case, make_opinion

pytestmark = pytest.mark.django_db(transaction=True)


@needs_row_locks
def test_concurrent_signings_get_distinct_consecutive_numbers(staff, director, deputy, monkeypatch):
    monkeypatch.setattr(services, "_queue_render", lambda document: None)  # numbering only
    opinions = []
    for _n in range(4):
        opinion = make_opinion(make_case(by=staff), staff)
        opinion_submit(opinion=opinion, by=staff)
        opinion_review(opinion=opinion, by=staff, approve=True)
        opinions.append(opinion)
    signers = [director, deputy, director, deputy]
    results = run_in_threads(
        [
            lambda o=opinion, s=signer: opinion_sign(opinion=o, by=s).document.number
            for opinion, signer in zip(opinions, signers, strict=True)
        ]
    )
    assert all(isinstance(number, str) for number in results), results
    values = sorted(int(re.search(r"〕(\d+)号", number).group(1)) for number in results)
    assert values == [1, 2, 3, 4]
    assert Document.objects.filter(kind=Document.Kind.GUIDANCE_OPINION).count() == 4


@needs_row_locks
def test_two_signatures_of_the_same_opinion_issue_one_document(staff, director, deputy, monkeypatch):
    monkeypatch.setattr(services, "_queue_render", lambda document: None)
    opinion = make_opinion(make_case(by=staff), staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    results = run_in_threads([lambda s=s: opinion_sign(opinion=opinion, by=s) for s in (director, deputy)])
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert Document.objects.filter(kind=Document.Kind.GUIDANCE_OPINION).count() == 1


def test_numbers_follow_each_other_without_gaps_when_a_signing_fails(staff, director, settings, monkeypatch):
    """Runs everywhere: a refused signing gives its number back."""
    monkeypatch.setattr(services, "_queue_render", lambda document: None)
    first, second = (make_opinion(make_case(by=staff), staff) for _ in range(2))
    for opinion in (first, second):
        opinion_submit(opinion=opinion, by=staff)
        opinion_review(opinion=opinion, by=staff, approve=True)
    path = settings.SIGNING_CERT_PATH
    settings.SIGNING_CERT_PATH = ""
    with pytest.raises(Exception, match="证书"):
        opinion_sign(opinion=first, by=director)
    settings.SIGNING_CERT_PATH = path
    assert opinion_sign(opinion=second, by=director).document.number.endswith("〕1号")
    assert opinion_sign(opinion=first, by=director).document.number.endswith("〕2号")
