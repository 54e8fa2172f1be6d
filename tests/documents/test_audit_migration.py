"""The documents' event table moves into the one audit log without losing a row, and back."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from portal.audit import entries_for
from portal.models import LogEntry
from tests.documents.factories import make_case
from tests.schema_migrations import migrate, migrate_to_newest, newest_schema_afterwards  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("newest_schema_afterwards")

BEFORE = [("documents", "0005_backfill_document_case")]

# What the document history read as before (the labels of the former event table).
OLD_LABELS = {
    "requested": "申请生成",
    "rendered": "已生成",
    "signed": "已加数字签名",
    "failed": "生成失败",
    "retried": "重新生成",
    "superseded": "被新版本取代",
    "revoked": "已撤销",
}


@pytest.fixture
def case(transactional_db, staff):
    return make_case(by=staff)


def _seed_old_events(apps, case, staff, director):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Document = apps.get_model("documents", "Document")
    DocumentEvent = apps.get_model("documents", "DocumentEvent")
    user_type = ContentType.objects.get(app_label="portal", model="user")
    start = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 0))

    def document(number, *, case_id=None, **fields):
        return Document.objects.create(
            kind="acceptance_notice",
            title="受理通知书",
            number=number,
            template="pdf/acceptance_notice.html",
            subject_type=user_type,
            subject_id=staff.pk,
            case_id=case_id,
            status="ready",
            verification_code=f"CODE{number[-3:]}",
            **fields,
        )

    first = document("晋知指受〔2026〕001", case_id=case.pk)
    second = document("晋知指受〔2026〕002", case_id=case.pk, version=2)
    loose = document("晋知指受〔2026〕003")
    rows = [
        (first, staff, "requested", ""),
        (first, None, "failed", "OSError: disk full"),
        (first, staff, "retried", ""),
        (first, None, "rendered", "SHA-256 " + "a" * 64),
        (second, director, "requested", ""),
        (second, None, "signed", "SHA-256 " + "b" * 64),
        (first, director, "superseded", "由 晋知指受〔2026〕002 取代。地址有误"),
        (loose, staff, "requested", ""),
        (loose, None, "rendered", "SHA-256 " + "c" * 64),
        (loose, director, "revoked", "误发"),
    ]
    for minute, (target, actor, action, note) in enumerate(rows):
        event = DocumentEvent.objects.create(
            document=target, actor_id=actor.pk if actor else None, action=action, note=note
        )
        DocumentEvent.objects.filter(pk=event.pk).update(at=start + datetime.timedelta(minutes=minute))
    return first.pk, second.pk, loose.pk


def _old_lines(apps):
    DocumentEvent = apps.get_model("documents", "DocumentEvent")
    return [(e.document_id, e.actor_id, e.at, e.action, e.note) for e in DocumentEvent.objects.order_by("at", "pk")]


def test_every_document_event_becomes_one_audit_entry_with_the_same_timeline_and_back(case, client, staff, director):
    apps = migrate(BEFORE)
    first_pk, second_pk, loose_pk = _seed_old_events(apps, case, staff, director)
    old_lines = _old_lines(apps)
    assert len(old_lines) == 10

    # Forward to the newest schema (the rest reads through today's models and admin), through the
    # move (0006) and the old table's removal (0007).
    migrate_to_newest()
    assert "documents_documentevent" not in connection.introspection.table_names()

    migrated = LogEntry.objects.filter(action_type__startswith="documents.document.")
    assert migrated.count() == 10
    new_lines = [
        (e.object_id, e.actor_id, e.created, e.action_type.removeprefix("documents.document."), e.note)
        for e in migrated.order_by("created", "pk")
    ]
    assert new_lines == old_lines
    assert [e.action_label for e in migrated.order_by("created", "pk")] == [OLD_LABELS[line[3]] for line in old_lines]

    first, loose = Document.objects.get(pk=first_pk), Document.objects.get(pk=loose_pk)
    rendered = entries_for(first).get(action_type="documents.document.rendered")
    assert rendered.to_status == "ready" and rendered.status_change == "已生成"
    # The documents of the case are in its timeline; the one without a case is not.
    # (Only the documents' entries: the case's own carry its id, which may be any of these numbers.)
    in_case = set(
        entries_for(case, with_scope=True)
        .filter(action_type__startswith="documents.document.")
        .values_list("object_id", flat=True)
    )
    assert {first_pk, second_pk} <= in_case and loose_pk not in in_case
    assert entries_for(loose).get(action_type="documents.document.revoked").scope is None

    # The staff's page shows the same lines: time, step, who, note.
    client.force_login(staff)
    page = client.get(reverse("admin:documents_document_change", args=[first.pk])).content.decode()
    history = page[page.index('data-testid="document-history"') :]
    for _pk, _actor, at, action, note in [line for line in old_lines if line[0] == first_pk]:
        assert timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") in history
        assert OLD_LABELS[action] in history
        assert note in history
    assert str(director) in history and "OSError: disk full" in history

    apps = migrate(BEFORE)
    assert _old_lines(apps) == old_lines
    assert not LogEntry.objects.filter(action_type__startswith="documents.document.").exists()
