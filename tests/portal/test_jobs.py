"""Long jobs: the runner, its progress, failure and retry, a message delivered twice, who may see a
job, the status JSON, the result download, and the sweeper of stuck runs and old results."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from portal import jobs
from portal.files import swept_folders
from portal.models import Job
from portal.tasks import run_job, sweep_jobs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "tests.sample"


@pytest.fixture
def runner():
    """A registered kind whose behaviour each test sets: `runner.body(job, progress)`."""

    class Runner:
        calls = 0

        def body(self, job, progress):
            return jobs.JobResult(content=b"a,b\n1,2\n", name="数据.csv", content_type="text/csv")

        def __call__(self, job, progress):
            self.calls += 1
            return self.body(job, progress)

    instance = Runner()
    jobs.register(KIND, instance)
    yield instance
    jobs._runners.pop(KIND, None)


def _start(user, **params):
    return jobs.start(kind=KIND, label="导出全年数据", params=params, by=user)


def test_a_run_keeps_its_file_and_the_owner_downloads_it(runner, staff, client):
    job = _start(staff, year=2026)
    assert job.status == Job.Status.QUEUED
    assert jobs.run(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100 and job.finished_at
    assert job.result_file.name.startswith(f"job-results/{job.pk}/")

    client.force_login(staff)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    download_url = reverse("jobs:download", args=[job.pk])
    assert "已完成" in page and download_url in page and "数据.csv" in page
    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"] and "csv" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"


def test_the_status_json_follows_the_progress_while_the_job_runs(runner, staff, client, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    client.force_login(staff)
    job = _start(staff)
    status_url = reverse("jobs:status", args=[job.pk])
    seen = {}

    def body(job, progress):
        progress(0, 40, "开始")
        progress(10, 40, "已处理 10 行")
        seen["mid"] = client.get(status_url).json()
        return jobs.JobResult(url="/admin/experts/expert/", message="完成 40 行")

    runner.body = body
    assert client.get(status_url).json()["status"] == "queued"
    jobs.run(job.pk)
    mid = seen["mid"]
    assert mid["status"] == "running" and not mid["finished"]
    assert (mid["done"], mid["total"], mid["percent"]) == (10, 40, 25)
    assert mid["message"] == "已处理 10 行"
    assert mid["result_url"] == "" and mid["error"] == ""

    end = client.get(status_url).json()
    assert end["status"] == "succeeded" and end["finished"] and end["percent"] == 100
    assert end["result_url"] == "/admin/experts/expert/"
    assert end["message"] == "完成 40 行"
    assert client.get(status_url)["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_progress_is_written_on_the_row(runner):
    seen = {}

    def body(job, progress):
        progress(3, 12, "三行")
        row = Job.objects.get(pk=job.pk)
        seen["row"] = (row.done, row.total, row.message)
        return jobs.JobResult()

    runner.body = body
    job = _start(UserFactory(full_name="周行"))  # committed: queued and run at once (eager here)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.last_error
    assert seen["row"] == (3, 12, "三行")


def test_a_message_delivered_twice_runs_the_work_once(runner, staff):
    job = _start(staff)
    assert run_job(str(job.pk)) == "succeeded"
    assert run_job(str(job.pk)) == "skipped"
    assert runner.calls == 1
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_failure_says_what_failed_to_staff_and_can_be_retried(
    runner, staff, client, django_capture_on_commit_callbacks
):
    def boom(job, progress):
        progress(2, 10, "正在汇总")
        raise ValueError("年份 1899 不在统计范围内")

    runner.body = boom
    job = _start(staff, year=1899)
    assert jobs.run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.last_error == "ValueError: 年份 1899 不在统计范围内"
    assert (job.done, job.total, job.message) == (2, 10, "")  # where it stopped; no stale progress text

    client.force_login(staff)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "年份 1899 不在统计范围内" in page and "重新运行" in page
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["status"] == "failed" and "1899" in status["error"]
    assert status["retry_url"] == reverse("jobs:retry", args=[job.pk])

    runner.body = lambda job, progress: jobs.JobResult(url="/done/")
    with django_capture_on_commit_callbacks(execute=True):  # the new run is queued on commit (eager here)
        response = client.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[again.pk])
    assert again.params == {"year": 1899} and again.created_by == staff
    assert again.status == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED  # the failed run stays as it was


def test_someone_without_staff_rights_reads_a_general_message_with_a_reference(runner, applicant, client):
    runner.body = lambda job, progress: (_ for _ in ()).throw(RuntimeError("connection to 10.0.0.5 refused"))
    job = _start(applicant)
    jobs.run(job.pk)
    client.force_login(applicant)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "10.0.0.5" not in page
    assert "失败" in page and str(job.pk)[:8] in page
    assert "10.0.0.5" not in client.get(reverse("jobs:status", args=[job.pk])).content.decode()


def test_a_runner_message_for_everyone_and_its_summary_show_on_the_page(runner, applicant, client):
    def refused(job, progress):
        raise jobs.JobFailed(
            "导入未完成：1 行有错误",
            data={
                "totals": {"new": 0, "update": 0, "skip": 0, "error": 1},
                "errors": [{"row": 3, "messages": ["缺少姓名"]}],
            },
        )

    runner.body = refused
    job = _start(applicant)
    jobs.run(job.pk)
    client.force_login(applicant)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "导入未完成：1 行有错误" in page
    assert "第 3 行" in page and "缺少姓名" in page


def test_only_a_failed_job_is_run_again(runner, staff, client):
    job = _start(staff)
    jobs.run(job.pk)
    client.force_login(staff)
    assert client.get(reverse("jobs:retry", args=[job.pk])).status_code == 405
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert Job.objects.count() == 1
    with pytest.raises(jobs.NotRetryable):
        jobs.retry(job=job, by=staff)


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:status", "jobs:download"])
def test_another_user_gets_404_and_a_visitor_is_sent_to_log_in(runner, name, staff, director, client):
    job = _start(staff)
    jobs.run(job.pk)
    url = reverse(name, args=[job.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(director)  # staff too, but not the one who started it
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_another_user_cannot_retry_and_a_superuser_sees_every_job(runner, staff, director, client):
    runner.body = lambda job, progress: 1 / 0
    job = _start(staff)
    jobs.run(job.pk)
    client.force_login(director)
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert Job.objects.count() == 1
    admin = UserFactory(full_name="系统管理员", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    other = _start(director)
    listing = client.get(reverse("admin:portal_job_changelist")).content.decode()
    for each in [job, other]:  # each row links to its own job's page
        assert f'<a href="{reverse("jobs:detail", args=[each.pk])}">打开</a>' in listing
    client.force_login(staff)
    assert client.get(reverse("admin:portal_job_changelist")).status_code == 403


def test_my_jobs_lists_only_mine(runner, staff, director, client):
    mine = _start(staff)
    theirs = jobs.start(kind=KIND, label="别人的导出", params={}, by=director)
    client.force_login(staff)
    page = client.get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:detail", args=[mine.pk]) in page
    assert reverse("jobs:detail", args=[theirs.pk]) not in page


def test_the_page_of_a_running_job_works_without_javascript(runner, staff, client):
    job = _start(staff)
    client.force_login(staff)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert f'data-progress-url="{reverse("jobs:status", args=[job.pk])}"' in page
    assert 'role="progressbar"' in page and "job-progress.js" in page
    assert "<script>" not in page  # no inline script (Content Security Policy)
    jobs.run(job.pk)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "http-equiv" not in page


def test_the_download_of_a_job_without_a_file_is_404(runner, staff, client):
    runner.body = lambda job, progress: jobs.JobResult(url="/x/")
    job = _start(staff)
    client.force_login(staff)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404  # not run yet
    jobs.run(job.pk)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_the_sweeper_fails_runs_left_by_a_stopped_worker_and_removes_old_results(runner, staff, settings):
    now = timezone.now()
    stuck = _start(staff)
    Job.objects.filter(pk=stuck.pk).update(
        status=Job.Status.RUNNING, started_at=now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 400)
    )
    busy = _start(staff)
    Job.objects.filter(pk=busy.pk).update(status=Job.Status.RUNNING, started_at=now - datetime.timedelta(minutes=1))
    old = _start(staff)
    jobs.run(old.pk)
    old.refresh_from_db()
    old_path = old.result_file.path
    Job.objects.filter(pk=old.pk).update(finished_at=now - datetime.timedelta(days=31))
    recent = _start(staff)
    jobs.run(recent.pk)
    lost = _start(staff)  # its message never reached a worker
    Job.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(hours=2))
    waiting = _start(staff)  # in a long queue, for a while
    Job.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=20))

    assert sweep_jobs() == {"stuck": 2, "removed": 1}

    lost.refresh_from_db()
    assert lost.status == Job.Status.FAILED and "未能开始运行" in lost.message
    assert Job.objects.get(pk=waiting.pk).status == Job.Status.QUEUED

    stuck.refresh_from_db()
    assert stuck.status == Job.Status.FAILED and "后台进程已停止" in stuck.message
    assert "worker stopped" in stuck.last_error
    assert jobs.can_retry(staff, stuck)
    assert Job.objects.get(pk=busy.pk).status == Job.Status.RUNNING
    assert not Job.objects.filter(pk=old.pk).exists()
    import os

    assert not os.path.exists(old_path)
    assert Job.objects.filter(pk=recent.pk).exists()
    assert sweep_jobs() == {"stuck": 0, "removed": 0}  # a second run changes nothing


def test_the_orphan_file_sweep_knows_the_job_results_folder(runner, staff):
    job = _start(staff)
    job.result_file.save("x.csv", ContentFile(b"x"), save=True)
    assert "job-results" in set().union(*swept_folders().values())
