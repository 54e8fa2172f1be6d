"""The text of issued documents as a reader finds it in the PDF: dates in Chinese (2026年12月1日,
never 2026-12-01), no space where a value was inserted into a sentence (于2026年12月1日提交, not
于 2026年12月1日 提交), and no markup or login e-mail in the text.

One document of each kind is issued through its service, as staff issue it, and its PDF text is
read line by line with poppler. The free text the users typed in these tests has no spaces of its own, so
any space between a Chinese character and a digit comes from the templates or their data."""

import datetime
import html
import re
import subprocess

import pytest
from django.utils import timezone

from applications import services as application_services
from documents.formatting import document_date
from documents.models import Document
from meetings import services as meeting_services
from tests.documents.case_documents import CASE_KINDS, issue_case_documents
from tests.documents.factories import OPINION_TEXT
from tests.meetings.conftest import approved_agenda, convened, deputy_post, soon  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

CJK = r"\u3400-\u9fff"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A space (not a line break) between a Chinese character and a digit, or between a digit and
# 年/月/日/号/份/个. (Not after full-width signs: the blank half of a ：glyph before a value in
# another font reads as a gap to poppler.)
SPACED_VALUE = re.compile(rf"[{CJK}] +\d|\d +[年月日号份个]")

# Opinion text as a user types it, without the spaces the shared sample has ("于 2026 年 9 月").
TIGHT_OPINION = {
    **OPINION_TEXT,
    "dispute_summary": "美国竞争对手于2026年9月向你单位发出律师函，指控你单位出口的数控机床侵犯其美国发明专利。",
    "analysis": "经初步比对，涉案专利权利要求1的技术特征与你单位产品存在差异。",
    "risks": "如进入美国337调查程序，可能面临普遍排除令。",
    "next_steps": "请于收到本意见书后10个工作日内反馈应对方案。",
    "referenced_laws": "美国专利法第271条",
}


def pdf_lines(document):
    """The lines of the PDF as poppler lays them out, each line's words joined by one space.
    A word ends at a space the text has; table cells and the two ends of a line are separate
    lines. (pypdf joins table cells with a space, which is layout, not text.)"""
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    with document.file.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    lines = re.findall(r"<line[^>]*>(.*?)</line>", result.stdout.decode("utf-8"), re.S)
    return [" ".join(html.unescape(word) for word in re.findall(r"<word[^>]*>(.*?)</word>", line)) for line in lines]


def assert_reads_as_chinese_text(document, *people):
    lines = pdf_lines(document)
    text = "\n".join(lines)
    # The verification address is the one place a URL is printed; the case file lists SHA-256 hashes.
    body = [line for line in lines if "://" not in line]
    assert not [line for line in body if ISO_DATE.search(line)], f"{document.kind}: ISO date in {body}"
    spaced = [line for line in body if SPACED_VALUE.search(line)]
    assert not spaced, f"{document.kind}: space around an inserted value in {spaced}"
    assert "<" not in text and "&lt;" not in text and "&amp;" not in text, f"{document.kind}: markup in the text"
    for person in people:
        assert person.email not in text, f"{document.kind}: {person.email} printed"
    return text


def test_the_receipt_and_the_notices_on_an_application(submitted, staff, django_capture_on_commit_callbacks):
    receipt_of = submitted()
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=receipt_of.pk)
    text = assert_reads_as_chinese_text(receipt, staff)
    day = timezone.localdate(receipt_of.submitted_at)
    assert f"你单位于{day.year}年{day.month}月{day.day}日提交" in text
    assert f"申请编号为{receipt_of.number}。" in "".join(text.split())

    decisions = [
        (Document.Kind.ACCEPTANCE_NOTICE, application_services.application_accept, {"note": ""}),
        (Document.Kind.CORRECTION_NOTICE, application_services.application_return, {"reason": "请补充证据。"}),
        (Document.Kind.DECLINE_NOTICE, application_services.application_decline, {"reason": "不属于受理范围。"}),
    ]
    for kind, decide, extra in decisions:
        application = submitted()
        with django_capture_on_commit_callbacks(execute=True):
            decide(application=application, by=staff, **extra)
        notice = Document.objects.get(kind=kind, subject_id=application.pk)
        text = assert_reads_as_chinese_text(notice, staff)
        assert f"（申请编号{application.number}）" in "".join(text.split())


def test_the_documents_of_a_case(
    applicant_org, staff, director, agency, django_capture_on_commit_callbacks, monkeypatch
):
    case, seminar, documents = issue_case_documents(
        applicant_org=applicant_org,
        staff=staff,
        director=director,
        agency=agency,
        capture=django_capture_on_commit_callbacks,
        letter_body="请协助。",
        opinion=TIGHT_OPINION,
        analysis="分析",
        termination_reason="申请人已与对方和解。",
    )
    kinds = {kind: assert_reads_as_chinese_text(documents[kind], staff, director) for kind in CASE_KINDS}
    case_file_text = assert_reads_as_chinese_text(documents[Document.Kind.CASE_FILE], staff, director)

    # The seminar's date and time, the case file's timeline and the letter's contact read as a reader expects.
    held = timezone.localtime(seminar.starts_at)
    assert f"{document_date(held.date())}{held:%H:%M}，指导中心在第一会议室召开" in "".join(
        kinds[Document.Kind.SEMINAR_MINUTES].split()
    )
    application = case.application
    assert f"{application.contact_name}，电话：{application.contact_phone}" in "".join(
        kinds[Document.Kind.ASSISTANCE_LETTER].split()
    )
    assert f"受理时间{document_date(timezone.localtime(case.opened_at))}" in "".join(case_file_text.split())


def test_the_minutes_of_a_joint_meeting(
    approved_agenda,  # noqa: F811 - fixture
    staff,
    deputy,
    agency,
    django_capture_on_commit_callbacks,
):
    minutes = meeting_services.minutes_start(meeting=approved_agenda, by=staff)
    entry = minutes.entries.first()
    meeting_services.minutes_record(
        minutes=minutes,
        by=staff,
        summary="会议听取了本期工作情况汇报。",
        entries={entry.pk: {"discussion": "各单位交流了情况。", "decisions": "由省商务厅牵头梳理指引。"}},
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    meeting_services.action_item_create(
        minutes=minutes, agenda_item=entry.agenda_item, by=staff, title="梳理指引", due_date=due, assignee_user=staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.minutes_approve(minutes=minutes, by=deputy)
    minutes.refresh_from_db()
    text = assert_reads_as_chinese_text(minutes.document, staff, deputy)
    compact_text = "".join(text.split())
    assert f"期限：{document_date(due)}" in compact_text
    assert f"责任：{staff.full_name}" in compact_text
    starts = timezone.localtime(approved_agenda.starts_at)
    assert f"{document_date(starts.date())}{starts:%H:%M}，" in compact_text


@pytest.mark.parametrize(
    ("frozen", "printed"),
    [
        ("2026-11-02", "2026年11月2日"),
        ("2026-11-02 10:05", "2026年11月2日10:05"),
        ("2026年11月2日 10:05", "2026年11月2日10:05"),
        ("2026年11月2日", "2026年11月2日"),
        ("—", "—"),
    ],
)
def test_dates_frozen_in_older_documents_print_in_chinese(frozen, printed):
    assert document_date(frozen) == printed
