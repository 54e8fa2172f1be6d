"""The admin's bulk imports run as jobs: the preview stays in the request, the confirmed import runs
in the background with row progress, and its page shows the counts, or the refused rows by number
with nothing saved, and can be run again."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises.models import KeyEnterprise
from experts.models import Expert
from portal import jobs, jobs_imports
from portal.models import Job
from tests.enterprises.test_import import HEADERS as ENTERPRISE_HEADERS
from tests.enterprises.test_import import row as enterprise_row
from tests.experts.factories import ExpertFactory
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db

EXPERTS_CSV = "姓名,工作单位,熟悉的国家/地区\n林静,上海某律师事务所,美国\n高远,北京某研究院,德国、日本\n"


def _preview(client, url, content, name="experts.csv", **extra):
    response = client.post(url, {"resource": 0, "format": 0, "import_file": SimpleUploadedFile(name, content), **extra})
    assert response.status_code == 200
    return response.context["confirm_form"]


def _upload_path(job):
    return Path(settings.MEDIA_ROOT) / jobs_imports.UPLOAD_FOLDER / job.params["file"]


def test_a_confirmed_expert_import_runs_as_a_job_and_its_page_shows_the_counts(
    client, staff, django_capture_on_commit_callbacks
):
    ExpertFactory(name="已在库", organisation="某大学")
    client.force_login(staff)
    form = _preview(client, reverse("admin:experts_expert_import"), EXPERTS_CSV.encode())
    assert not Expert.objects.filter(name="林静").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:experts_expert_process_import"), form.initial)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.kind == jobs_imports.KIND and job.created_by == staff and "experts.csv" in job.label
    assert job.status == Job.Status.SUCCEEDED, job.last_error
    assert (job.done, job.total) == (2, 2)
    assert job.result_data["totals"] == {"new": 2, "update": 0, "skip": 0, "delete": 0, "error": 0}
    assert set(Expert.objects.values_list("name", flat=True)) == {"已在库", "林静", "高远"}
    assert not _upload_path(job).exists()  # the uploaded file goes once imported

    page = client.get(response.url).content.decode()
    assert "导入完成：新增 2，更新 0，未变更 0。" in page
    assert 'data-testid="job-summary"' in page
    assert reverse("admin:experts_expert_changelist") in page


def test_rows_refused_at_import_time_are_listed_by_number_and_nothing_is_saved(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    form = _preview(client, reverse("admin:experts_expert_import"), EXPERTS_CSV.encode())
    # Between the preview and the confirmation someone enters one of the file's experts by hand.
    existing = ExpertFactory(name="高远", organisation="北京某研究院")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:experts_expert_process_import"), form.initial)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert list(Expert.objects.values_list("name", flat=True)) == ["高远"]  # 林静 was not saved either
    assert job.result_data["errors"] == [
        {"row": 2, "messages": [f"姓名：专家库中已有该专家（编号 {existing.pk}）；如需更新请在“编号”列填写该编号"]}
    ]
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "1 行有错误" in page and "第 2 行" in page and "专家库中已有该专家" in page
    assert "重新运行" in page
    assert _upload_path(job).exists()  # kept, so that the import can be run again

    # Staff remove the hand-made entry and run the import again: the file is read once more.
    existing.delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert response.url == reverse("jobs:detail", args=[again.pk])
    assert again.status == Job.Status.SUCCEEDED, again.last_error
    assert set(Expert.objects.values_list("name", flat=True)) == {"林静", "高远"}


def test_key_enterprises_import_through_a_job(client, staff, django_capture_on_commit_callbacks):
    import tablib

    code = make_credit_code(920001)
    csv = tablib.Dataset(enterprise_row(code), headers=ENTERPRISE_HEADERS).export("csv").encode()
    client.force_login(staff)
    form = _preview(client, reverse("admin:enterprises_keyenterprise_import"), csv, name="名录.csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:enterprises_keyenterprise_process_import"), form.initial)
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.last_error
    enterprise = KeyEnterprise.objects.get(credit_code=code)
    assert enterprise.created_by == staff  # the job imports as the person who confirmed
    assert job.result_data["totals"]["new"] == 1


def test_an_import_whose_file_is_gone_fails_with_a_plain_message(staff):
    job = jobs.start(
        kind=jobs_imports.KIND,
        label="导入专家",
        params={"model": "experts.expert", "resource": 0, "format": 0, "file": "gone", "file_name": "x.csv"},
        by=staff,
    )
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "上传的文件已不存在" in job.message


def test_previews_never_confirmed_are_swept_after_a_day_and_files_of_jobs_stay(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _preview(client, reverse("admin:experts_expert_import"), EXPERTS_CSV.encode())
    folder = Path(settings.MEDIA_ROOT) / jobs_imports.UPLOAD_FOLDER
    (unconfirmed,) = list(folder.iterdir())
    job = jobs.start(
        kind=jobs_imports.KIND,
        label="导入专家",
        params={"model": "experts.expert", "resource": 0, "format": 0, "file": "kept", "file_name": "x.csv"},
        by=staff,
    )
    kept = folder / "kept"
    kept.write_bytes(b"x")
    then = time.time() - 2 * 86400
    for path in (unconfirmed, kept):
        os.utime(path, (then, then))
    jobs.jobs_sweep()
    assert not unconfirmed.exists() and kept.exists()

    # The job's file goes with the job, once the job is past its keeping time.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, finished_at=job.created_at - datetime.timedelta(days=40)
    )
    jobs.jobs_sweep()
    assert not kept.exists() and not Job.objects.filter(pk=job.pk).exists()
