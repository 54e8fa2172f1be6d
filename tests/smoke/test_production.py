"""Production-mode smoke test: gunicorn with DEBUG off, collected static files, PostgreSQL, Redis,
a Celery worker and beat, driven by Chromium as a visitor and as each role would use it.

Every response of every page is watched: any HTTP 500 fails the test, so does anything the Content
Security Policy blocks, and so does a page whose stylesheets do not load under their hashed names or do
not style the page.
"""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.applications.factories import PDF_BYTES
from tests.browser import watch_csp
from tests.smoke.accounts import ACCOUNTS, STATION
from tests.twofactor import code_at_step

pytestmark = pytest.mark.usefixtures("production")

HASHED_CSS = re.compile(r"/static/.+\.[0-9a-f]{12}\.css$")
NAVY = "rgb(11, 61, 110)"  # .bg-primary-portal in static/css/portal.css
ACCOUNT = {key: email for key, email, _name in ACCOUNTS}
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


@pytest.fixture
def server_errors(page):
    """Every response the browser receives, from the page and from its requests: none may be a 5xx.
    Nor may the Content Security Policy block anything on the pages."""
    failures = []
    csp_violations = watch_csp(page.context)

    def listen(response):
        if response.status >= 500:
            failures.append(f"{response.status} {response.request.method} {response.url}")

    page.context.on("response", listen)
    page.set_default_timeout(20000)
    yield failures
    assert not failures, f"server errors: {failures}"
    assert not csp_violations, f"Content Security Policy violations: {csp_violations}"


def assert_styled(page, *, portal_layout=True):
    """The page's stylesheets resolve with 200 under hashed names, and their rules apply."""
    hrefs = page.eval_on_selector_all("link[rel=stylesheet]", "links => links.map(link => link.href)")
    assert hrefs, f"{page.url} has no stylesheet"
    for href in hrefs:
        assert HASHED_CSS.search(href), f"{page.url}: stylesheet {href} is not served under a hashed name"
        response = page.request.get(href)
        assert response.status == 200, f"{page.url}: stylesheet {href} answered {response.status}"
        assert "text/css" in response.headers.get("content-type", "")
    rule_counts = page.evaluate(
        """() => Array.from(document.styleSheets).map(sheet => {
             try { return sheet.cssRules.length } catch (e) { return -1 } })"""
    )
    assert rule_counts and all(count > 0 for count in rule_counts), f"{page.url}: stylesheets empty {rule_counts}"
    # Both Bootstrap's reboot and the admin's base.css take the browser's 8px margin off the body.
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", f"{page.url} is unstyled"
    if portal_layout:
        navbar = page.locator("nav.navbar").first
        assert navbar.evaluate("el => getComputedStyle(el).backgroundColor") == NAVY, f"{page.url}: no portal CSS"


_last_step = {}


def totp_code(email, key_hex):
    """The account's authenticator code now; never a time step already used (the server refuses it)."""
    while True:
        now = int(time.time()) // 30
        step = max(now, _last_step.get(email, -1) + 1)
        if step <= now + 1:
            _last_step[email] = step
            return code_at_step(key_hex, step)
        time.sleep(1)


def log_in(page, stack, key):
    page.goto(f"{stack.url}/accounts/login/")
    assert_styled(page)
    page.get_by_label("电子邮箱").fill(ACCOUNT[key])
    page.get_by_label("密码").fill(stack.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/two-factor/verify/" in page.url:
        assert_styled(page)
        page.get_by_label("验证码").fill(totp_code(ACCOUNT[key], stack.totp_key))
        page.get_by_role("button", name="验证", exact=True).click()
        page.wait_for_load_state("networkidle")


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
    licence = tmp_path / "营业执照副本.pdf"
    licence.write_bytes(PDF_BYTES)
    log_in(page, production, "applicant")
    page.get_by_role("button", name="新建申请").click()
    expect(page.get_by_role("heading", name="海外知识产权纠纷应对指导申请书")).to_be_visible()
    assert_styled(page)

    page.get_by_label("企业", exact=True).check()
    page.get_by_label("联系人", exact=True).fill("王丽")
    page.get_by_label("联系人邮箱").fill("wangli@jincheng.example.cn")
    page.get_by_label("联系电话").fill("0351-7654321")
    page.get_by_label("详细联系地址").fill("山西省太原市小店区学府街 101 号")
    page.get_by_label("侵权纠纷", exact=True).check()
    page.get_by_label("发明专利", exact=True).check()
    page.get_by_label("美国", exact=True).check()
    page.get_by_label("竞争对手", exact=True).check()
    page.get_by_label("机械", exact=True).check()
    page.get_by_label("纠纷应对指导申请事项").fill("美国竞争对手指控我司出口的数控机床侵犯其发明专利，请求应对指导。")
    page.get_by_label("纠纷影响预估").fill("对美年出口额约 4200 万元。")
    page.get_by_label("普通纠纷").check()
    page.get_by_role("button", name="保存并上传材料").click()

    expect(page.get_by_role("heading", name="上传证明材料")).to_be_visible()
    assert_styled(page)
    page.get_by_label("材料类别").select_option("standing")
    page.get_by_label("选择文件（可多选）").set_input_files(str(licence))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("files-standing")).to_contain_text("营业执照副本.pdf")

    page.get_by_role("link", name="检查并提交").first.click()
    expect(page.get_by_text("内容完整")).to_be_visible()
    assert_styled(page)
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    assert_styled(page)

    # The Celery worker renders and signs the receipt; the page lists it once it is ready.
    receipt = page.get_by_test_id("documents").get_by_role("link", name=re.compile("回执"))
    deadline = time.monotonic() + 120
    while not receipt.count():
        assert time.monotonic() < deadline, "the worker did not render the receipt within 120 s"
        time.sleep(2)
        page.reload()
    with page.expect_download() as download_info:
        receipt.first.click()
    data = download_info.value.path().read_bytes()
    assert data.startswith(b"%PDF-"), data[:40]
    assert len(data) > 10_000  # a rendered, signed document, not an empty file


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
