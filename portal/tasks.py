"""Periodic work of the base layer (called by celery beat; see portal/celery.py)."""

from celery import shared_task
from django.db import OperationalError

from portal import audit, jobs, outbox
from portal.files import orphan_files_remove
from portal.notifications import email_relay_pending
from portal.workdays import official_calendar_sync


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def sync_official_calendar():
    """Load the holiday arrangements of the installed chinesecalendar (new years arrive with a
    library upgrade). Idempotent; never overwrites days that staff entered or edited."""
    return official_calendar_sync()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=300, max_retries=3)
def relay_pending_emails():
    """Send e-mails whose immediate task never ran (broker down) or whose retry is due."""
    return email_relay_pending()


@shared_task
def prune_audit_log():
    """Remove audit entries past AUDIT_RETENTION_DAYS (never fewer than about six months)."""
    return audit.prune_audit_log()


@shared_task
def relay_outbox():
    """Hand to Celery the work recorded with a state change that the broker has not taken yet
    (it was down or refused the message at commit). Idempotent: see portal.outbox."""
    relayed, waiting = outbox.relay_pending()
    return {"relayed": relayed, "waiting": waiting}


@shared_task
def remove_orphan_files():
    """Delete files in the media folders that no row references and that are over an hour old
    (written by a rolled-back transaction, or by a render whose result was never saved)."""
    return len(orphan_files_remove())


@shared_task
def sweep_jobs():
    """Mark failed the jobs their worker left running (so that they can be run again) and remove
    finished jobs past JOB_RESULT_DAYS with their files (portal.jobs.jobs_sweep)."""
    return jobs.jobs_sweep()


@shared_task
def run_job(job_pk):
    """Run one long job a person started (portal.jobs); idempotent: a finished or running job
    is not run again."""
    return jobs.run(job_pk)
