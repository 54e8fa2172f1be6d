"""The applications' status history (ApplicationEvent) moves into the one audit log without losing
a row, and back; the users' organisations move from portal's User to applications.ApplicantAccount."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from applications.selectors import applicant_of, timeline
from portal.audit import entries_for
from portal.models import LogEntry, User
from tests.factories import ApplicantFactory, UserFactory
from tests.schema_migrations import migrate, migrate_to_newest, newest_schema_afterwards  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("newest_schema_afterwards")

BEFORE = [("applications", "0006_applicantaccount")]


def _seed_old_events(apps, applicant_user, staff):
    """Two applications with the history they had before: one accepted after a correction, one
    withdrawn while a draft."""
    Application = apps.get_model("applications", "Application")
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    organisation_id = apps.get_model("applications", "ApplicantAccount").objects.get(user_id=applicant_user.pk)
    start = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 0))

    def application(status, number):
        return Application.objects.create(
            applicant_id=organisation_id.applicant_id,
            created_by_id=applicant_user.pk,
            status=status,
            number=number,
            applicant_name="山西晋成精密机械有限公司",
        )

    accepted = application("accepted", "SQ-2026-000001")
    withdrawn = application("withdrawn", None)
    rows = [
        (accepted, applicant_user, "", "draft", ""),
        (accepted, applicant_user, "draft", "submitted", ""),
        (accepted, staff, "submitted", "returned", "请补充对方来函的译文"),
        (accepted, applicant_user, "returned", "submitted", "补正后重新提交（第 2 版）"),
        (accepted, staff, "submitted", "accepted", "材料齐全"),
        (withdrawn, applicant_user, "", "draft", ""),
        (withdrawn, applicant_user, "draft", "withdrawn", "已与对方和解"),
    ]
    for minute, (target, actor, before, after, note) in enumerate(rows):
        event = ApplicationEvent.objects.create(
            application=target, actor_id=actor.pk, from_status=before, to_status=after, note=note
        )
        ApplicationEvent.objects.filter(pk=event.pk).update(at=start + datetime.timedelta(minutes=minute))
    return accepted.pk, withdrawn.pk


def _old_lines(apps):
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    return [
        (e.application_id, e.actor_id, e.at, e.from_status, e.to_status, e.note)
        for e in ApplicationEvent.objects.order_by("at", "pk")
    ]


def test_every_application_event_becomes_one_audit_entry_with_the_same_timeline_and_back(client, applicant, staff):
    apps = migrate(BEFORE)
    accepted_pk, withdrawn_pk = _seed_old_events(apps, applicant, staff)
    old_lines = _old_lines(apps)
    assert len(old_lines) == 7

    # Forward to the latest schema (the models below are today's), through the audit migration.
    migrate_to_newest()

    assert "applications_applicationevent" not in connection.introspection.table_names()
    migrated = LogEntry.objects.filter(action_type__startswith="applications.application.")
    assert migrated.count() == 7
    new_lines = [
        (e.object_id, e.actor_id, e.created, e.from_status, e.to_status, e.public_note)
        for e in migrated.order_by("created", "pk")
    ]
    assert new_lines == old_lines
    assert [e.action_label for e in migrated.order_by("created", "pk")] == [
        "开始填写申请书",
        "提交申请",
        "退回补正",
        "提交申请",
        "受理申请",
        "开始填写申请书",
        "撤回申请",
    ]

    accepted = Application.objects.get(pk=accepted_pk)
    # The applicant's timeline reads the same steps and notes as the rows did.
    steps = [(step.at, step.title, step.note) for step in timeline(accepted)]
    assert steps[2][1:] == ("申请需要补正", "请补充对方来函的译文")
    assert [at for at, _title, _note in steps] == [line[2] for line in old_lines if line[0] == accepted_pk]
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[accepted_pk])).content.decode()
    assert "请补充对方来函的译文" in page and "补正后重新提交（第 2 版）" in page and "材料齐全" in page
    # Staff read who did what, when, and the change of status.
    client.force_login(staff)
    page = client.get(reverse("admin:applications_application_change", args=[accepted_pk])).content.decode()
    history = page[page.index('id="application-history"') :]
    assert "已提交 → 退回补正" in history and str(staff) in history and "2026-07-01 09:02" in history
    assert entries_for(Application.objects.get(pk=withdrawn_pk)).last().public_note == "已与对方和解"

    apps = migrate(BEFORE)
    assert _old_lines(apps) == old_lines
    assert not LogEntry.objects.filter(action_type__startswith="applications.application.").exists()


def test_every_users_organisation_moves_to_an_applicant_account_and_back():
    organisation = ApplicantFactory()
    members = [UserFactory(applicant=organisation) for _ in range(2)]
    loner = UserFactory()
    apps = migrate([("applications", "0005_backfill_deadlines")])
    OldUser = apps.get_model("portal", "User")
    assert set(OldUser.objects.filter(applicant_id=organisation.pk).values_list("pk", flat=True)) == {
        member.pk for member in members
    }
    assert OldUser.objects.get(pk=loner.pk).applicant_id is None

    migrate_to_newest()

    for member in members:
        assert applicant_of(User.objects.get(pk=member.pk)) == organisation
    assert applicant_of(User.objects.get(pk=loner.pk)) is None
