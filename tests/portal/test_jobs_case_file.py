"""The case file's progress page: asking for a case file leads to a page that follows the
document's render (queued, waiting for the documents it lists, ready with its download, or failed
with what failed and a button that queues it again), polled as JSON; center members only."""

import pytest
from django.urls import reverse

from cases.opinions.services import case_file_export
from cases.services import letter_draft, letter_sign, letter_submit
from documents.models import Document
from documents.services import document_render
from tests.documents.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(applicant_org, staff):
    return make_case(applicant_org=applicant_org, by=staff)


def test_asking_for_the_case_file_leads_to_its_progress_and_then_its_download(
    case, staff, client, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False):  # the render waits, as for a busy worker
        response = client.post(reverse("cases:case_file", args=[case.pk]))
    document = Document.objects.get(kind=Document.Kind.CASE_FILE, case=case)
    progress_url = reverse("cases:case_file_progress", args=[case.pk, document.pk])
    assert response.status_code == 302 and response.url == progress_url

    status_url = reverse("cases:case_file_status", args=[case.pk, document.pk])
    queued = client.get(status_url).json()
    assert queued["status"] == "pending" and not queued["finished"] and queued["message"] == "排队生成中"
    page = client.get(progress_url).content.decode()
    assert f'data-progress-url="{status_url}"' in page and "http-equiv" in page and "job-progress.js" in page

    document_render(document_id=document.pk)
    ready = client.get(status_url).json()
    download = reverse("documents:download", args=[document.pk])
    assert ready["status"] == "ready" and ready["finished"] and ready["percent"] == 100
    assert ready["result_url"] == download
    page = client.get(progress_url).content.decode()
    assert download in page and "下载案卷 PDF" in page and "http-equiv" not in page


def test_a_case_file_waiting_for_a_listed_document_says_so(
    case, staff, director, agency, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = letter_draft(case=case, subject="请协助", body="请协助。", agencies=[agency], by=staff)
        letter_submit(letter=letter, by=staff)
        letter_sign(letter=letter, by=director)
        document = case_file_export(case=case, by=staff)
    client.force_login(staff)
    status = client.get(reverse("cases:case_file_status", args=[case.pk, document.pk])).json()
    assert status["message"] == "等待案卷所列文书生成完成" and not status["finished"]


def test_a_failed_render_says_what_failed_and_is_queued_again(
    case, staff, client, monkeypatch, django_capture_on_commit_callbacks
):
    from documents import services

    with django_capture_on_commit_callbacks(execute=False):
        document = case_file_export(case=case, by=staff)
    with monkeypatch.context() as patched, pytest.raises(OSError):
        patched.setattr(services, "produce_pdf", lambda document: (_ for _ in ()).throw(OSError("字体文件缺失")))
        document_render(document_id=document.pk)

    client.force_login(staff)
    status = client.get(reverse("cases:case_file_status", args=[case.pk, document.pk])).json()
    retry_url = reverse("cases:case_file_retry", args=[case.pk, document.pk])
    assert status["status"] == "failed" and status["finished"]
    assert "字体文件缺失" in status["error"] and status["retry_url"] == retry_url
    page = client.get(reverse("cases:case_file_progress", args=[case.pk, document.pk])).content.decode()
    assert "字体文件缺失" in page and "重新生成" in page

    with django_capture_on_commit_callbacks(execute=True):  # the render is queued again (eager here)
        response = client.post(retry_url)
    assert response.url == reverse("cases:case_file_progress", args=[case.pk, document.pk])
    document.refresh_from_db()
    assert document.status == Document.Status.READY and Document.objects.filter(kind="case_file").count() == 1


def test_a_render_queued_too_long_can_be_queued_again(
    case, staff, client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document = case_file_export(case=case, by=staff)
    client.force_login(staff)
    status_url = reverse("cases:case_file_status", args=[case.pk, document.pk])
    assert not client.get(status_url).json()["finished"]
    settings.DOCUMENT_STUCK_MINUTES = 0  # as if it had been queued longer than the limit
    status = client.get(status_url).json()
    assert status["finished"] and "超时" in status["error"] and status["retry_url"]


def test_only_the_center_follows_a_case_file_and_only_of_its_case(
    case, staff, applicant, agency_user, applicant_org, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document = case_file_export(case=case, by=staff)
    other_case = make_case(applicant_org=applicant_org, by=staff)
    urls = [
        reverse("cases:case_file_progress", args=[case.pk, document.pk]),
        reverse("cases:case_file_status", args=[case.pk, document.pk]),
    ]
    for user in (applicant, agency_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code in (302, 404)  # the admin's login, or not found
    client.force_login(staff)
    assert client.get(reverse("cases:case_file_status", args=[other_case.pk, document.pk])).status_code == 404
    assert client.post(reverse("cases:case_file_retry", args=[other_case.pk, document.pk])).status_code == 404
