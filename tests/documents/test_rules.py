"""Documents keep the portal's rules: a render status changes only through its declared map, each
step and each download is in the audit log (with the case as its scope), and who may re-run,
revoke or correct a document is decided in one place, refused with one clear message."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from documents import audit_labels as actions
from documents import registry
from documents.models import Document
from documents.services import (
    document_correct,
    document_download,
    document_request,
    document_retry,
    document_revoke,
)
from portal.access import Forbidden
from portal.audit import entries_for
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from tests.factories import with_status

pytestmark = pytest.mark.django_db

TEMPLATE = "pdf/guidance_opinion.html"


def _issue(by, *, subject=None, execute=True, capture, **extra):
    with capture(execute=execute):
        document = document_request(
            kind=Document.Kind.GUIDANCE_OPINION,
            subject=subject or by,
            template=TEMPLATE,
            context={"title": "海外知识产权纠纷应对行政指导意见书", "addressee": "山西晋成精密机械有限公司"},
            title="海外知识产权纠纷应对行政指导意见书",
            by=by,
            **extra,
        )
    document.refresh_from_db()
    return document


def test_a_direct_status_write_on_a_document_fails(staff, django_capture_on_commit_callbacks):
    document = _issue(staff, execute=False, capture=django_capture_on_commit_callbacks)
    with pytest.raises(DirectStatusWrite):
        document.status = Document.Status.READY
    assert Document.objects.get(pk=document.pk).status == Document.Status.PENDING


def test_every_render_step_is_one_audit_entry_with_its_status_change(staff, django_capture_on_commit_callbacks):
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    assert document.status == Document.Status.READY
    requested, rendered = entries_for(document)
    assert (requested.action_type, requested.actor, requested.to_status) == (actions.REQUESTED, staff, "pending")
    assert (rendered.action_type, rendered.actor, rendered.status_change) == (
        actions.RENDERED,
        None,
        "排队生成 → 已生成",
    )
    assert rendered.note == f"SHA-256 {document.sha256}"
    assert [entry.action_label for entry in (requested, rendered)] == ["申请生成", "已生成"]


def test_a_re_run_of_a_rendered_document_names_its_state(staff, django_capture_on_commit_callbacks):
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    with pytest.raises(TransitionNotAllowed, match="已生成"):
        document_retry(document=document, by=staff)


def test_revoking_an_unfinished_document_names_the_state_it_is_in(director, django_capture_on_commit_callbacks):
    document = _issue(director, execute=False, capture=django_capture_on_commit_callbacks)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“排队生成”"):
        document_revoke(document=document, by=director, reason="误发")
    assert Document.objects.get(pk=document.pk).revoked_at is None


def test_only_a_signer_revokes_and_the_entry_records_who_and_why(staff, director, django_capture_on_commit_callbacks):
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    with pytest.raises(Forbidden, match="只有主任或副主任可以撤销文书"):
        document_revoke(document=document, by=staff, reason="误发")
    assert Document.objects.get(pk=document.pk).revoked_at is None

    document_revoke(document=document, by=director, reason="误发")
    document.refresh_from_db()
    assert document.revoked_at is not None and document.status == Document.Status.READY
    [revoked] = entries_for(document).filter(action_type=actions.REVOKED)
    assert (revoked.actor, revoked.note, revoked.action_label) == (director, "误发", "已撤销")


def test_a_staff_member_who_may_not_sign_gets_a_403_page_with_the_reason(
    client, staff, director, django_capture_on_commit_callbacks
):
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    client.force_login(staff)
    url = reverse("admin:documents_document_revoke", args=[document.pk])
    response = client.post(url, {"reason": "误发"})
    assert response.status_code == 403
    assert "只有主任或副主任可以撤销文书" in response.content.decode()
    assert Document.objects.get(pk=document.pk).revoked_at is None
    # A wrong id is a 404, not a 403.
    assert client.post(reverse("admin:documents_document_revoke", args=[document.pk + 1000])).status_code == 404


def test_people_outside_the_center_cannot_re_run_a_document(applicant, staff, django_capture_on_commit_callbacks):
    document = _issue(staff, execute=False, capture=django_capture_on_commit_callbacks)
    document = with_status(document, Document.Status.FAILED)
    with pytest.raises(Forbidden, match="只有中心工作人员可以重新生成文书"):
        document_retry(document=document, by=applicant)
    assert Document.objects.get(pk=document.pk).status == Document.Status.FAILED
    assert not entries_for(document).filter(action_type=actions.RETRIED).exists()


def test_a_signed_document_is_corrected_only_by_a_signer(staff, director, django_capture_on_commit_callbacks):
    document = _issue(
        director, number="晋知指意〔2026〕1号", signed_by=director, capture=django_capture_on_commit_callbacks
    )
    with pytest.raises(Forbidden, match="主任或副主任"):
        document_correct(document=document, by=staff, reason="地址有误")
    with django_capture_on_commit_callbacks(execute=True):
        new = document_correct(document=document, by=director, reason="地址有误")
    document.refresh_from_db()
    assert document.superseded_by == new and new.version == 2
    [superseded] = entries_for(document).filter(action_type=actions.SUPERSEDED)
    assert superseded.actor == director and "地址有误" in superseded.note
    assert superseded.data == {"superseded_by": new.pk}


def test_a_download_is_recorded_with_who_and_from_where(
    client, applicant, applicant_org, django_capture_on_commit_callbacks
):
    document = _issue(applicant, applicant=applicant_org, released=True, capture=django_capture_on_commit_callbacks)
    client.force_login(applicant)
    response = client.get(reverse("documents:download", args=[document.pk]), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    [download] = entries_for(document).filter(action_type=actions.DOWNLOADED)
    assert (download.actor, download.client_address) == (applicant, "203.0.113.7")
    assert download.data["file"].endswith(".pdf")
    assert download.action_label == "下载文书"


def test_nobody_records_a_download_of_a_document_they_may_not_read(
    client, other_applicant, applicant, applicant_org, django_capture_on_commit_callbacks
):
    document = _issue(applicant, applicant=applicant_org, released=True, capture=django_capture_on_commit_callbacks)
    with pytest.raises(Forbidden):
        document_download(document=document, by=other_applicant)
    client.force_login(other_applicant)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert not entries_for(document).filter(action_type=actions.DOWNLOADED).exists()


def test_the_admin_history_reads_the_audit_log(client, staff, django_capture_on_commit_callbacks):
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    client.force_login(staff)
    client.get(reverse("documents:download", args=[document.pk]))
    page = client.get(reverse("admin:documents_document_change", args=[document.pk])).content.decode()
    history = page[page.index('data-testid="document-history"') :]
    for text in ("申请生成", "已生成", "排队生成 → 已生成", "下载文书", str(staff), "127.0.0.1", document.sha256):
        assert text in history


def test_a_document_about_a_case_is_in_the_case_timeline(staff, django_capture_on_commit_callbacks):
    from tests.documents.factories import make_case

    case = make_case(by=staff)
    document = _issue(staff, subject=case, case=case, capture=django_capture_on_commit_callbacks)
    in_case = entries_for(case, with_scope=True).filter(content_type=ContentType.objects.get_for_model(Document))
    assert list(in_case.values_list("object_id", "action_type")) == [
        (document.pk, actions.REQUESTED),
        (document.pk, actions.RENDERED),
    ]


def test_a_kind_reads_what_its_app_registered_at_render_time(staff, monkeypatch, django_capture_on_commit_callbacks):
    seen = []

    def live(document):
        seen.append(document.pk)
        return {"addressee": "注册的上下文"}

    monkeypatch.setitem(registry._context, Document.Kind.GUIDANCE_OPINION, live)
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    assert seen == [document.pk]
    assert document.status == Document.Status.READY


def test_a_failed_render_is_recorded_by_the_system_and_a_re_run_by_staff(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    from documents import services

    monkeypatch.setattr(services, "render_document", lambda template, context: (_ for _ in ()).throw(KeyError("font")))
    document = _issue(staff, capture=django_capture_on_commit_callbacks)
    assert document.status == Document.Status.FAILED
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        document_retry(document=document, by=staff)
    steps = [(e.action_type, e.actor, e.from_status, e.to_status) for e in entries_for(document)]
    assert steps == [
        (actions.REQUESTED, staff, "", "pending"),
        (actions.FAILED, None, "pending", "failed"),
        (actions.RETRIED, staff, "failed", "pending"),
        (actions.RENDERED, None, "pending", "ready"),
    ]


def test_the_applicants_page_lists_the_documents_of_the_case_as_the_one_selector_does(
    client, staff, applicant, applicant_org, django_capture_on_commit_callbacks
):
    from documents.selectors import case_documents
    from tests.documents.factories import make_case

    case = make_case(by=staff, applicant_org=applicant_org)
    shared = {"case": case, "applicant": applicant_org, "capture": django_capture_on_commit_callbacks}
    issued = _issue(staff, subject=case, released=True, number="晋知指意〔2026〕7号", **shared)
    being_made = _issue(staff, subject=case, released=True, execute=False, number="晋知指意〔2026〕8号", **shared)
    internal = _issue(staff, subject=case, released=False, number="晋知指意〔2026〕9号", **shared)

    assert list(case_documents(applicant, case)) == [issued]
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[case.application_id])).content.decode()
    listed = page[page.index('data-testid="documents"') :]
    listed = listed[: listed.index("</ul>")]
    assert reverse("documents:download", args=[issued.pk]) in listed
    assert listed.count("正在生成，请稍后刷新页面") == 1  # the one being made, released to the applicant
    assert being_made.number not in listed and internal.number not in listed


def test_the_documents_of_one_object_are_narrowed_to_the_reader(
    staff, director, agency, agency_user, other_agency_user, django_capture_on_commit_callbacks
):
    from documents.selectors import subject_documents

    subject = director
    first = _issue(staff, subject=subject, agencies=[agency], capture=django_capture_on_commit_callbacks)
    pending = _issue(
        staff, subject=subject, agencies=[agency], execute=False, capture=django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = document_correct(document=first, by=staff, reason="更正")
    second.refresh_from_db()
    everything = subject_documents(staff, subject, include_superseded=True, include_unready=True)
    assert list(everything) == [second, pending, first]  # newest first
    # Old versions are for staff only; others read current, rendered documents addressed to them.
    assert list(subject_documents(agency_user, subject, include_superseded=True)) == [second]
    assert not subject_documents(other_agency_user, subject).exists()


def test_the_applicant_never_reads_the_staffs_entries_about_documents(
    client, staff, applicant, applicant_org, django_capture_on_commit_callbacks
):
    from tests.documents.factories import make_case

    case = make_case(by=staff, applicant_org=applicant_org)
    document = _issue(
        staff,
        subject=case,
        case=case,
        applicant=applicant_org,
        released=True,
        capture=django_capture_on_commit_callbacks,
    )
    client.force_login(staff)
    client.get(reverse("documents:download", args=[document.pk]), REMOTE_ADDR="198.51.100.9")
    assert entries_for(case, with_scope=True).filter(action_type=actions.DOWNLOADED).exists()

    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[case.application_id])).content.decode()
    assert reverse("documents:download", args=[document.pk]) in page
    for staff_only in ("下载文书", "198.51.100.9", "申请生成", document.sha256):
        assert staff_only not in page
