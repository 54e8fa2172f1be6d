"""Browser: the pages people use most, at the widths they use them.

On a phone (390 px wide) the applicant's, the partner agency's and the expert's pages never scroll
sideways, and their main button and form fields are at least 44 px tall (a thumb's target). On a
laptop (1280 × 800, and still at 1024) the staff case list keeps its seven columns on screen or
scrolls inside its own box, never the page; a long applicant name takes at most two lines (one,
cut short with an ellipsis, its whole text in a tooltip); the filter panel folds away and unfolds,
and the browser remembers which.

With SCREENSHOT_DIR set, the staff case list, the applicant's case page, the agency's letter page
and the expert's workspace are saved there at 390, 1280 and 1920 px."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.choices import DisputeLevel
from cases.models import Case
from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from experts import services as expert_services
from tests.cases.factories import signed_letter
from tests.documents.factories import make_case, make_opinion
from tests.e2e.helpers import login
from tests.experts.factories import expert_with_login
from tests.experts.factories import make_case as bare_case
from tests.factories import ApplicantFactory, ApplicationFactory, AttachmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SMALL_LAPTOP = {"width": 1024, "height": 768}
WIDE = {"width": 1920, "height": 1080}
THUMB = 44  # px: the smallest comfortable touch target

# The staff case list's columns, by the names Django gives their cells (.column-<name> in the
# header, .field-<name> in the rows).
COLUMNS = (
    "number",
    "applicant_name",
    "status_badge",
    "level_badge",
    "handler",
    "deadline_badge",
    "foreign_deadline_badge",
)

# Names as they are registered: a province, a city, a development zone, then the trade.
LONG_NAMES = (
    "山西省太原市高新技术产业开发区晋成精密数控机床制造股份有限公司",
    "中国（山西）自由贸易试验区太原片区智能装备与工业机器人研究院有限公司",
    "大同市云冈区新能源汽车动力电池回收利用技术有限责任公司",
    "山西转型综合改革示范区潇河产业园区半导体光电材料科技有限公司",
    "晋中市榆次区国际陆港物流园区跨境电子商务供应链管理有限公司",
)

# The visible fields of the page's forms, which a thumb must be able to hit.
_FIELD_HEIGHTS = """() => [...document.querySelectorAll(
    'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, main textarea')]
  .filter((field) => field.offsetParent !== null)
  .map((field) => [field.name || field.id, field.getBoundingClientRect().height])"""

# How many lines a cell's text takes: its content height over its line height.
_LINES = """(cell) => {
  const style = getComputedStyle(cell);
  const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
  const content = cell.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return content / lineHeight;
}"""


@pytest.fixture(autouse=True)
def _patient(page, _short_timeouts):
    """Two dozen rows and their scripts on a machine others share: more time than the usual 15 s."""
    page.set_default_timeout(30000)


def _shoot(page, name, viewport):
    """Save the whole page at this width when SCREENSHOT_DIR is set, as a first visit shows it (the
    panels the browser remembers folding, forgotten)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(viewport)
    page.evaluate("window.localStorage.clear()")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(Path(folder) / f"{name}-{viewport['width']}.png"), full_page=True)


def _no_sideways_scroll(page, what):
    page_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width <= window_width, f"{what}: the page is {page_width} px wide in a {window_width} px window"


def _thumb_sized(locator, what):
    expect(locator).to_be_visible()
    height = locator.bounding_box()["height"]
    assert height >= THUMB, f"{what}: {height:.0f} px tall, less than {THUMB}"


def _on_phone(page, url, what, button):
    """The page at 390 px: no sideways scrolling, its main button and every field thumb-sized."""
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    _no_sideways_scroll(page, what)
    _thumb_sized(page.get_by_role("button", name=button, exact=True), f"{what}: the button {button}")
    small = [(name, round(height)) for name, height in page.evaluate(_FIELD_HEIGHTS) if height < THUMB]
    assert not small, f"{what}: fields less than {THUMB} px tall: {small}"


# ------------------------------------------------------------------------------ the staff case list


def _long_case_list(handler, count=24):
    """`count` open cases of companies with long names, each with a handler, a deadline and a
    deadline abroad, some of them near or past."""
    today = timezone.localdate()
    names = []
    for n in range(count):
        name = f"{LONG_NAMES[n % len(LONG_NAMES)]}{n + 1}"
        case = bare_case(
            applicant=ApplicantFactory(name=name),
            foreign_deadline=today + datetime.timedelta(days=(n % 6) * 9 - 5),
            foreign_deadline_what="答辩期限",
        )
        # The starting point of a list, not the path to it: written past the declared transitions.
        Case.objects.filter(pk=case.pk).update(
            handler=handler,
            status=Case.Status.IN_PROGRESS,
            due_date=today + datetime.timedelta(days=(n % 5) * 7 - 3),
            applicant_name=name,
            level=DisputeLevel.MAJOR if n % 4 == 0 else DisputeLevel.ORDINARY,
        )
        names.append(name)
    return names


def _check_case_list(page, viewport):
    page.set_viewport_size(viewport)
    page.reload()
    width = viewport["width"]
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 20
    _no_sideways_scroll(page, f"the case list at {width} px")

    # Every applicant cell: at most two lines, however long the name.
    lines = page.locator("#result_list td.field-applicant_name").evaluate_all(f"(cells) => cells.map({_LINES})")
    assert len(lines) == rows.count()
    assert max(lines) <= 2.2, f"at {width} px an applicant's name takes {max(lines):.1f} lines"

    # The seven columns: their headers inside the window, or the table scrolls inside its own box.
    rights = [page.locator(f"#result_list thead th.column-{name}").bounding_box() for name in COLUMNS]
    assert all(rights), "a column is missing from the case list"
    off_screen = [name for name, box in zip(COLUMNS, rights, strict=True) if box["x"] + box["width"] > width]
    if off_screen:
        inner, box = page.locator("#changelist-form .results").evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert inner > box, f"at {width} px {off_screen} are off screen and the table does not scroll in its box"
        assert page.locator("#changelist-form .results").evaluate("(el) => getComputedStyle(el).overflowX") in (
            "auto",
            "scroll",
        )

    # A name cut short shows in full as the cell's tooltip.
    cut = page.locator("#result_list td.field-applicant_name").evaluate_all(
        "(cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => [c.textContent, c.title])"
    )
    for text, title in cut:
        assert title == text.strip()
    return cut


def test_the_staff_case_list_on_a_laptop(page, live_server, staff):
    names = _long_case_list(staff)
    login(page, live_server, staff)
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/admin/cases/case/")
    expect(page.get_by_role("heading", name="选择 案件 来修改")).to_be_visible()

    cut = _check_case_list(page, LAPTOP)
    cut += _check_case_list(page, SMALL_LAPTOP)
    assert any(title in names for _text, title in cut), "no long name was cut short at 1024 px"

    # The filter panel: folded at these widths until opened; the browser remembers the choice.
    panel = page.locator("#changelist-filter")
    toggle = page.get_by_role("button", name="筛选")
    for viewport in (LAPTOP, SMALL_LAPTOP):
        page.set_viewport_size(viewport)
        page.reload()
        expect(panel).to_be_hidden()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(panel).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(panel.get_by_role("link", name="重大/疑难纠纷")).to_be_visible()
        _no_sideways_scroll(page, f"the case list with its filters open at {viewport['width']} px")
        page.reload()
        expect(panel).to_be_visible()
        toggle.click()
        expect(panel).to_be_hidden()
        page.reload()
        expect(panel).to_be_hidden()

    # A filter still filters from the unfolded panel, and the button says one is in use.
    toggle.click()
    panel.get_by_role("link", name="重大/疑难纠纷").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(6)
    expect(toggle).to_contain_text("已启用")
    toggle.click()
    page.goto(f"{live_server.url}/admin/cases/case/")

    for viewport in (PHONE, LAPTOP, WIDE):
        _shoot(page, "staff-case-list", viewport)


# ------------------------------------------------------------------------------------------ phones


def test_the_applicants_pages_on_a_phone(page, live_server, applicant, applicant_org, staff, director):
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    opinion_sign(opinion=opinion, by=director)
    draft = ApplicationFactory(applicant=applicant_org, created_by=applicant)
    AttachmentFactory(application=draft, original_name="山西晋成精密机械有限公司营业执照（副本）扫描件.pdf")

    login(page, live_server, applicant)
    base = live_server.url
    _on_phone(page, f"{base}/applications/", "我的申请", "新建申请")
    expect(page.get_by_test_id("application-row")).to_have_count(2)
    _on_phone(page, f"{base}/applications/{draft.pk}/edit/", "申请书", "保存并上传材料")
    _on_phone(page, f"{base}/applications/{draft.pk}/evidence/", "证明材料", "上传")
    _on_phone(page, f"{base}/applications/{case.application_id}/", "案件进度", "发送留言")

    # The signed opinion: a link a thumb can hit, and the PDF behind it.
    download = page.get_by_test_id("documents").get_by_role("link", name="指导意见书")
    _thumb_sized(download, "the opinion's download link")
    pdf = page.request.get(base + download.get_attribute("href"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"

    for viewport in (PHONE, LAPTOP, WIDE):
        _shoot(page, "applicant-case", viewport)


def test_the_agency_pages_on_a_phone(page, live_server, staff, deputy, agency, agency_user):
    case = make_case(by=staff, applicant=ApplicantFactory(name=LONG_NAMES[1]))
    letter = signed_letter(case, staff, deputy, [agency])

    login(page, live_server, agency_user)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/cases/agency/")
    _no_sideways_scroll(page, "协助办理函")
    link = page.get_by_role("link", name=letter.number)
    expect(link).to_be_visible()
    link.click()
    _on_phone(page, page.url, "协助办理函（签收前）", "签收")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text(agency_user.full_name)
    _on_phone(page, page.url, "协助办理函（回函）", "提交回函")
    _thumb_sized(page.get_by_role("button", name="提交延期申请"), "协助办理函: the button 提交延期申请")

    for viewport in (PHONE, LAPTOP, WIDE):
        _shoot(page, "agency-letter", viewport)


def test_the_experts_pages_on_a_phone(page, live_server, staff):
    expert = expert_with_login(name="欧阳文远", organisation="北京市中伦文德（太原）律师事务所知识产权部")
    deadline = timezone.now() + datetime.timedelta(days=3)
    invited, declaring, advising = (bare_case(applicant=ApplicantFactory(name=name)) for name in LONG_NAMES[:3])
    invitation = expert_services.expert_invite(case=invited, expert=expert, by=staff, deadline=deadline)
    to_declare = expert_services.invitation_accept(
        invitation=expert_services.expert_invite(case=declaring, expert=expert, by=staff, deadline=deadline),
        by=expert.user,
    )
    to_advise = expert_services.invitation_accept(
        invitation=expert_services.expert_invite(case=advising, expert=expert, by=staff, deadline=deadline),
        by=expert.user,
    )
    expert_services.assignment_declare(assignment=to_advise, by=expert.user, no_conflict=True)

    login(page, live_server, expert.user)
    base = live_server.url
    _on_phone(page, f"{base}/experts/", "专家工作台", "登记")
    _thumb_sized(page.get_by_role("link", name=f"案件 {invited.number} 咨询邀请"), "专家工作台: the invitation")
    _thumb_sized(page.get_by_role("link", name="声明利益冲突"), "专家工作台: 声明利益冲突")
    _on_phone(page, f"{base}/experts/invitations/{invitation.pk}/", "咨询邀请", "接受邀请")
    _on_phone(page, f"{base}/experts/assignments/{to_declare.pk}/", "利益冲突声明", "提交声明")
    _on_phone(page, f"{base}/experts/assignments/{to_advise.pk}/", "专家意见", "提交意见")

    page.goto(f"{base}/experts/")
    for viewport in (PHONE, LAPTOP, WIDE):
        _shoot(page, "expert-workspace", viewport)
