"""The case work log (CaseEvent) moves into the one audit log without losing a row, and back."""

import datetime

import pytest
from django.utils import timezone

from portal.audit import entries_for
from portal.models import LogEntry
from tests.factories import ApplicationFactory, UserFactory, submitted
from tests.schema_migrations import migrate, newest_schema_afterwards  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("newest_schema_afterwards")

BEFORE = [("cases", "0006_guidanceopinion")]
AFTER = [("cases", "0008_delete_caseevent")]

STATUS_LABELS = {"accepted": "已受理", "in_progress": "办理中", "awaiting_input": "等待协助单位或专家意见"}


@pytest.fixture
def case_pk(transactional_db):
    """A case row made without the services (they would write to the audit log already)."""
    from cases.models import Case

    application = submitted(ApplicationFactory())
    case = Case.objects.create(
        application=application,
        number="AJ-2026-000001",
        opened_at=timezone.now(),
        applicant_name=application.applicant_name,
    )
    return case.pk


def _seed_old_events(apps, case_pk, staff, director):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    start = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 0))
    rows = [
        (staff, "", "accepted", "", ""),
        (director, "accepted", "in_progress", "指定承办人：李明", "工作人员正在办理您的案件。"),
        (staff, "", "", "已首次联系申请人。电话沟通", "工作人员已与您取得联系。"),
        (staff, "", "", "起草协助办理函：商请推荐专家", ""),
        (
            None,
            "in_progress",
            "awaiting_input",
            "等待协助单位回函 晋知指〔2026〕3号",
            "已商请协助单位或专家提供协助，等待反馈。",
        ),
        (staff, "in_progress", "in_progress", "承办人由 李明 改为 王芳", ""),
    ]
    for hour, (actor, before, after, note, public_note) in enumerate(rows):
        row = CaseEvent.objects.create(
            case_id=case_pk,
            actor_id=actor.pk if actor else None,
            from_status=before,
            to_status=after,
            note=note,
            public_note=public_note,
        )
        CaseEvent.objects.filter(pk=row.pk).update(at=start + datetime.timedelta(hours=hour))


def _old_lines(apps):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    return [
        (e.pk, e.case_id, e.actor_id, e.at, e.from_status, e.to_status, e.note, e.public_note)
        for e in CaseEvent.objects.order_by("at", "pk")
    ]


def test_every_case_event_becomes_one_audit_entry_with_the_same_timelines_and_back(case_pk):
    staff, director = UserFactory(), UserFactory()
    old = migrate(BEFORE)
    _seed_old_events(old, case_pk, staff, director)
    lines = _old_lines(old)
    # What the applicant read before: the public notes, with the status each step led to.
    old_public = [
        {"at": at, "status": STATUS_LABELS.get(after, ""), "text": public_note}
        for _pk, _case, _actor, at, _before, after, _note, public_note in lines
        if public_note
    ]
    assert len(lines) == 6 and len(old_public) == 3

    migrate(AFTER)

    from cases import services
    from cases.models import Case

    # Only the columns of that time: the current model has fields later migrations add.
    case = Case.objects.only("pk", "number", "status", "application_id").get(pk=case_pk)
    entries = list(entries_for(case, with_scope=True))
    assert LogEntry.objects.filter(action_type__startswith="cases.").count() == len(lines)
    # Same actor, time, from → to, note and note for the applicant, in the same order.
    assert [
        (e.object_id, e.actor_id, e.created, e.from_status, e.to_status, e.note, e.public_note) for e in entries
    ] == [line[1:] for line in lines]
    assert [e.action_type for e in entries] == [
        "cases.case.opened",
        "cases.case.transition",
        "cases.case.recorded",
        "cases.case.recorded",
        "cases.case.transition",
        "cases.case.recorded",
    ]
    assert entries[1].status_change == "已受理 → 办理中"
    assert all(e.action_label != e.action_type for e in entries)  # every type has a label
    assert services.case_public_timeline(case) == old_public

    apps = migrate(BEFORE)
    assert _old_lines(apps) == lines
    assert not LogEntry.objects.filter(action_type__startswith="cases.").exists()
