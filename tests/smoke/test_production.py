"""Production-mode smoke test: gunicorn with DEBUG off, collected static files, PostgreSQL, Redis,
a Celery worker and beat, driven by Chromium as a visitor and as each role would use it.

Every response of every page is watched: any HTTP 500 fails the test, so does anything the Content
Security Policy blocks, and so does a page whose stylesheets do not load under their hashed names or do
not style the page.
"""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.smoke.accounts import STATION
from tests.smoke.steps import (
    assert_styled,
    bucket_keys,
    download,
    files_on_disk,
    get,
    head,
    healthz,
    log_in,
    metric,
    renders,
    submit_application,
    wait_for_document,
)

pytestmark = pytest.mark.usefixtures("production")

# Where each role lands after logging in, and a heading it must see there.
MAIN_PAGES = {
    "applicant": ("/applications/", "我的申请"),
    "staff": ("/admin/", None),
    "director": ("/admin/", None),
    "deputy": ("/admin/", None),
    "agency": ("/cases/agency/", None),
    "expert": ("/experts/", None),
    "station": ("/admin/", None),
}


def test_home_page_and_a_missing_page(page, production, server_errors):
    response = page.goto(f"{production.url}/")
    assert response.status == 200
    assert_styled(page)
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()

    response = page.goto(f"{production.url}/no-such-page/")
    assert response.status == 404
    assert_styled(page)
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_be_visible()

    response = page.goto(f"{production.url}/documents/verify/")
    assert response.status == 200
    assert_styled(page)


@pytest.mark.parametrize("key", list(MAIN_PAGES))
def test_each_role_logs_in_and_loads_its_main_page(page, production, server_errors, key):
    log_in(page, production, key)
    path, heading = MAIN_PAGES[key]
    assert page.url == f"{production.url}{path}", f"{key} landed on {page.url}"
    assert_styled(page, portal_layout=not path.startswith("/admin/"))
    expect(page.get_by_text("登录已暂时锁定")).to_have_count(0)
    if heading:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    if path.startswith("/admin/"):
        expect(page.locator("#user-tools")).to_be_visible()
    else:
        expect(page.get_by_test_id("current-user")).to_be_visible()


def test_an_applicant_submits_and_downloads_the_receipt(page, production, server_errors, tmp_path):
    log_in(page, production, "applicant")
    submit_application(page, production, tmp_path)
    # The Celery worker renders and signs the receipt; the page lists it once it is ready.
    data = download(page, wait_for_document(page, "回执"))
    assert data.startswith(b"%PDF-"), data[:40]
    assert len(data) > 10_000  # a rendered, signed document, not an empty file

    # The licence and the receipt are in the bucket, nothing on the machines' disks.
    keys = bucket_keys(production)
    assert any(key.endswith(".pdf") for key in keys), keys
    assert not files_on_disk(production), files_on_disk(production)
    # The worker timed the render, and serves the figure on its own port.
    assert renders(production) >= 1


def test_an_agency_submission_reaches_the_public_through_review_cache_and_search(page, production, server_errors):
    """The knowledge platform as production runs it: a visitor's page is served from the shared
    cache (Redis, two gunicorn workers), a publish in the admin must invalidate it, and the Chinese
    search must find the new case on PostgreSQL."""
    title = "某数控机床企业应对德国展会禁令"
    page.goto(f"{production.url}/knowledge/cases/")
    assert_styled(page)
    expect(page.get_by_role("link", name=title)).to_have_count(0)
    page.goto(f"{production.url}/knowledge/search/?q=数控机床")
    expect(page.get_by_role("link", name=title)).to_have_count(0)

    log_in(page, production, "agency")
    page.goto(f"{production.url}/knowledge/submissions/new/case/")
    assert_styled(page)
    page.get_by_label("标题").fill(title)
    page.get_by_label("知识产权类型").select_option("patent")
    page.get_by_label("国家/地区").select_option("DE")
    page.get_by_label("程序").select_option("trade_fair")
    page.get_by_label("年份").fill("2026")
    page.get_by_label("基本案情").fill("某企业的数控机床主轴在德国展会上被申请临时禁令。")
    page.get_by_label("应对措施").fill("中心当天联系现场律师，提交不侵权说明。")
    page.get_by_label("处理结果").fill("法院驳回禁令申请。")
    page.get_by_label("启示").fill("参展前做专利自由实施分析。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("row").filter(has_text=title)).to_contain_text("待审核")
    page.context.clear_cookies()

    log_in(page, production, "staff")
    page.goto(f"{production.url}/admin/knowledge/typicalcase/?status__exact=submitted")
    page.get_by_role("link", name=title).click()
    assert_styled(page, portal_layout=False)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_test_id("item-status")).to_have_text("已发布")
    page.context.clear_cookies()

    page.goto(f"{production.url}/knowledge/cases/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_text("山西省商务厅")).to_be_visible()
    page.goto(f"{production.url}/knowledge/search/?q=数控机床")
    expect(page.get_by_role("link", name=re.compile("数控机床"))).not_to_have_count(0)
    expect(page.locator("mark").first).to_be_visible()


def test_a_workstation_logs_a_consultation_that_the_center_then_reads(page, production, server_errors):
    """A workstation's staff, with only what `migrate` gave their role, log a walk-in consultation in the
    admin; the center finds it under that workstation, and a visitor finds the workstation in the
    public list."""
    question = "我司出口欧盟的假发产品被指侵犯外观设计，应如何应对？"
    log_in(page, production, "station")
    page.goto(f"{production.url}/admin/consultations/consultation/add/")
    assert_styled(page, portal_layout=False)
    page.get_by_label("咨询渠道").select_option("walk_in")
    page.get_by_label(re.compile(r"^咨询人[:：]?$")).fill("赵丽")
    page.get_by_label("单位名称").fill("许昌瑞美发制品有限公司")
    page.get_by_label("咨询问题").fill(question)
    page.get_by_role("button", name="保存", exact=True).click()
    number = page.locator("#result_list tbody tr th a").first.inner_text()
    assert number.startswith("ZX-"), number
    page.context.clear_cookies()

    log_in(page, production, "staff")
    page.goto(f"{production.url}/admin/consultations/consultation/?q={number}")
    row = page.locator("#result_list tbody tr").filter(has_text=number)
    expect(row).to_contain_text(STATION)
    expect(row).to_contain_text("现场来访")
    page.context.clear_cookies()

    page.goto(f"{production.url}/knowledge/service-points/")
    assert_styled(page)
    expect(page.get_by_text(STATION).first).to_be_visible()


def test_the_director_reads_the_statistics_and_exports_the_year_for_the_national_platform(
    page, production, server_errors
):
    """The statistics page with its server-drawn charts under the content policy; the national
    export runs in the worker as a job whose page turns to the download; the API's documentation
    runs from the collected static files."""
    log_in(page, production, "director")
    page.goto(f"{production.url}/statistics/?period=year")
    assert_styled(page)
    expect(page.get_by_role("heading", name="统计分析")).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()

    page.goto(f"{production.url}/statistics/national/?period=year")
    assert_styled(page)
    page.get_by_role("button", name="导出 XLSX").click()
    assert "/jobs/" in page.url, page.url
    result = page.get_by_test_id("job-result")
    expect(result).to_be_visible(timeout=60000)  # the worker runs it; the page follows its status
    with page.expect_download() as download:
        result.click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK", "the export is an XLSX package"

    page.goto(f"{production.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("数据接口", timeout=20000)


def test_the_static_files_are_collected_under_hashed_names_compressed_and_cached_for_good(production):
    """collectstatic with DEBUG off (run without a secret key, as a build would) gives hashed names with
    their compressed copies; whitenoise serves a hashed name gzipped and cacheable forever."""
    static_root = Path(production.env["STATIC_ROOT"])
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name in ["vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js", "css/portal.css"]:
        hashed = manifest[name]
        assert hashed != name and (static_root / hashed).is_file()
        assert (static_root / f"{hashed}.gz").is_file()
    status, headers = head(f"{production.url}/static/{manifest['css/portal.css']}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"], headers["Cache-Control"]


def test_the_load_balancer_probe_and_the_prometheus_scrape(production):
    """/healthz with every check passing (the bucket, a worker's heartbeat), and
    /metrics only for the token's bearer, with request latency and the queues' lengths."""
    status, body = healthz(production.url)
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["storage"] == {"ok": True, "mode": "s3", "ms": body["checks"]["storage"]["ms"]}
    assert body["checks"]["worker"]["workers"] >= 1
    assert production.bucket not in json.dumps(body)

    assert get(f"{production.url}/robots.txt")[0] == 200  # a page through the views (/healthz is answered before)
    assert get(f"{production.url}/metrics")[0] == 404  # a token is set: loopback alone is not enough
    assert get(f"{production.url}/metrics", token="wrong")[0] == 404
    status, text = get(f"{production.url}/metrics", token=production.metrics_token)
    assert status == 200
    assert metric(text, "django_http_requests_latency_seconds_by_view_method_count", method="GET", view="robots_txt")
    assert metric(text, "portal_celery_queue_length", queue="documents") is not None
    assert metric(text, "portal_celery_queue_length", queue="default") is not None


def test_the_logs_are_json(production):
    """LOG_FORMAT=json: the worker's lines (Celery's own included) are JSON objects."""
    lines = [line for line in production.log_text("worker").splitlines() if line.startswith("{")]
    assert lines, production.log_text("worker")[-2000:]
    records = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    assert any(record["logger"].startswith("celery") for record in records)
