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
import logging
import time
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal import outbox
from portal.models import Job

logger = logging.getLogger(__name__)

# A progress update is written at most this often (seconds); the first and the last always are.
PROGRESS_INTERVAL = 0.5

_runners: dict[str, Callable] = {}


class UnknownJobKind(LookupError):
    pass


@dataclasses.dataclass
class JobResult:
    content: bytes | None = None
    name: str = ""
    content_type: str = ""
    url: str = ""
    message: str = ""


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


def retry(*, job: Job, by) -> Job:
    """Run a failed job again, with the same parameters, as a new run of its own."""
    return start(kind=job.kind, label=job.label, params=job.params, by=by)


class _Progress:
    def __init__(self, job_pk):
        self.job_pk = job_pk
        self.last_write = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last_write < PROGRESS_INTERVAL and (total is None or done < total):
            return
        self.last_write = now
        changes = {"done": done}
        if total is not None:
            changes["total"] = total
        if message:
            changes["message"] = message[:300]
        Job.objects.filter(pk=self.job_pk).update(**changes)


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
    try:
        if runner is None:
            raise UnknownJobKind(job.kind)
        result = runner(job, _Progress(job.pk)) or JobResult()
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return "failed"
    job.refresh_from_db()
    if result.content is not None:
        job.result_file.save(result.name or "result", ContentFile(result.content), save=False)
        job.result_name = result.name
        job.result_content_type = result.content_type
    job.result_url = result.url
    job.status = Job.Status.SUCCEEDED
    job.done = job.total = max(job.total, job.done, 1)
    if result.message:
        job.message = result.message[:300]
    job.finished_at = timezone.now()
    job.save()
    return "succeeded"
