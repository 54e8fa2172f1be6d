"""The guidance opinion's event table (OpinionEvent) moves into the one audit log without losing a
row, the model moves from documents to cases keeping its table and rows, and both come back."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from portal.audit import entries_for
from portal.models import LogEntry
from tests.factories import ApplicationFactory, UserFactory, submitted
from tests.schema_migrations import migrate, migrate_to_newest, newest_schema_afterwards  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("newest_schema_afterwards")

BEFORE = [("documents", "0007_delete_documentevent")]

LABELS = {"draft": "起草中", "in_review": "待承办人审核", "approved": "待签发", "signed": "已签发"}


@pytest.fixture
def case_pk(transactional_db):
    """A case row made without the services (they would write to the audit log already)."""
    from cases.models import Case

    application = submitted(ApplicationFactory())
    case = Case.objects.create(
        application=application,
        number="AJ-2026-000007",
        opened_at=timezone.now(),
        applicant_name=application.applicant_name,
    )
    return case.pk


def _seed_old(apps, case_pk, staff, director):
    """An opinion under the documents app with the events of drafting, a return, approval,
    signature and a correction, an hour apart."""
    GuidanceOpinion = apps.get_model("documents", "GuidanceOpinion")
    OpinionEvent = apps.get_model("documents", "OpinionEvent")
    opinion = GuidanceOpinion.objects.create(
        case_id=case_pk,
        status="draft",
        addressee="山西晋成精密机械有限公司",
        dispute_summary="纠纷概况",
        analysis="分析",
        responses_detail="建议",
        drafted_by_id=staff.pk,
    )
    start = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 0))
    rows = [
        (staff, "", "draft", ""),
        (staff, "draft", "in_review", ""),
        (staff, "in_review", "draft", "请补充美国判例。"),
        (staff, "draft", "in_review", ""),
        (staff, "in_review", "approved", "同意，请签发。"),
        (director, "approved", "signed", "晋知指意〔2026〕1号"),
        (director, "signed", "draft", "更正引用的法条。"),
        (None, "draft", "draft", "系统记录"),
    ]
    for hour, (actor, before, after, note) in enumerate(rows):
        event = OpinionEvent.objects.create(
            opinion=opinion, actor_id=actor.pk if actor else None, from_status=before, to_status=after, note=note
        )
        OpinionEvent.objects.filter(pk=event.pk).update(at=start + datetime.timedelta(hours=hour))
    return opinion.pk


def _old_lines(apps):
    OpinionEvent = apps.get_model("documents", "OpinionEvent")
    return [
        (e.opinion_id, e.actor_id, e.at, e.from_status, e.to_status, e.note)
        for e in OpinionEvent.objects.order_by("at", "pk")
    ]


def _old_timeline(lines):
    """The admin's history of the opinion as it read before: time, who, from → to, note."""
    rows = []
    for _opinion, actor, at, before, after, note in lines:
        change = f"{LABELS[before]} → {LABELS[after]}" if before and before != after else LABELS[after]
        rows.append((at, actor, change, note))
    return rows


def test_every_opinion_event_becomes_one_audit_entry_with_the_same_history_and_back(case_pk):
    staff, director = UserFactory(), UserFactory()
    old = migrate(BEFORE)
    opinion_pk = _seed_old(old, case_pk, staff, director)
    lines = _old_lines(old)
    assert len(lines) == 8

    # Forward to the newest schema (the rest reads through today's models; the case file reads
    # documents), through the move of the events (documents 0008) and of the model (cases 0006).
    migrate_to_newest()

    from cases.models import Case, GuidanceOpinion
    from cases.opinions.casefile import case_file_context

    opinion = GuidanceOpinion.objects.get(pk=opinion_pk)  # the same row, now in the cases app
    assert opinion.addressee == "山西晋成精密机械有限公司" and opinion.case_id == case_pk
    assert ContentType.objects.get_for_model(GuidanceOpinion).app_label == "cases"
    assert not ContentType.objects.filter(app_label="documents", model="guidanceopinion").exists()

    entries = list(entries_for(opinion))
    assert LogEntry.objects.filter(action_type__startswith="cases.opinion.").count() == len(lines)
    assert [(e.object_id, e.actor_id, e.created, e.from_status, e.to_status, e.note) for e in entries] == lines
    assert [e.action_type for e in entries] == [
        "cases.opinion.created",
        "cases.opinion.submitted",
        "cases.opinion.returned",
        "cases.opinion.submitted",
        "cases.opinion.approved",
        "cases.opinion.signed",
        "cases.opinion.reopened",
        "cases.opinion.transition",
    ]
    assert all(e.action_label != e.action_type for e in entries)  # every type has a label
    assert [(e.created, e.actor_id, e.status_change, e.note) for e in entries] == _old_timeline(lines)
    # The case's whole log (what the case file reads) holds them, within the case's scope.
    case = Case.objects.get(pk=case_pk)
    assert [e.pk for e in entries_for(case, with_scope=True) if e.action_type.startswith("cases.opinion.")] == [
        e.pk for e in entries
    ]
    timeline = [row for row in case_file_context(case)["timeline"] if "已签发" in row["what"]]
    assert timeline[0]["note"] == "晋知指意〔2026〕1号"

    apps = migrate(BEFORE)
    assert _old_lines(apps) == lines
    assert apps.get_model("documents", "GuidanceOpinion").objects.filter(pk=opinion_pk).exists()
    assert not LogEntry.objects.filter(action_type__startswith="cases.opinion.").exists()
    assert ContentType.objects.filter(app_label="documents", model="guidanceopinion").exists()
