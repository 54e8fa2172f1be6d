"""The kinds that have a format of their own, measured in the rendered PDF (PyMuPDF):

- the assistance letter in 信函格式: the issuer in red with its top 30 mm from the page top, a red
  double rule (thick over thin) 170 mm long 4 mm under it and another (thin over thick) 20 mm above the
  page bottom, the number flush right under the first rule, no page number on the first page;
- the upward report as an upward document (报告): the number one character in from the left, 签发人 and
  the signer's name right of it on the same line, a title 关于…的报告, the center's voice, signed by the
  director or a deputy;
- the minutes of the joint meeting and of a seminar in 纪要格式: the red "…会议纪要"/"…纪要" header,
  第N期 under it, the issuer and the date under the number, 出席/请假/列席 lists with 黑体 labels.

Every document is issued through its service, as people issue it, and rendered by the render task
(documents.services.render_context on the Document row), never from hand-made HTML."""

import datetime
import re

import fitz
import pytest
from django.utils import timezone

from applications.choices import DisputeLevel
from cases import services as case_services
from documents.models import Document
from experts import services as expert_services
from experts.models import Seminar, SeminarInvitee
from meetings import services as meeting_services
from meetings.models import Invitation
from tests.documents.factories import make_case
from tests.experts.factories import expert_with_login
from tests.meetings.conftest import approved_agenda, convened, deputy_post, soon  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points in a millimetre
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
RED = (0xE6 / 255, 0, 0x12 / 255)


def mm(points):
    return points / MM


# ---------------------------------------------------------------- issuing the documents


def issue_letter(case, staff, director, agencies, capture):
    with capture(execute=True):
        letter = case_services.letter_draft(
            case=case, subject="请协助核实展会情况", body="请协助核实。", agencies=agencies, by=staff
        )
        case_services.letter_submit(letter=letter, by=staff)
        case_services.letter_sign(letter=letter, by=director)
    return Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER, case=case)


def issue_report(case, staff, signer, capture):
    with capture(execute=True):
        report = case_services.report_draft(case=case, recipient="provincial", by=staff)
        case_services.report_submit(report=report, by=staff)
        case_services.report_sign(report=report, by=signer)
    return Document.objects.get(kind=Document.Kind.UPWARD_REPORT, case=case)


def issue_meeting_minutes(meeting, staff, deputy, capture, *, excused=None):
    """The minutes of `meeting`, everyone present but the agency `excused`, which declined beforehand."""
    for invitation in meeting.invitations.select_related("agency", "user"):
        attendance = Invitation.Attendance.PRESENT
        if excused is not None and invitation.agency_id == excused.pk:
            Invitation.objects.filter(pk=invitation.pk).update(answer=Invitation.Answer.DECLINED)
            attendance = Invitation.Attendance.ABSENT
        meeting_services.attendance_record(invitation=invitation, by=staff, attendance=attendance)
    minutes = meeting_services.minutes_start(meeting=meeting, by=staff)
    entry = minutes.entries.first()
    meeting_services.minutes_record(
        minutes=minutes,
        by=staff,
        summary="会议听取了本季度海外知识产权纠纷应对指导工作情况汇报。",
        entries={entry.pk: {"discussion": "各成员单位交流了展会维权情况。", "decisions": "由省商务厅牵头梳理指引。"}},
    )
    with capture(execute=True):
        meeting_services.minutes_approve(minutes=minutes, by=deputy)
    minutes.refresh_from_db()
    return minutes.document


def issue_seminar_minutes(case, staff, agency, capture):
    attended, excused = expert_with_login(name="王明"), expert_with_login(name="李华")
    with capture(execute=True):
        seminar = expert_services.seminar_convene(
            case=case,
            by=staff,
            title="数控机床美国专利纠纷应对专家研讨会",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            location="指导中心第一会议室",
            experts=[attended, excused],
            agencies=[agency],
            staff_users=[staff],
        )
        Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
        present = [
            seat.pk
            for seat in seminar.invitees.all()
            if seat.kind != SeminarInvitee.Kind.EXPERT or seat.expert_id == attended.pk
        ]
        expert_services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=present)
        expert_services.seminar_conclude(
            seminar=seminar,
            by=staff,
            analysis="涉案专利稳定性存疑。",
            recommendations="积极应诉，同时评估无效宣告。",
            agreement="与会专家一致同意上述意见。",
        )
    return Document.objects.get(kind=Document.Kind.SEMINAR_MINUTES, case=case)


# ---------------------------------------------------------------- reading the PDF

CHAR_MM = 15.79 / MM  # one body character of the grid (28 in the 156 mm text block)
BODY_NUMBER_GAP_MM = 7 / 8 * 16 / MM  # 7/8 of a 3号 character's height


def pdf_of(document):
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    with document.file.open("rb") as handle:
        return fitz.open(stream=handle.read(), filetype="pdf")


def block_edges(page):
    """The text block's left and right edges in mm: the binding margin (28 mm) is on the left of odd
    pages and on the right of even ones."""
    left = 28 if page.number % 2 == 0 else 26
    return left, left + 156


def spans(page):
    """Every text span on the page, with its box in mm, font and colour (r, g, b in 0..255)."""
    found = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if span["text"].strip():
                    colour = span["color"]
                    found.append(
                        {
                            "text": span["text"],
                            "font": span["font"],
                            "size": span["size"],
                            "rgb": ((colour >> 16) & 255, (colour >> 8) & 255, colour & 255),
                            "box": tuple(mm(v) for v in span["bbox"]),
                        }
                    )
    return found


def span_with(page, pattern):
    matches = [s for s in spans(page) if re.search(pattern, s["text"])]
    assert matches, f"no text matching {pattern!r} on page {page.number + 1}: {[s['text'] for s in spans(page)]}"
    return matches[0]


def is_red(rgb):
    r, g, b = rgb
    return r > 180 and g < 60 and b < 80


def red_bars(page):
    """Red filled horizontal bars (rules) wider than 20 mm: (x0, y0, x1, y1) in mm, top to bottom."""
    bars = []
    for drawing in page.get_drawings():
        fill = drawing.get("fill")
        rect = drawing["rect"]
        if fill and is_red(tuple(int(c * 255) for c in fill)) and rect.width > 20 * MM and rect.height < 3 * MM:
            bars.append(tuple(mm(v) for v in (rect.x0, rect.y0, rect.x1, rect.y1)))
    return sorted(bars, key=lambda bar: bar[1])


def red_lines(page):
    """Red stroked horizontal lines (the 文件 header's rule): (x0, y, x1, width) in mm."""
    lines = []
    for drawing in page.get_drawings():
        colour = drawing.get("color")
        rect = drawing["rect"]
        if colour and is_red(tuple(int(c * 255) for c in colour)) and rect.width > 20 * MM and rect.height < 1:
            lines.append((mm(rect.x0), mm(rect.y0), mm(rect.x1), mm(drawing.get("width") or 0)))
    return lines


def page_numbers(page):
    return [s["text"] for s in spans(page) if re.fullmatch(r"—\s*\d+\s*—", s["text"].strip())]


def text_of(pdf):
    return "".join("".join(page.get_text().split()) for page in pdf)


def approx(value, expected, tolerance):
    assert abs(value - expected) <= tolerance, f"{value:.2f} mm, expected {expected:.2f} ± {tolerance} mm"


# ---------------------------------------------------------------- 信函格式


@pytest.fixture
def letter_pdf(applicant_org, staff, director, agency, other_agency, django_capture_on_commit_callbacks):
    case = make_case(applicant_org=applicant_org, by=staff)
    return pdf_of(issue_letter(case, staff, director, [agency, other_agency], django_capture_on_commit_callbacks))


def test_letter_issuer_in_red_30_mm_from_the_page_top(letter_pdf, settings):
    page = letter_pdf[0]
    issuer = span_with(page, "^山西省涉外知识产权指导中心$")
    assert is_red(issuer["rgb"])
    approx(issuer["box"][1], 30, 1)
    # Centred on the text block.
    left, right = block_edges(page)
    approx((issuer["box"][0] + issuer["box"][2]) / 2, (left + right) / 2, 1)


def test_letter_red_double_rules(letter_pdf):
    page = letter_pdf[0]
    issuer = span_with(page, "^山西省涉外知识产权指导中心$")
    bars = red_bars(page)
    assert len(bars) == 4, bars
    for x0, _y0, x1, _y1 in bars:
        approx(x1 - x0, 170, 1)  # 170 mm long,
        approx((x0 + x1) / 2, PAGE_WIDTH_MM / 2, 1)  # centred on the page
    (top_a, top_b, bottom_a, bottom_b) = bars
    thickness = [y1 - y0 for _x0, y0, _x1, y1 in bars]
    # Under the issuer: thick over thin, 4 mm under the issuer.
    assert thickness[0] > 2 * thickness[1], thickness
    approx(top_a[1] - issuer["box"][3], 4, 0.5)
    assert top_b[1] - top_a[3] < 1.5  # the two lines of one rule belong together
    # Near the foot: thin over thick, 20 mm above the page bottom.
    assert thickness[3] > 2 * thickness[2], thickness
    approx(PAGE_HEIGHT_MM - bottom_b[3], 20, 0.5)
    assert bottom_b[1] - bottom_a[3] < 1.5
    # Nothing of the letter's text runs into the lower rule.
    lowest_text = max(s["box"][3] for s in spans(page))
    assert lowest_text <= bottom_a[1] - BODY_NUMBER_GAP_MM + 0.5


def test_letter_number_flush_right_under_the_rule_and_title_two_lines_lower(letter_pdf):
    page = letter_pdf[0]
    number = span_with(page, r"^晋知指函〔\d{4}〕\d+号$")
    _left, right = block_edges(page)
    approx(number["box"][2], right, 0.5)
    upper_rule_bottom = red_bars(page)[1][3]
    approx(number["box"][1] - upper_rule_bottom, BODY_NUMBER_GAP_MM, 1)
    title = span_with(page, "^关于")
    assert title["size"] > 21
    # Two blank lines (2 x 10.45 mm) between the number's line and the title's.
    approx(title["box"][1] - number["box"][3], 20.9 + (10.45 - 22 / MM) / 2, 1.5)


def test_letter_has_no_page_number_on_its_first_page(letter_pdf):
    assert page_numbers(letter_pdf[0]) == []
    assert len(letter_pdf) > 1
    assert page_numbers(letter_pdf[1]) == ["— 2 —"]


# ---------------------------------------------------------------- the upward report


@pytest.fixture
def report_case(applicant_org, staff):
    return make_case(
        applicant_org=applicant_org,
        by=staff,
        level=DisputeLevel.MAJOR,
        request="我司出口美国的数控机床被诉侵犯专利，请贵中心指导我公司应诉。",
        impact="本公司对美出口订单约3000万元受影响。",
    )


def test_report_header_is_an_upward_documents(report_case, staff, director, django_capture_on_commit_callbacks):
    pdf = pdf_of(issue_report(report_case, staff, director, django_capture_on_commit_callbacks))
    page = pdf[0]
    left, right = block_edges(page)
    number = span_with(page, r"^晋知指报〔\d{4}〕\d+号$")
    label = span_with(page, "^签发人：")
    name = span_with(page, f"^{director.full_name}$")
    # The number one character in from the left; 签发人 and the name on its line, one character in from the right.
    approx(number["box"][0], left + CHAR_MM, 0.6)
    approx(label["box"][1], number["box"][1], 1)
    approx(name["box"][1], number["box"][1], 1.5)
    assert label["box"][0] > number["box"][2] + 20
    assert name["box"][0] >= label["box"][2] - 0.5
    approx(name["box"][2], right - CHAR_MM, 0.6)
    # "签发人" in 仿宋, the signer's name in 楷体.
    assert "Fang" in label["font"] and "Kai" in name["font"], (label["font"], name["font"])
    # Two lines under the issuer, the red rule 4 mm under them.
    issuer = span_with(page, "^山西省涉外知识产权指导中心$")
    assert is_red(issuer["rgb"])
    approx(number["box"][1] - issuer["box"][3], 20.9, 1.5)
    (rule,) = red_lines(page) or [(bar[0], bar[1], bar[2], bar[3] - bar[1]) for bar in red_bars(page)]
    approx(rule[1] - number["box"][3], 4, 1)


def test_report_title_voice_and_signer(report_case, staff, director, django_capture_on_commit_callbacks):
    document = issue_report(report_case, staff, director, django_capture_on_commit_callbacks)
    pdf = pdf_of(document)
    page = pdf[0]
    title = "".join(s["text"] for s in spans(page) if 21 < s["size"] < 23)
    assert title.startswith("关于") and title.endswith("情况的报告"), title
    assert "通报" not in title
    text = text_of(pdf)
    for word in ("我司", "我公司", "本公司", "贵中心"):
        assert word not in text, word
    assert "该企业出口美国的数控机床被诉侵犯专利，请我中心指导该企业应诉。" in text
    assert "特此报告。" in text
    # Addressed to the higher authority, flush left; level-1 headings in 黑体.
    addressee = span_with(page, "^山西省知识产权局：$")
    approx(addressee["box"][0], block_edges(page)[0], 0.5)
    headings = [s for p in pdf for s in spans(p) if re.match("^[一二三四]、", s["text"])]
    assert [s["text"] for s in headings] == ["一、基本情况", "二、纠纷情况", "三、已采取的措施", "四、下一步工作"]
    assert all("Hei" in s["font"] for s in headings), [s["font"] for s in headings]
    # Signed by the director, under the director's name, never by the staff member who drafted it.
    assert document.signed_by == director and document.digitally_signed
    assert f"签发人：{director.full_name}" in text and staff.full_name not in text.split("特此报告")[0]


def test_report_signed_by_a_deputy_names_the_deputy(report_case, staff, deputy, django_capture_on_commit_callbacks):
    document = issue_report(report_case, staff, deputy, django_capture_on_commit_callbacks)
    assert document.signed_by == deputy
    assert f"签发人：{deputy.full_name}" in text_of(pdf_of(document))


# ---------------------------------------------------------------- 纪要格式


def check_minutes_header(pdf, document, header):
    page = pdf[0]
    red = [s for s in spans(page) if is_red(s["rgb"])]
    # The red header is the minutes' own ("…纪要"), not the issuer of a 文件.
    assert [s["text"] for s in red] == [header], red
    (title,) = red
    left, right = block_edges(page)
    approx((title["box"][0] + title["box"][2]) / 2, (left + right) / 2, 1)
    assert left - 0.5 <= title["box"][0] and title["box"][2] <= right + 0.5
    approx(title["box"][1], 37 + 35, 1.5)  # 35 mm under the text block's top
    # 第N期 centred two lines under it, the number of this document.
    issue = span_with(page, r"^第\d+期$")
    assert issue["text"] == document.number
    approx((issue["box"][0] + issue["box"][2]) / 2, (left + right) / 2, 1)
    approx(issue["box"][1] - title["box"][3], 20.9, 1.5)
    # The issuer at the left and the date at the right, on the line under the number.
    issuer = span_with(page, "^山西省涉外知识产权指导中心$")
    day = document.issued_on
    date = span_with(page, f"^{day.year}年{day.month}月{day.day}日$")
    approx(issuer["box"][0], left, 0.5)
    approx(date["box"][2], right, 0.5)
    approx(issuer["box"][1], date["box"][1], 0.5)
    assert issuer["box"][1] > issue["box"][3] and issuer["box"][1] - issue["box"][3] < 10.45
    # The red rule under them.
    rules = red_lines(page) or red_bars(page)
    assert rules and rules[0][1] > issuer["box"][3]


def attendance(pdf):
    """{label: (label span, the names that follow)} for the 出席/请假/缺席/列席 lines."""
    found = {}
    for page in pdf:
        items = spans(page)
        for index, span in enumerate(items):
            match = re.fullmatch("(出席|请假|缺席|列席)：", span["text"])
            if match:
                found[match[1]] = (span, items[index + 1]["text"] if index + 1 < len(items) else "")
    return found


def check_attendance(pdf, expected):
    lists = attendance(pdf)
    assert set(lists) == set(expected), lists
    for label, names in expected.items():
        span, text = lists[label]
        assert "Hei" in span["font"], span  # the label in 黑体,
        assert all(name in text for name in names), (label, text)  # the names after it
    # Two characters in from the block's left edge.
    span, _text = lists["出席"]
    page = next(p for p in pdf if any(s["text"] == "出席：" for s in spans(p)))
    approx(span["box"][0], block_edges(page)[0] + 2 * CHAR_MM, 0.6)


def check_distribution(pdf, agencies):
    """The 版记 at the foot of the last page: the 分送 line, then the issuer and 印发 date, one line each,
    the last on the text block's last line (its bottom 262 mm from the page top)."""
    last = pdf[-1]
    distribution = span_with(last, "^分送：")
    assert all(agency in distribution["text"] for agency in agencies), distribution
    printed = span_with(last, "印发$")
    approx(printed["box"][1] - distribution["box"][1], 10.45, 0.8)
    approx(printed["box"][3], 37 + 225 - (10.45 - 14 / MM) / 2, 1.5)
    assert len(pdf) % 2 == 0  # the last page is an even one


def test_joint_meeting_minutes(
    approved_agenda,  # noqa: F811 - fixture
    staff,
    deputy,
    director,
    agency,
    other_agency,
    django_capture_on_commit_callbacks,
):
    document = issue_meeting_minutes(
        approved_agenda, staff, deputy, django_capture_on_commit_callbacks, excused=other_agency
    )
    pdf = pdf_of(document)
    check_minutes_header(pdf, document, "海外知识产权纠纷应对指导联席会议纪要")
    assert re.fullmatch(r"第\d+期", document.number)
    headings = [s for p in pdf for s in spans(p) if re.match("^[一二三四五六七八九十]+、", s["text"])]
    assert headings and all("Hei" in s["font"] for s in headings), [(s["text"], s["font"]) for s in headings]
    check_attendance(
        pdf,
        {
            "出席": [director.full_name, deputy.full_name, agency.short_name],
            "请假": [other_agency.short_name],
        },
    )
    check_distribution(pdf, [agency.name, other_agency.name])


def test_seminar_minutes(applicant_org, staff, agency, django_capture_on_commit_callbacks):
    case = make_case(applicant_org=applicant_org, by=staff, level=DisputeLevel.MAJOR)
    document = issue_seminar_minutes(case, staff, agency, django_capture_on_commit_callbacks)
    pdf = pdf_of(document)
    check_minutes_header(pdf, document, "专家研讨会纪要")
    headings = [s for p in pdf for s in spans(p) if re.match("^[一二三四]、", s["text"])]
    assert [s["text"] for s in headings] == ["一、专家发言要点", "二、合议意见", "三、不同意见"]
    assert all("Hei" in s["font"] for s in headings)
    check_attendance(
        pdf,
        {"出席": ["王明"], "请假": ["李华"], "列席": [agency.short_name, staff.full_name]},
    )
    check_distribution(pdf, [agency.name])


def test_minutes_are_numbered_by_issue_each_year(
    approved_agenda,  # noqa: F811 - fixture
    staff,
    deputy,
    django_capture_on_commit_callbacks,
):
    from documents.services import allocate_number

    first = issue_meeting_minutes(approved_agenda, staff, deputy, django_capture_on_commit_callbacks)
    assert first.number == "第1期"
    assert allocate_number(Document.Kind.MEETING_MINUTES, on=first.issued_on) == "第2期"
    # A new year starts again at 第1期; the seminars' minutes have a series of their own.
    assert allocate_number(Document.Kind.MEETING_MINUTES, on=datetime.date(first.issued_on.year + 1, 1, 5)) == "第1期"
    assert allocate_number(Document.Kind.SEMINAR_MINUTES, on=first.issued_on) == "第1期"
