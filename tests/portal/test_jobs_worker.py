"""A real Celery worker, in its own process, against the real Redis, runs a bulk import that a
person confirmed: the worker finds the kind (registered when the admin loads) and the uploaded
file (in the shared media folder), and the job's row ends with the counts."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from experts.models import Expert
from portal import jobs, jobs_imports
from portal.models import Job
from tests.portal.test_celery_worker import worker  # noqa: F401  the fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_runs_a_confirmed_import(worker, staff):  # noqa: F811
    folder = Path(settings.MEDIA_ROOT) / jobs_imports.UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pool-upload").write_bytes("姓名,工作单位\n林静,上海某律师事务所\n高远,北京某研究院\n".encode())
    job = jobs.start(
        kind=jobs_imports.KIND,
        label="导入专家：pool.csv",
        params={"model": "experts.expert", "resource": 0, "format": 0, "file": "pool-upload", "file_name": "pool.csv"},
        by=staff,
    )  # committed: handed to Redis

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.3)
    assert job.status == Job.Status.SUCCEEDED, job.last_error
    assert job.result_data["totals"]["new"] == 2 and (job.done, job.total) == (2, 2)
    assert set(Expert.objects.values_list("name", flat=True)) == {"林静", "高远"}
