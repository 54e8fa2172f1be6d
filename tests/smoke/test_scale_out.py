"""The README's scale-out layout on one machine: two web processes (gunicorn on two ports, as two
machines behind the load balancer) and two Celery workers under different names, sharing one
PostgreSQL, one Redis and one bucket, and nothing else.

An applicant submits through web A; staff see the application and its file and accept it through web
B; the documents, rendered by whichever worker took the task, download through both; both workers'
heartbeats show in /healthz on both web processes.
"""

import time

from playwright.sync_api import expect

from tests.applications.factories import PDF_BYTES
from tests.smoke.steps import (
    bucket_keys,
    download,
    files_on_disk,
    healthz,
    log_in,
    renders,
    submit_application,
    wait_for_document,
)


def _both_workers_beat(stack, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        answers = [healthz(base) for base in (stack.url, stack.url_b)]
        if all(status == 200 and body["checks"]["worker"]["workers"] == 2 for status, body in answers):
            return answers
        assert time.monotonic() < deadline, f"not two live workers in /healthz: {answers}"
        time.sleep(1)


def test_both_web_processes_serve_one_portal(scale_out, browser, server_errors, page, tmp_path):
    stack = scale_out
    web_a, web_b = stack.url, stack.url_b
    for _status, body in _both_workers_beat(stack):
        assert all(check["ok"] for check in body["checks"].values()), body
        assert "worker-" not in str(body)  # the workers' names stay inside
    renders_before = renders(stack)

    # Web A: the applicant submits an application with a file.
    log_in(page, stack, "applicant", base=web_a)
    application_url = submit_application(page, stack, tmp_path, base=web_a)
    assert application_url.startswith(web_a), application_url
    number = page.get_by_test_id("application-number").inner_text()
    receipt = download(page, wait_for_document(page, "回执"))
    assert receipt.startswith(b"%PDF-")

    # Web B: staff find it, read the applicant's file (uploaded through A) and accept it.
    staff = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    try:
        staff_page = staff.new_page()
        staff_page.set_default_timeout(20000)
        log_in(staff_page, stack, "staff", base=web_b)
        staff_page.goto(f"{web_b}/admin/applications/application/")
        expect(staff_page.locator("#result_list")).to_contain_text(number)
        staff_page.locator("#result_list").get_by_role("link", name=number).click()
        assert staff_page.url.startswith(web_b)
        assert download(staff_page, staff_page.get_by_role("link", name="营业执照副本.pdf").first) == PDF_BYTES
        staff_page.locator("a[data-decision=accept]").click()
        staff_page.get_by_role("button", name="确认受理").click()
        expect(staff_page.locator(".messagelist")).to_contain_text("已受理 1 份申请")
    finally:
        staff.close()

    # The acceptance notice, rendered by whichever worker took it, downloads through A and through B.
    notice_through_a = download(page, wait_for_document(page, "受理通知书"))
    assert notice_through_a.startswith(b"%PDF-") and len(notice_through_a) > 10_000
    page.context.clear_cookies()
    log_in(page, stack, "applicant", base=web_b)
    page.goto(application_url.replace(web_a, web_b, 1))
    assert download(page, wait_for_document(page, "受理通知书")) == notice_through_a
    assert download(page, wait_for_document(page, "回执")) == receipt

    # Both documents were rendered (by either worker), and every file is in the one bucket.
    assert renders(stack) >= renders_before + 2
    assert len([key for key in bucket_keys(stack) if key.endswith(".pdf")]) >= 3
    assert not files_on_disk(stack)
    _both_workers_beat(stack)
