"""Long work a person starts and waits for, run by Celery with its progress on a `Job` row.

An app registers what a kind of job does, from its AppConfig.ready():

    jobs.register("reporting.national_export", run_national_export)

where `run_national_export(job, progress)` reads `job.params`, calls `progress(done, total,
message)` as it goes (cheap: it writes at most a few times a second), and returns a `JobResult`
(a file to keep, or a link to where the result lives). A view starts a run with
`jobs.start(kind=..., label=..., params=..., by=request.user)` and sends the person to the job's
page, which shows the progress bar and, when done, the link; a run that raised is marked failed
with what failed, and can be run again with the same parameters (`jobs.retry`).

The base layer knows no kind: the runners live in the apps that own the work."""

import dataclasses
import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import outbox
from portal.models import Job

logger = logging.getLogger(__name__)

# A progress update is written at most this often (seconds); the first and the last always are.
PROGRESS_INTERVAL = 0.5

_runners: dict[str, Callable] = {}


class UnknownJobKind(LookupError):
    pass


class JobFailed(Exception):
    """A runner's way to fail with a message meant for the person who started the job (shown to
    everyone, unlike an exception's text, which only staff see) and a summary for the job's page
    (an import's rows with their errors)."""

    def __init__(self, message: str, *, data: dict | None = None):
        super().__init__(message)
        self.message = message
        self.data = data or {}


@dataclasses.dataclass
class JobResult:
    content: bytes | None = None
    name: str = ""
    content_type: str = ""
    url: str = ""
    message: str = ""
    # A JSON summary shown on the job's page (an import's counts).
    data: dict = dataclasses.field(default_factory=dict)


def visible_jobs(user):
    """The jobs a user may see: the ones the user started (every job, for a superuser). The one
    rule for the job pages, the download and the admin; any other id is a 404."""
    if not user.is_authenticated:
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


def can_retry(user, job: Job) -> bool:
    return job.status == Job.Status.FAILED and visible_jobs(user).filter(pk=job.pk).exists()


def register(kind: str, runner: Callable) -> None:
    _runners[kind] = runner


def registered_kinds() -> list[str]:
    return sorted(_runners)


def start(*, kind: str, label: str, params: dict | None = None, by) -> Job:
    """Record a run and queue it once the surrounding transaction commits."""
    if kind not in _runners:
        raise UnknownJobKind(kind)
    with transaction.atomic():
        job = Job.objects.create(kind=kind, label=label, params=params or {}, created_by=by)
        outbox.enqueue("portal.tasks.run_job", str(job.pk))
    return job


class NotRetryable(Exception):
    """Only a failed job can be run again (a finished one has its result; a running one runs)."""


def retry(*, job: Job, by) -> Job:
    """Run a failed job again, with the same parameters, as a new run of its own (the failed run
    stays, with what failed). The new run belongs to the person who asked for it."""
    if job.status != Job.Status.FAILED:
        raise NotRetryable(job.pk)
    return start(kind=job.kind, label=job.label, params=job.params, by=by)


def _progress_key(job_pk):
    return f"job-progress:{job_pk}"


class _Progress:
    """Writes the progress on the job's row. A runner that works inside one transaction (an
    import saves all of its rows or none) cannot make its row visible before it commits: its
    progress goes to the cache, which the status page reads while the job runs."""

    def __init__(self, job_pk):
        self.job_pk = job_pk
        self.last_write = 0.0
        self.state = {}

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self.state["done"] = done
        if total is not None:
            self.state["total"] = total
        if message:
            self.state["message"] = message[:300]
        now = time.monotonic()
        last = total is not None and done >= total
        if now - self.last_write < PROGRESS_INTERVAL and not last and self.last_write:
            return
        self.last_write = now
        if connection.in_atomic_block:
            try:
                cache.set(_progress_key(self.job_pk), dict(self.state), timeout=24 * 3600)
            except Exception:  # the cache is an optimisation: a dead Redis only hides the progress
                logger.warning("Job %s: progress not written to the cache", self.job_pk, exc_info=True)
        else:
            Job.objects.filter(pk=self.job_pk).update(**self.state)


def progress_of(job: Job) -> dict:
    """{done, total, percent, message} of a job as its page shows them: the row's, or while it runs
    inside a transaction, the latest the runner wrote to the cache."""
    done, total, message = job.done, job.total, job.message
    if job.status == Job.Status.RUNNING:
        try:
            cached = cache.get(_progress_key(job.pk)) or {}
        except Exception:
            cached = {}
        done = cached.get("done", done)
        total = cached.get("total", total)
        message = cached.get("message", message)
    if job.status == Job.Status.SUCCEEDED:
        percent = 100
    elif total:
        percent = min(99, int(done * 100 / total))
    else:
        percent = 0
    return {"done": done, "total": total, "percent": percent, "message": message}


def run(job_pk) -> str:
    """Run one job (called by the Celery task). A job already finished or taken by another
    worker is left alone, so that a message delivered twice runs the work once."""
    claimed = Job.objects.filter(pk=job_pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=1
    )
    if not claimed:
        return "skipped"
    job = Job.objects.get(pk=job_pk)
    runner = _runners.get(job.kind)
    progress = _Progress(job.pk)

    def reached():
        # Where the run got to (the last progress may have been kept in the cache only).
        return {key: value for key, value in progress.state.items() if key in ("done", "total")}

    try:
        if runner is None:
            raise UnknownJobKind(job.kind)
        result = runner(job, progress) or JobResult()
    except JobFailed as exc:
        logger.warning("Job %s (%s) failed: %s", job.pk, job.kind, exc.message)
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            **reached(),
            status=Job.Status.FAILED,
            message=exc.message[:300],
            last_error=exc.message[:2000],
            result_data=exc.data,
            finished_at=timezone.now(),
        )
        return "failed"
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        # The progress message is not what failed: the page says it from last_error.
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            **reached(),
            status=Job.Status.FAILED,
            message="",
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    finally:
        cache.delete(_progress_key(job_pk))
    job.refresh_from_db()
    for key, value in reached().items():
        setattr(job, key, value)
    if result.content is not None:
        job.result_file.save(result.name or "result", ContentFile(result.content), save=False)
        job.result_name = result.name
        job.result_content_type = result.content_type
    job.result_url = result.url
    job.result_data = result.data
    job.done = job.total = max(job.total, job.done, 1)
    if result.message:
        job.message = result.message[:300]
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["done", "total", *_RESULT_FIELDS, "message", "finished_at"])
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(status=Job.Status.SUCCEEDED)
    return "succeeded"


_RESULT_FIELDS = ["result_file", "result_name", "result_content_type", "result_url", "result_data"]


# A run still marked running after this long was lost with its worker (killed, out of memory, the
# machine restarted): the task's hard time limit ended it long before. Finished jobs and their
# files are removed after JOB_RESULT_DAYS.
def _stuck_after():
    minutes = getattr(settings, "JOB_STUCK_MINUTES", None)
    if minutes is None:
        return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)
    return datetime.timedelta(minutes=minutes)


def _result_days():
    return getattr(settings, "JOB_RESULT_DAYS", 30)


# Called when a finished job is removed, with the job, for the files a kind keeps outside the
# job's own result file (an import's uploaded spreadsheet).
_cleanups: dict[str, Callable] = {}


def register_cleanup(kind: str, cleanup: Callable) -> None:
    _cleanups[kind] = cleanup


# Called by the sweep with `now=`: a kind's own housekeeping (an import's files never confirmed).
_sweepers: list[Callable] = []


def register_sweeper(sweeper: Callable) -> None:
    if sweeper not in _sweepers:
        _sweepers.append(sweeper)


def jobs_sweep(*, now=None) -> dict:
    """Periodic (celery beat): mark failed the runs their worker left running ("worker stopped")
    and those no worker ever took, so that they can be run again, and remove the jobs finished
    more than JOB_RESULT_DAYS ago with their files. Safe to run twice at once: each change is a
    conditional update or a delete."""
    now = now or timezone.now()
    stuck = Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - _stuck_after()).update(
        status=Job.Status.FAILED,
        message=_("后台进程已停止，任务未完成，可重新运行。"),
        last_error="worker stopped: still running past the time limit",
        finished_at=now,
    )
    # Never taken by a worker (a message lost with a Redis restarted without persistence; the
    # outbox covers a broker that was down): said so, to be run again. Queued jobs get six times
    # the limit, so that a queue that is merely long (one worker, many jobs) is left alone.
    stuck += Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=now - 6 * _stuck_after()).update(
        status=Job.Status.FAILED,
        message=_("任务未能开始运行（后台进程未接收），可重新运行。"),
        last_error="never started: still queued past the time limit",
        finished_at=now,
    )
    old = Job.objects.filter(
        Q(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]),
        finished_at__lt=now - datetime.timedelta(days=_result_days()),
    )
    removed = 0
    for job in old.iterator():
        try:
            if job.result_file:
                job.result_file.delete(save=False)
            cleanup = _cleanups.get(job.kind)
            if cleanup is not None:
                cleanup(job)
            job.delete()
            removed += 1
        except (OSError, DatabaseError):
            logger.warning("Job %s: could not be removed", job.pk, exc_info=True)
    for sweeper in _sweepers:
        try:
            sweeper(now=now)
        except (OSError, DatabaseError):
            logger.warning("Job sweep: %s failed", sweeper, exc_info=True)
    return {"stuck": stuck, "removed": removed}
