"""Stuck documents come back: a render left pending (its worker killed, the broker down when it
was queued) is queued again by the periodic sweeper and rendered exactly once; staff re-run any
document that is not done from the admin, and are told why a document cannot be re-run."""

import datetime
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.urls import reverse

from documents import audit_labels as actions
from documents import services
from documents.models import Document
from documents.tasks import requeue_stuck_documents
from portal.audit import entries_for
from portal.celery import app
from portal.models import LogEntry

pytestmark = pytest.mark.django_db


def _lost_render(staff, capture, *, number="晋知指意〔2026〕3号"):
    """A document whose render task never ran: the on-commit send is dropped."""
    with capture(execute=False):
        document = services.document_request(
            kind=Document.Kind.GUIDANCE_OPINION,
            subject=staff,
            template="pdf/guidance_opinion.html",
            context={"title": "海外知识产权纠纷应对行政指导意见书", "addressee": "山西晋成精密机械有限公司"},
            title="海外知识产权纠纷应对行政指导意见书",
            by=staff,
            number=number,
        )
    return document


def _age(document, minutes):
    """Pretend the document was requested (and last queued) `minutes` ago."""
    earlier = datetime.timedelta(minutes=minutes)
    Document.objects.filter(pk=document.pk).update(created_at=document.created_at - earlier)
    # The audit log refuses updates; going back in time is for tests only.
    models.QuerySet.update(LogEntry.objects.about(document), created=F("created") - earlier)


def _files(document):
    return list((Path(document.file.storage.location) / "documents").rglob("*.pdf"))


def test_a_render_left_pending_past_the_limit_is_queued_again_and_rendered_once(
    staff, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_STUCK_MINUTES = 10
    document = _lost_render(staff, django_capture_on_commit_callbacks)
    _age(document, 9)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_documents.apply().get(disable_sync_subtasks=False) == {
            "requeued": 0,
            "failed": 0,
        }  # not yet
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING

    _age(document, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_documents.apply().get(disable_sync_subtasks=False) == {"requeued": 1, "failed": 0}
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    assert document.number == "晋知指意〔2026〕3号" and document.attempts == 1
    retried = entries_for(document).get(action_type=actions.RETRIED)
    assert retried.actor is None and "10 分钟" in retried.note

    # The first delivery turns up after all (the message came back from the broker): no second
    # file, no second number, no second document.
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_documents.apply().get(disable_sync_subtasks=False) == {"requeued": 0, "failed": 0}
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.attempts == 1 and len(_files(document)) == 1
    assert Document.objects.count() == 1


def test_the_sweeper_waits_the_full_limit_again_after_a_requeue(staff, settings, django_capture_on_commit_callbacks):
    document = _lost_render(staff, django_capture_on_commit_callbacks)
    _age(document, 30)
    # The requeued task is lost too (the broker took it, the worker died).
    with django_capture_on_commit_callbacks(execute=False):
        assert services.document_requeue_stuck() == (1, 0)
        assert services.document_requeue_stuck() == (0, 0)  # run twice: nothing more
    assert entries_for(document).filter(action_type=actions.RETRIED).count() == 1
    assert services.document_requeue_stuck(older_than=datetime.timedelta(0)) == (1, 0)


def test_a_render_that_never_finishes_is_marked_failed_for_staff(staff, django_capture_on_commit_callbacks):
    document = _lost_render(staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        for _round in range(services.MAX_AUTOMATIC_REQUEUES):
            _age(document, 30)
            assert services.document_requeue_stuck() == (1, 0)
        _age(document, 30)
        assert services.document_requeue_stuck() == (0, 1)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "多次重新排队仍未生成" in document.last_error

    # Staff re-run it: it renders, and the automatic requeues count afresh afterwards.
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(document=document, by=staff)
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error


def _admin_retry(client, document):
    return client.post(
        reverse("admin:documents_document_changelist"),
        {"action": "retry_render", "_selected_action": [document.pk]},
        follow=True,
    )


def test_staff_re_run_a_stuck_document_from_the_admin_and_are_told_what_happened(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    document = _lost_render(staff, django_capture_on_commit_callbacks)

    # Queued a moment ago: refused, with the reason.
    response = _admin_retry(client, document)
    page = response.content.decode()
    assert response.status_code == 200
    assert "该文书正在排队生成" in page and "10 分钟" in page
    assert "已重新排队" not in page

    # Pending past the limit: queued again and rendered.
    _age(document, 11)
    changelist = client.get(reverse("admin:documents_document_changelist")).content.decode()
    assert "生成超时，可重新生成" in changelist
    with django_capture_on_commit_callbacks(execute=True):
        page = _admin_retry(client, document).content.decode()
    assert "已重新排队 1 份文书" in page
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    assert entries_for(document).get(action_type=actions.RETRIED).actor == staff

    # Done: refused, nothing queued, still one file.
    page = _admin_retry(client, document).content.decode()
    assert "该文书已生成，无需重新生成。" in page and "已重新排队" not in page
    assert len(_files(document)) == 1


def test_a_failed_document_is_re_run_from_the_admin(client, staff, django_capture_on_commit_callbacks):
    document = Document.objects.create(
        kind=Document.Kind.GUIDANCE_OPINION,
        title="海外知识产权纠纷应对行政指导意见书",
        template="pdf/guidance_opinion.html",
        subject_type=ContentType.objects.get_for_model(staff),
        subject_id=staff.pk,
        status=Document.Status.FAILED,
        last_error="OSError: disk full",
    )
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        page = _admin_retry(client, document).content.decode()
    assert "已重新排队 1 份文书" in page
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.last_error == ""


def test_the_sweeper_runs_periodically():
    entries = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert "documents.tasks.requeue_stuck_documents" in entries
    assert entries["documents.tasks.requeue_stuck_documents"]["schedule"] <= 300


def test_the_admin_list_tells_each_stuck_document_without_a_query_per_row(
    client, staff, django_capture_on_commit_callbacks, made_each_time
):
    """The validity column asks each pending document whether it is stuck: the time it was last
    queued is read with the rows, so a page of stuck documents costs what a page of one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)
    url = reverse("admin:documents_document_changelist")

    def stuck_shown_and_queries():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, {"status__exact": "pending"}).content.decode()
        return page.count("生成超时，可重新生成"), len(queries)

    _age(_lost_render(staff, django_capture_on_commit_callbacks, number="晋知指意〔2026〕1号"), 11)
    stuck_shown_and_queries()  # the filters' choices and the menu, kept for the next pages
    shown, one = stuck_shown_and_queries()
    assert shown == 1
    for number in range(2, 7):
        _age(_lost_render(staff, django_capture_on_commit_callbacks, number=f"晋知指意〔2026〕{number}号"), 11)
    # Queued again a moment ago: pending, but not stuck.
    fresh = _lost_render(staff, django_capture_on_commit_callbacks, number="晋知指意〔2026〕9号")
    _age(fresh, 11)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Document),
        object_id=fresh.pk,
        action_type=actions.RETRIED,
    )
    shown, six = stuck_shown_and_queries()
    assert shown == 6
    assert six == one
