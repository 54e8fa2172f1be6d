"""The Celery application. Workers start with `celery -A portal worker -Q documents,default`."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A safety net for the worker processes' memory (a signed 3-page opinion keeps a prefork child near
# 220 MiB; a leak in a library, or an unusually large document, must not grow it without bound):
# after a task, a child whose peak resident set passed WORKER_MAX_MEMORY_MIB (default 300) is
# replaced by a fresh one, and every child is replaced after WORKER_MAX_TASKS_PER_CHILD tasks
# (default 1000). A new child pays its warm-up (fonts, WeasyPrint, pyHanko, about a second) once.
# Celery reads the peak (ru_maxrss), so the limit sits above a normal document's peak.
app.conf.worker_max_memory_per_child = int(os.environ.get("WORKER_MAX_MEMORY_MIB", "300")) * 1024  # KiB
app.conf.worker_max_tasks_per_child = int(os.environ.get("WORKER_MAX_TASKS_PER_CHILD", "1000"))

# What a worker does besides its tasks (signal handlers in portal.workers): a heartbeat for /healthz
# every 30 s, the time each document render takes, and its own /metrics port when WORKER_METRICS_PORT
# is set. Every process's log records name the request or task they were written in (portal.logging).
from portal import logging as portal_logging  # noqa: E402
from portal import workers  # noqa: E402, F401

portal_logging.install()

# Periodic jobs (celery beat). Each names a task that is safe to run twice.
app.conf.beat_schedule = {
    "case-deadline-reminders": {
        "task": "cases.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    "plan-quarterly-meetings": {
        "task": "meetings.tasks.plan_quarterly_meetings",
        "schedule": crontab(hour=7, minute=0),
    },
    "expert-invitation-reminders": {
        "task": "experts.tasks.send_invitation_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "requeue-stuck-documents": {
        "task": "documents.tasks.requeue_stuck_documents",
        "schedule": 120.0,
    },
    "relay-outbox": {
        "task": "portal.tasks.relay_outbox",
        "schedule": 30.0,
    },
    "remove-orphan-files": {
        "task": "portal.tasks.remove_orphan_files",
        "schedule": crontab(minute=40),
    },
    # Long jobs whose worker stopped are marked failed (to be run again); old results removed.
    "sweep-jobs": {
        "task": "portal.tasks.sweep_jobs",
        "schedule": 300.0,
    },
    "relay-pending-emails": {
        "task": "portal.tasks.relay_pending_emails",
        "schedule": 60.0,
    },
    "prune-audit-log": {
        "task": "portal.tasks.prune_audit_log",
        "schedule": crontab(hour=3, minute=30),
    },
    "official-calendar-sync": {
        "task": "portal.tasks.sync_official_calendar",
        "schedule": crontab(hour=6, minute=0),
    },
    "application-deadline-reminders": {
        "task": "applications.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
    # After the application reminders: the applicant's own deadline abroad, to the handler and director.
    "foreign-deadline-alerts": {
        "task": "applications.tasks.send_foreign_deadline_alerts",
        "schedule": crontab(hour=8, minute=20),
    },
    "consultation-follow-up-reminders": {
        "task": "consultations.tasks.send_follow_up_reminders",
        "schedule": crontab(hour=8, minute=45),
    },
    "meeting-action-item-reminders": {
        "task": "meetings.tasks.send_action_item_reminders",
        "schedule": crontab(hour=9, minute=15),
    },
    # Monday 08:00 in the portal's time zone (CELERY_TIMEZONE = TIME_ZONE, Asia/Shanghai).
    "knowledge-weekly-digest": {
        "task": "knowledge.tasks.send_weekly_digest",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
}
