"""The daily reminder of follow-ups due."""

import datetime

import pytest
from django.utils import timezone

from consultations import services
from consultations.tasks import send_follow_up_reminders
from portal.audit import entries_for
from portal.models import Notification

pytestmark = pytest.mark.django_db


def test_the_receiving_staff_member_is_reminded_once_a_day_of_due_follow_ups(staff, park_user, log):
    today = timezone.localdate()
    overdue = log(staff, person_name="逾期", follow_up_on=today - datetime.timedelta(days=3))
    due = log(staff, person_name="今日", follow_up_on=today)
    later = log(staff, person_name="以后", follow_up_on=today + datetime.timedelta(days=1))
    closed = log(staff, person_name="已办结", follow_up_on=today)
    services.consultation_close(consultation=closed, by=staff)
    theirs = log(park_user, person_name="园区的", follow_up_on=today)

    assert send_follow_up_reminders.delay().get() == 3
    note = Notification.objects.get(recipient=staff)
    assert "2 条咨询待跟进" in note.subject
    assert overdue.number in note.body and "已逾期" in note.body and due.number in note.body
    assert later.number not in note.body and closed.number not in note.body
    assert theirs.number in Notification.objects.get(recipient=park_user).body
    overdue.refresh_from_db()
    assert overdue.follow_up_reminded_on == today
    assert entries_for(overdue).filter(action_type="consultations.consultation.follow_up_reminded").count() == 1

    # The same day again: nothing more.
    assert send_follow_up_reminders.delay().get() == 0
    assert Notification.objects.count() == 2
    # The next day, still not followed up: reminded again.
    assert services.consultation_follow_ups_remind(today=today + datetime.timedelta(days=1)) == 4


def test_the_task_is_in_the_beat_schedule():
    from portal.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "consultations.tasks.send_follow_up_reminders" in tasks
