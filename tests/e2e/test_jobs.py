"""Browser: long work shows its progress. Staff import experts from a spreadsheet in the admin: the
confirmed import leads to its job's page, which shows the counts, and the experts are in the pool's
list. A job's page moves its bar while the job runs and turns to its result when it ends (polling
under the strict Content Security Policy); a failed job offers to run again."""

import re
import threading

import pytest
from django.db import connection
from playwright.sync_api import expect

from portal import jobs
from portal.models import Job
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

EXPERTS_CSV = (
    "姓名,工作单位,熟悉的国家/地区,工作语言\n林静,上海某律师事务所,美国,英语\n高远,北京某研究院,德国、日本,德语\n"
)


def test_staff_import_experts_and_see_the_job_turn_to_done_then_the_experts_in_the_pool(
    page, live_server, staff, tmp_path
):
    sheet = tmp_path / "专家名单.csv"
    sheet.write_text(EXPERTS_CSV, encoding="utf-8")
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/experts/expert/import/")
    page.locator("input[name=import_file]").set_input_files(str(sheet))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator("form[enctype] input[type=submit]").click()
    expect(page.get_by_text("林静")).to_be_visible()  # the preview, nothing saved yet
    page.locator("input[name=confirm]").click()

    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", name=re.compile("导入专家"))).to_be_visible()
    expect(page.get_by_test_id("job-done")).to_be_visible()
    expect(page.get_by_text("导入完成：新增 2，更新 0，未变更 0。")).to_be_visible()
    summary = page.get_by_test_id("job-summary")
    expect(summary.get_by_role("row", name=re.compile("新增"))).to_contain_text("2")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")

    page.get_by_test_id("job-result").click()  # the result link: the pool's list
    expect(page).to_have_url(re.compile(r"/admin/experts/expert/$"))
    listing = page.locator("#result_list")
    expect(listing).to_contain_text("林静")
    expect(listing).to_contain_text("高远")

    page.goto(f"{live_server.url}/jobs/")
    expect(page.get_by_role("link", name=re.compile("专家名单.csv"))).to_be_visible()


@pytest.fixture
def gated_kind():
    """A kind whose run waits at half way until the test lets it finish."""
    half_way = threading.Event()
    finish = threading.Event()

    def runner(job, progress):
        progress(5, 10, "已处理 5 行")
        half_way.set()
        assert finish.wait(30)
        if job.params.get("fail"):
            raise RuntimeError("数据源暂时不可用")
        return jobs.JobResult(content="年份,案件数\n2026,42\n".encode(), name="2026年案件.csv", content_type="text/csv")

    jobs.register("tests.gated", runner)
    yield half_way, finish
    finish.set()
    jobs._runners.pop("tests.gated", None)


def test_the_bar_moves_while_the_job_runs_and_the_page_turns_to_the_download(page, live_server, staff, gated_kind):
    half_way, finish = gated_kind
    job = Job.objects.create(kind="tests.gated", label="导出2026年案件信息", params={}, created_by=staff)
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.get_by_text("排队中")).to_be_visible()

    def work():  # the worker, here a thread with its own database connection
        try:
            jobs.run(job.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    assert half_way.wait(15)
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "50")
    expect(page.get_by_text("已处理 5 行")).to_be_visible()
    finish.set()
    worker.join(15)

    expect(page.get_by_test_id("job-done")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("job-result").click()
    assert download.value.suggested_filename == "2026年案件.csv"


def test_a_failed_job_says_so_and_runs_again(page, live_server, staff, gated_kind):
    _half_way, finish = gated_kind
    finish.set()
    job = Job.objects.create(kind="tests.gated", label="导出2026年案件信息", params={"fail": True}, created_by=staff)
    jobs.run(job.pk)
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.get_by_test_id("job-error")).to_contain_text("数据源暂时不可用")  # staff read what failed
    page.get_by_role("button", name="重新运行").click()
    expect(page).not_to_have_url(re.compile(str(job.pk)))
    again = Job.objects.exclude(pk=job.pk).get()
    assert again.params == {"fail": True} and again.created_by == staff
    expect(page).to_have_url(re.compile(str(again.pk)))
