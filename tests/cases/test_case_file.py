"""The case file (案卷): a case's whole record in one archival PDF. Its catalogue lists each
document of the case as it stands when the file is rendered (it waits for documents still being
rendered); its timeline is read from the audit log."""

import pytest
from django.utils import timezone

from cases.opinions.casefile import case_file_context
from cases.opinions.services import case_file_export
from cases.services import case_add_note, letter_draft, letter_sign, letter_submit
from documents.models import Document
from documents.services import SourcesNotReady, document_render
from portal.access import Forbidden
from portal.audit import entries_for
from tests.documents import test_case_documents
from tests.documents.factories import make_case
from tests.documents.helpers import compact, pdf_text

pytestmark = pytest.mark.django_db

# A case with a receipt, a letter, an opinion signed twice and seminar minutes.
record = test_case_documents.record


def test_the_case_file_catalogue_shows_each_documents_real_state_and_hash(
    record, staff, director, agency, django_capture_on_commit_callbacks
):
    case = record["case"]
    # A letter signed and the case file exported at once: when the file is requested the
    # letter is still queued; the catalogue is read when the file is rendered, by which time
    # the letter is ready (it used to be frozen at request time and read 排队生成 / —).
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_draft(case=case, subject="补充协助事项", body="请协助。", agencies=[agency], by=staff)
        letter_submit(letter=letter, by=staff)
        letter_sign(letter=letter, by=director)
        new_letter = Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER, subject_id=letter.pk)
        assert new_letter.status == Document.Status.PENDING
        case_file = case_file_export(case=case, by=staff)
    case_file.refresh_from_db()
    assert case_file.status == Document.Status.READY, case_file.last_error
    text = compact(pdf_text(case_file.file.path))
    listed = [record[name] for name in ("receipt", "letter", "first", "second", "minutes")] + [new_letter]
    for document in listed:
        document.refresh_from_db()
        assert document.sha256 and document.sha256 in text, document
    listing = text[text.index("七、文书目录") :]
    assert "排队生成" not in listing
    assert f"已被{record['second'].number}取代" in text


def test_a_case_file_waits_for_the_documents_it_lists(case_with_pending_letter):
    """With a worker, the case file's render may start while a document it lists is still being
    rendered elsewhere: it then waits (the task retries) instead of printing 排队生成."""
    letter, case_file = case_with_pending_letter
    with pytest.raises(SourcesNotReady):
        document_render(document_id=case_file.pk, wait_for_sources=True)
    case_file.refresh_from_db()
    assert case_file.status == Document.Status.PENDING and not case_file.last_error and case_file.attempts == 0

    document_render(document_id=letter.pk)
    document_render(document_id=case_file.pk, wait_for_sources=True)
    case_file.refresh_from_db()
    letter.refresh_from_db()
    assert case_file.status == Document.Status.READY
    assert letter.sha256 in compact(pdf_text(case_file.file.path))


@pytest.fixture
def case_with_pending_letter(applicant_org, staff, director, agency, django_capture_on_commit_callbacks):
    case = make_case(applicant_org=applicant_org, by=staff)
    with django_capture_on_commit_callbacks(execute=False):
        letter = letter_draft(case=case, subject="请协助", body="请协助。", agencies=[agency], by=staff)
        letter_submit(letter=letter, by=staff)
        letter_sign(letter=letter, by=director)
        case_file = case_file_export(case=case, by=staff)
    return Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER), case_file


def test_only_the_center_exports_a_case_file(record, applicant, agency_user):
    for outsider in (applicant, agency_user):
        with pytest.raises(Forbidden):
            case_file_export(case=record["case"], by=outsider)
    assert not Document.objects.filter(kind=Document.Kind.CASE_FILE).exists()


def test_the_timeline_is_the_audit_log_of_the_case_and_everything_in_it(record, staff):
    case = record["case"]
    case_add_note(case=case, by=staff, text="与申请人电话沟通。")
    context = case_file_context(case)
    lines = [f"{row['what']} {row['who']} {row['note']}" for row in context["timeline"]]
    text = "\n".join(lines)
    assert "签发指导意见书：待签发 → 已签发" in text
    assert "重新打开更正：已签发 → 起草中" in text and "更正文字" in text
    assert "与申请人电话沟通。" in text
    assert len(lines) >= entries_for(case, with_scope=True).count()
    times = [row["at"] for row in context["timeline"]]
    assert times == sorted(times)


def test_the_export_is_recorded_in_the_case_log(record, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_file = case_file_export(case=record["case"], by=staff)
    entry = entries_for(record["case"], with_scope=True).get(action_type="cases.case_file.exported")
    assert entry.actor == staff and entry.object_id == case_file.pk
    assert timezone.now() >= entry.created


def test_the_case_file_names_a_natural_person_by_the_id_document_and_keeps_the_deadline_abroad(record):
    """The first table of the case file: a person's ID type and number stand where an organisation's
    credit code would, with how the application came in and the deadline abroad."""
    import datetime

    from cases.opinions.casefile import _application_rows

    application = record["case"].application
    organisation_rows = {row["label"]: row["value"] for row in _application_rows(application)}
    assert organisation_rows["统一社会信用代码"] == application.credit_code and "证件号码" not in organisation_rows

    application.applicant_category = "individual"
    application.credit_code = ""
    application.id_type = "resident_id"
    application.id_number = "11010519491231002X"
    application.foreign_deadline = datetime.date(2027, 3, 1)
    application.foreign_deadline_what = "337 调查答辩"
    application.urgent = True
    rows = {row["label"]: row["value"] for row in _application_rows(application)}
    assert rows["证件类型"] == "居民身份证" and rows["证件号码"] == "11010519491231002X"
    assert "统一社会信用代码" not in rows
    assert rows["申请人类别"] == "个人" and rows["申请渠道"] == "网上申请"
    assert rows["境外期限"] == "2027-03-01 337 调查答辩（紧急）"
