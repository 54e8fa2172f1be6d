"""Each role's main pages pass an automated accessibility check (axe-core): no serious or
critical problem — missing labels, names or alternative text, too little contrast, broken
ARIA, untranslated or empty accessible names."""

import re
import threading

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from applications import services as application_services
from applications.selectors import applicant_of
from documents.models import Document
from experts import services as expert_services
from tests.applications.factories import complete_draft
from tests.cases.factories import in_progress_case, signed_letter
from tests.e2e.a11y import assert_accessible
from tests.e2e.helpers import login
from tests.experts.factories import expert_with_login
from tests.factories import ApplicationFactory
from tests.meetings.factories import RegularMeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def outside_the_browser_loop(setup):
    """Run data set-up in its own thread: documents are signed on creation, and the signing
    library runs its own event loop, which cannot start inside Playwright's."""
    result, failure = [], []

    def run():
        try:
            result.append(setup())
        except BaseException as exc:  # re-raised in the test thread
            failure.append(exc)
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def check_pages(page, live_server, urls):
    """Visit each page and check it; report the problems of all pages at once."""
    problems = []
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status < 400, f"{url}: HTTP {response.status}"
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, "\n\n".join(problems)


def test_public_pages(page, live_server, applicant):
    outside_the_browser_loop(
        lambda: application_services.application_submit(application=complete_draft(applicant), by=applicant)
    )
    receipt = Document.objects.filter(status=Document.Status.READY).first()
    check_pages(
        page,
        live_server,
        [
            "/",
            reverse("login"),
            reverse("applications:register"),
            reverse("password_reset"),
            reverse("documents:verify"),
            reverse("documents:verify_code", args=[receipt.verification_code]),
        ],
    )


def test_applicant_pages(page, live_server, applicant, staff):
    draft = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)

    def submitted_and_accepted():
        application = application_services.application_submit(application=complete_draft(applicant), by=applicant)
        application_services.application_accept(application=application, by=staff)
        return application

    submitted = outside_the_browser_loop(submitted_and_accepted)
    login(page, live_server, applicant)
    check_pages(
        page,
        live_server,
        [
            reverse("applications:mine"),
            reverse("applications:edit", args=[draft.pk]),
            reverse("applications:evidence", args=[draft.pk]),
            reverse("applications:review", args=[draft.pk]),
            reverse("applications:detail", args=[submitted.pk]),
            reverse("portal:notifications"),
        ],
    )


def test_staff_pages(page, live_server, staff, director, agency):
    case = in_progress_case(staff)
    outside_the_browser_loop(lambda: signed_letter(case, staff, director, [agency]))
    login(page, live_server, staff)
    check_pages(
        page,
        live_server,
        [
            reverse("admin:index"),
            reverse("admin:applications_application_changelist"),
            reverse("admin:applications_application_change", args=[case.application_id]),
            reverse("admin:cases_case_changelist"),
            reverse("admin:cases_case_change", args=[case.pk]),
            reverse("meetings:calendar"),
        ],
    )


def test_agency_pages(page, live_server, staff, director, agency, agency_user):
    letter = outside_the_browser_loop(lambda: signed_letter(in_progress_case(staff), staff, director, [agency]))
    RegularMeetingFactory()
    login(page, live_server, agency_user)
    check_pages(
        page,
        live_server,
        [
            reverse("cases:agency_inbox"),
            reverse("cases:agency_letter", args=[letter.pk]),
            reverse("meetings:calendar"),
        ],
    )


def test_expert_pages(page, live_server, staff):
    case = in_progress_case(staff)
    expert = expert_with_login(name="吴志远")
    invitation = expert_services.expert_invite(
        case=case, expert=expert, by=staff, deadline=timezone.now() + timezone.timedelta(days=3)
    )
    login(page, live_server, expert.user)
    check_pages(page, live_server, [reverse("experts:workspace"), reverse("experts:invitation", args=[invitation.pk])])


def test_a_refused_upload_is_announced_at_its_file_field(page, live_server, applicant, tmp_path):
    """The applicant picks an executable named .pdf: the message appears at the file field in
    plain words, the field is marked invalid and described by the message, and the page with
    the error still passes the accessibility check."""
    draft = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    fake = tmp_path / "合同.pdf"
    fake.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200))
    login(page, live_server, applicant)
    page.goto(live_server.url + reverse("applications:evidence", args=[draft.pk]))
    page.get_by_label("材料类别").select_option("legal_papers")
    page.get_by_label("选择文件（可多选）").set_input_files(str(fake))
    page.get_by_role("button", name="上传", exact=True).click()

    field = page.get_by_label("选择文件（可多选）")
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("这个文件不是 PDF，而是可执行程序"))
    expect(page.locator("#id_files_error")).to_contain_text("“合同.pdf”：这个文件不是 PDF，而是可执行程序")
    expect(page.get_by_label("材料类别")).to_have_value("legal_papers")
    assert "application/" not in page.locator("#id_files_error").inner_text()
    assert_accessible(page)


def test_the_check_fails_on_a_serious_problem(page):
    """The check itself can fail: an unlabelled field and an image without alternative text."""
    page.set_content('<html lang="zh-Hans"><title>t</title><main><input type="text"><img src="x.png"></main></html>')
    with pytest.raises(AssertionError) as error:
        assert_accessible(page)
    assert "label" in str(error.value) and "image-alt" in str(error.value)
