"""Steps of the production smoke tests, shared by the one-machine and the scale-out tests: logging in
as each role (with its second factor), checking that a page is styled by the collected static files,
an applicant's submission with a file, and waiting for a document the worker renders."""

import json
import re
import time
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.applications.factories import PDF_BYTES
from tests.smoke.accounts import ACCOUNTS
from tests.twofactor import code_at_step

HASHED_CSS = re.compile(r"/static/.+\.[0-9a-f]{12}\.css$")
NAVY = "rgb(11, 61, 110)"  # .bg-primary-portal in static/css/portal.css
ACCOUNT = {key: email for key, email, _name in ACCOUNTS}


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


def log_in(page, stack, key, base=None):
    """Log in as the role `key` through `base` (one web process's address; the stack's first by default)."""
    page.goto(f"{base or stack.url}/accounts/login/")
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


def submit_application(page, stack, tmp_path, base=None):
    """The applicant (logged in) fills in an application, uploads a licence and submits it, through
    `base`; returns the application's page address."""
    base = base or stack.url
    licence = tmp_path / "营业执照副本.pdf"
    licence.write_bytes(PDF_BYTES)
    page.goto(f"{base}/applications/")
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
    return re.sub(r"/+$", "/", page.url.split("?")[0])


def wait_for_document(page, name, seconds=120):
    """Reload the application's page until the worker has rendered the document named `name`; its link."""
    link = page.get_by_test_id("documents").get_by_role("link", name=re.compile(name))
    deadline = time.monotonic() + seconds
    while not link.count():
        assert time.monotonic() < deadline, f"the worker did not render {name} within {seconds} s"
        time.sleep(2)
        page.reload()
    return link.first


def download(page, link):
    """Click a download link; the file's bytes."""
    with page.expect_download() as download_info:
        link.click()
    return download_info.value.path().read_bytes()


def get(url, token=None):
    """(status, body) of a plain GET, as a load balancer or Prometheus would send it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback addresses we built
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def head(url, headers):
    """(status, response headers) of a HEAD request with the given request headers."""
    request = urllib.request.Request(url, headers=headers, method="HEAD")  # noqa: S310 - loopback addresses we built
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.headers


def healthz(base):
    status, body = get(f"{base}/healthz")
    return status, json.loads(body)


def metric(text, name, **labels):
    """The value of one sample in a Prometheus exposition, or None."""
    selector = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(selector) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def renders(stack):
    """Documents the stack's workers have rendered (successful runs of the render task), over all workers."""
    total = 0.0
    for url in stack.worker_metrics.values():
        status, text = get(url)
        assert status == 200, f"{url}: {status}"
        total += metric(text, "portal_document_render_seconds_count", outcome="success") or 0
    return total


def files_on_disk(stack):
    """Files written under MEDIA_ROOT (there should be none: they belong in the bucket)."""
    media = stack.workdir / "media"
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def bucket_keys(stack):
    return [item["Key"] for item in stack.s3.list_objects_v2(Bucket=stack.bucket).get("Contents", [])]
