"""Fields edited in place on an admin list: the center changes the numbering of two kinds of document
among several that show the same choice and code, saves, and the list shows each change on its own
row and no other (each row's field is rendered once per value in its column and given the row's own
name: portal.templatetags.portal_admin_list).

Set SCREENSHOT_DIR to keep a 1280 px screenshot of the list after saving."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import Document, NumberingRule
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

K = Document.Kind
RULES = {
    K.ACCEPTANCE_NOTICE: ("number", "发"),
    K.ASSISTANCE_LETTER: ("number", "函"),
    K.CORRECTION_NOTICE: ("number", "发"),
    K.MEETING_MINUTES: ("issue", ""),
    K.RECEIPT: ("number", "发"),
}


def _row(page, kind):
    return page.locator("#result_list tbody tr", has_text=str(K(kind).label))


def test_the_center_edits_two_rules_in_the_list_and_each_keeps_its_own(page, live_server, staff):
    NumberingRule.objects.exclude(kind__in=RULES).delete()
    for kind, (style, form_code) in RULES.items():
        NumberingRule.objects.update_or_create(kind=kind, defaults={"style": style, "form_code": form_code})

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/documents/numberingrule/")
    _row(page, K.RECEIPT).locator("select[name$='-style']").select_option("issue")
    _row(page, K.CORRECTION_NOTICE).locator("input[name$='-form_code']").fill("更")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator(".messagelist")).to_be_visible()
    expect(_row(page, K.RECEIPT).locator("select[name$='-style']")).to_have_value("issue")
    expect(_row(page, K.RECEIPT)).to_contain_text("第N期")
    # Numbered by issue, a kind has no code of its own (the rule's form drops it).
    expect(_row(page, K.RECEIPT).locator("input[name$='-form_code']")).to_have_value("")
    expect(_row(page, K.CORRECTION_NOTICE).locator("input[name$='-form_code']")).to_have_value("更")
    for kind in (K.ACCEPTANCE_NOTICE, K.ASSISTANCE_LETTER, K.MEETING_MINUTES):
        expect(_row(page, kind).locator("select[name$='-style']")).to_have_value(RULES[kind][0])
        expect(_row(page, kind).locator("input[name$='-form_code']")).to_have_value(RULES[kind][1])
    saved = {rule.kind: (rule.style, rule.form_code) for rule in NumberingRule.objects.all()}
    assert saved == {
        **RULES,
        K.RECEIPT: ("issue", ""),
        K.CORRECTION_NOTICE: ("number", "更"),
    }
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(Path(folder) / "numbering-rules-1280.png"), full_page=True)
