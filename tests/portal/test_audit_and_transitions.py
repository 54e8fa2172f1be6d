"""The mechanisms every app builds on: the append-only audit log and declared status transitions."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.access import Forbidden
from portal.audit import entries_for, log_action, prune_audit_log
from portal.models import EmailDelivery, LogEntry
from portal.models.audit import AppendOnly
from portal.transitions import DirectStatusWrite, StatusField, TransitionNotAllowed, status_models, transition

pytestmark = pytest.mark.django_db
S = EmailDelivery.Status


def delivery():
    return EmailDelivery.objects.create(to="a@example.com", subject="s", body="b")


def test_a_direct_status_write_fails_after_the_object_exists():
    mail = delivery()
    with pytest.raises(DirectStatusWrite):
        mail.status = S.SENT
    assert EmailDelivery.objects.get(pk=mail.pk).status == S.PENDING


def test_a_loaded_object_cannot_be_written_directly_either_but_reloads_freely():
    mail = delivery()
    loaded = EmailDelivery.objects.get(pk=mail.pk)
    with pytest.raises(DirectStatusWrite):
        loaded.status = S.FAILED
    EmailDelivery.objects.filter(pk=mail.pk).update(status=S.SENT)
    loaded.refresh_from_db()
    assert loaded.status == S.SENT


def test_a_transition_saves_the_status_and_writes_one_audit_entry(staff):
    mail = delivery()
    transition(mail, S.FAILED, by=staff, action="portal.email.failed", note="smtp down")
    assert EmailDelivery.objects.get(pk=mail.pk).status == S.FAILED
    [entry] = entries_for(mail)
    assert (entry.actor, entry.from_status, entry.to_status, entry.note) == (staff, S.PENDING, S.FAILED, "smtp down")
    assert entry.status_change == "待发送 → 发送失败"
    assert entry.action_label == "邮件发送失败"


def test_a_transition_from_the_wrong_state_names_the_state_the_object_is_in_now(staff):
    mail = delivery()
    stale_copy = EmailDelivery.objects.get(pk=mail.pk)
    transition(mail, S.SENT, by=staff, action="portal.email.sent")
    with pytest.raises(TransitionNotAllowed) as refused:
        transition(stale_copy, S.FAILED, by=staff, action="portal.email.failed")
    assert "当前状态为“已发送”" in refused.value.messages[0]
    assert EmailDelivery.objects.get(pk=mail.pk).status == S.SENT
    assert entries_for(mail).count() == 1


def test_a_transition_checks_the_actors_permission_and_writes_nothing_when_refused(applicant):
    mail = delivery()
    with pytest.raises(Forbidden) as refused:
        transition(
            mail,
            S.FAILED,
            by=applicant,
            action="portal.email.failed",
            permission=lambda user, obj: False,
            denied_message="不可以",
        )
    assert str(refused.value) == "不可以"
    assert EmailDelivery.objects.get(pk=mail.pk).status == S.PENDING
    assert not entries_for(mail).exists()


def test_audit_entries_are_append_only(staff):
    entry = log_action(delivery(), "portal.email.sent", by=staff)
    entry.note = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        LogEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        LogEntry.objects.update(note="x")
    assert LogEntry.objects.get(pk=entry.pk).note == ""


def test_the_client_address_of_the_request_is_recorded(client, staff):
    """The resend action in the admin is done by a person at an address: the entry keeps it."""
    client.force_login(staff)
    mail = delivery()
    transition(mail, S.FAILED, by=None, action="portal.email.failed")
    response = client.post(
        "/admin/portal/emaildelivery/",
        {"action": "resend", "_selected_action": [mail.pk]},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    resent = entries_for(mail).get(action_type="portal.email.resent")
    assert (resent.actor, resent.client_address) == (staff, "203.0.113.9")
    assert entries_for(mail).get(action_type="portal.email.failed").client_address is None


def test_pruning_keeps_the_retention_period_and_refuses_less_than_six_months(settings, staff):
    mail = delivery()
    old = log_action(mail, "portal.email.sent", by=staff, at=timezone.now() - datetime.timedelta(days=400))
    recent = log_action(mail, "portal.email.sent", by=staff, at=timezone.now() - datetime.timedelta(days=100))
    settings.AUDIT_RETENTION_DAYS = 365
    assert prune_audit_log() == 1
    assert list(LogEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk not in LogEntry.objects.values_list("pk", flat=True)
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured):
        prune_audit_log()
    assert LogEntry.objects.filter(pk=recent.pk).exists()


def test_every_model_with_a_status_declares_its_transitions():
    """A status that is a plain CharField could be written from anywhere: every one is declared."""
    from django.apps import apps

    undeclared = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.name != "status" or not field.choices:
                continue
            if not isinstance(field, StatusField):
                undeclared.append(model._meta.label)
                continue
            values = {value for value, _ in field.flatchoices}
            if set(field.transitions) != values or any(set(t) - values for t in field.transitions.values()):
                undeclared.append(f"{model._meta.label} (map does not cover its choices)")
    assert undeclared == []
    assert EmailDelivery in status_models()


def test_the_status_diagrams_command_prints_every_map():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("status_diagrams", stdout=out)
    assert "stateDiagram-v2" in out.getvalue()
    assert "failed --> pending" in out.getvalue()
    assert all(model._meta.label in out.getvalue() for model in status_models())


def test_a_forbidden_action_answers_403_with_its_message(rf):
    from portal.errors import permission_denied

    response = permission_denied(rf.get("/"), Forbidden("只有主任或副主任可以签发。"))
    assert response.status_code == 403
    assert "只有主任或副主任可以签发。" in response.content.decode()


def test_the_admin_log_is_read_only_and_filters_by_what_actions_read_as(client, staff):
    admin_user = type(staff).objects.create_superuser(email="root@example.cn", password="x" * 12, full_name="管理员")
    client.force_login(admin_user)
    mail = delivery()
    transition(mail, S.FAILED, by=staff, action="portal.email.failed")
    log_action(mail, "portal.email.resent", by=staff)
    page = client.get("/admin/portal/logentry/").content.decode()
    assert "邮件发送失败" in page and "?action=portal.email.failed" in page
    filtered = client.get("/admin/portal/logentry/?action=portal.email.resent").content.decode()
    assert filtered.count('class="field-action_display"') == 1 and "重新发送邮件" in filtered
    assert client.get("/admin/portal/logentry/?action=%00junk").status_code == 200
    entry = LogEntry.objects.first()
    assert client.get(f"/admin/portal/logentry/{entry.pk}/change/").status_code == 200  # view only
    assert client.post(f"/admin/portal/logentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/portal/logentry/add/").status_code == 403
    assert LogEntry.objects.count() == 2
