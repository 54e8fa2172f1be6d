"""Document numbers as real bodies number them: the center's code plus the form (发, 函, 报) in one
gap-free sequence per prefix and year, minutes 第N期; rules kept in the admin; numbers already
issued never change and are never issued twice."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, NumberingRule
from documents.services import allocate_number
from portal.models import Sequence, SiteConfiguration
from tests.schema_migrations import migrate, newest_schema_afterwards  # noqa: F401 (a fixture)

K = Document.Kind


def number(kind, on=None):
    with transaction.atomic():
        return allocate_number(kind, on=on)


def issued(kind, number, *, on=None, subject=None):
    """A document already issued under `number` (as an earlier version of the portal did)."""
    subject = subject or SiteConfiguration.get()
    return Document.objects.create(
        kind=kind,
        title="t",
        number=number,
        template="pdf/receipt.html",
        issued_on=on or timezone.localdate(),
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
    )


@pytest.mark.django_db
def test_kinds_of_one_form_share_one_gap_free_sequence_per_prefix_and_year():
    year = timezone.localdate().year
    assert [number(K.ACCEPTANCE_NOTICE), number(K.RECEIPT), number(K.GUIDANCE_OPINION)] == [
        f"晋知指发〔{year}〕1号",
        f"晋知指发〔{year}〕2号",
        f"晋知指发〔{year}〕3号",
    ]
    assert number(K.ASSISTANCE_LETTER) == f"晋知指函〔{year}〕1号"
    assert number(K.UPWARD_REPORT) == f"晋知指报〔{year}〕1号"
    assert number(K.DECLINE_NOTICE) == f"晋知指发〔{year}〕4号"
    assert number(K.ASSISTANCE_LETTER, on=datetime.date(year + 1, 1, 2)) == f"晋知指函〔{year + 1}〕1号"


@pytest.mark.django_db
def test_minutes_are_numbered_by_issue_each_kind_in_its_own_series_per_year():
    year = timezone.localdate().year
    assert [number(K.MEETING_MINUTES), number(K.SEMINAR_MINUTES), number(K.MEETING_MINUTES)] == [
        "第1期",
        "第1期",
        "第2期",
    ]
    assert number(K.MEETING_MINUTES, on=datetime.date(year + 1, 1, 2)) == "第1期"


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back():
    year = timezone.localdate().year
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_number(K.ASSISTANCE_LETTER)
        raise RuntimeError("the letter could not be issued")
    assert number(K.ASSISTANCE_LETTER) == f"晋知指函〔{year}〕1号"


@pytest.mark.django_db
def test_the_rules_come_with_the_defaults_of_each_kind():
    rules = {rule.kind: (rule.style, rule.form_code) for rule in NumberingRule.objects.all()}
    assert set(rules) == set(K.values)
    assert rules[K.ASSISTANCE_LETTER] == ("number", "函")
    assert rules[K.UPWARD_REPORT] == ("number", "报")
    assert rules[K.ACCEPTANCE_NOTICE] == rules[K.RECEIPT] == rules[K.GUIDANCE_OPINION] == ("number", "发")
    assert rules[K.MEETING_MINUTES] == rules[K.SEMINAR_MINUTES] == ("issue", "")


@pytest.mark.django_db
def test_a_sequence_new_this_year_continues_after_the_numbers_already_issued_under_its_prefix():
    year = timezone.localdate().year
    # Issued earlier this year under per-kind codes, each kind with its own sequence.
    issued(K.ASSISTANCE_LETTER, f"晋知指函〔{year}〕7号")
    issued(K.UPWARD_REPORT, f"晋知指报〔{year}〕2号")
    issued(K.ACCEPTANCE_NOTICE, f"晋知指受〔{year}〕9号")
    issued(K.ASSISTANCE_LETTER, f"晋知指函〔{year - 1}〕30号", on=datetime.date(year - 1, 12, 30))
    assert number(K.ASSISTANCE_LETTER) == f"晋知指函〔{year}〕8号"
    assert number(K.UPWARD_REPORT) == f"晋知指报〔{year}〕3号"
    # 晋知指发 was never used: it starts at 1 (no number under it can be repeated).
    assert number(K.ACCEPTANCE_NOTICE) == f"晋知指发〔{year}〕1号"
    numbers = list(Document.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


@pytest.mark.django_db
def test_minutes_numbered_under_a_former_code_this_year_are_counted_by_the_first_issue():
    year = timezone.localdate().year
    Sequence.objects.create(key=f"document:{K.MEETING_MINUTES}", year=year, last_value=3)
    issued(K.MEETING_MINUTES, f"晋知指纪〔{year}〕3号")
    assert number(K.MEETING_MINUTES) == "第4期"
    assert number(K.SEMINAR_MINUTES) == "第1期"


@pytest.mark.django_db
def test_a_changed_rule_numbers_only_later_documents_and_never_repeats_a_number():
    year = timezone.localdate().year
    first_letter = issued(K.ASSISTANCE_LETTER, number(K.ASSISTANCE_LETTER))
    opinion = issued(K.GUIDANCE_OPINION, number(K.GUIDANCE_OPINION))
    NumberingRule.objects.filter(kind=K.ASSISTANCE_LETTER).update(form_code="发")
    assert number(K.ASSISTANCE_LETTER) == f"晋知指发〔{year}〕2号"
    NumberingRule.objects.filter(kind=K.ASSISTANCE_LETTER).update(form_code="函")
    assert number(K.ASSISTANCE_LETTER) == f"晋知指函〔{year}〕2号"
    first_letter.refresh_from_db()
    opinion.refresh_from_db()
    assert (first_letter.number, opinion.number) == (f"晋知指函〔{year}〕1号", f"晋知指发〔{year}〕1号")


@pytest.mark.django_db
def test_a_changed_center_code_starts_its_own_sequence():
    year = timezone.localdate().year
    number(K.ASSISTANCE_LETTER)
    config = SiteConfiguration.get()
    config.doc_number_prefix = "晋知援"
    config.save()
    assert number(K.ASSISTANCE_LETTER) == f"晋知援函〔{year}〕1号"


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True  # the rules are kept by whoever has the model permission
    staff.save()
    client.force_login(staff)
    return client


@pytest.mark.django_db
def test_the_admin_changes_a_kinds_code_for_the_next_number(admin_client):
    year = timezone.localdate().year
    rule = NumberingRule.objects.get(kind=K.UPWARD_REPORT)
    url = reverse("admin:documents_numberingrule_change", args=[rule.pk])
    page = admin_client.get(url).content.decode()
    assert f"晋知指报〔{year}〕N号" in page

    response = admin_client.post(url, {"style": "number", "form_code": ""})
    assert response.status_code == 200
    assert "按发文字号编号时须填写文种代字。" in response.content.decode()
    response = admin_client.post(url, {"style": "number", "form_code": "呈 报"})
    assert "文种代字不能包含空格。" in response.content.decode()

    response = admin_client.post(url, {"style": "number", "form_code": "呈"})
    assert response.status_code == 302
    assert number(K.UPWARD_REPORT) == f"晋知指呈〔{year}〕1号"

    response = admin_client.post(url, {"style": "issue", "form_code": "呈"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.style, rule.form_code) == ("issue", "")
    assert number(K.UPWARD_REPORT) == "第1期"
    listing = admin_client.get(reverse("admin:documents_numberingrule_changelist")).content.decode()
    assert "第N期" in listing  # this kind now
    assert re.search(rf"晋知指\w+〔{year}〕N号", listing)  # the kinds still numbered under a code


@pytest.mark.django_db
def test_the_list_edits_the_rules_in_place_visit_after_visit_in_either_language(admin_client):
    """The list's formset serves every visit (portal.admin_site): an edit saved between two visits
    shows on the next, and each visit shows its own language."""
    url = reverse("admin:documents_numberingrule_changelist")
    first = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rules = list(first.context["cl"].result_list)
    data = {"form-TOTAL_FORMS": len(rules), "form-INITIAL_FORMS": len(rules), "_save": "保存"}
    for index, rule in enumerate(rules):
        data |= {
            f"form-{index}-id": rule.pk,
            f"form-{index}-style": rule.style,
            f"form-{index}-form_code": rule.form_code,
        }
    receipt = next(index for index, rule in enumerate(rules) if rule.kind == K.RECEIPT)
    data |= {f"form-{receipt}-style": "number", f"form-{receipt}-form_code": "收"}
    assert admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 302
    assert NumberingRule.objects.get(kind=K.RECEIPT).form_code == "收"

    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for page in (english, chinese):
        assert f'name="form-{receipt}-form_code" value="收"' in page
        assert page.count('value="收"') == 1
    assert "Issue number (第N期" in english and "期号（第N期，每年重新编号）" not in english
    assert "期号（第N期，每年重新编号）" in chinese and "Issue number" not in chinese


# The migration that introduces the rules keeps every number already issued.

BEFORE = [("documents", "0011_document_site_url")]
AFTER = [("documents", "0012_numberingrule")]


@pytest.mark.usefixtures("newest_schema_afterwards")
def test_the_migration_keeps_the_numbers_already_issued():
    apps = migrate(BEFORE)
    OldDocument = apps.get_model("documents", "Document")
    ContentType = apps.get_model("contenttypes", "ContentType")
    subject_type = ContentType.objects.get(app_label="portal", model="siteconfiguration")
    former = {
        "acceptance_notice": "晋知指受〔2026〕3号",
        "decline_notice": "晋知指不受〔2026〕1号",
        "seminar_minutes": "晋知指研纪〔2026〕2号",
        "assistance_letter": "晋知指函〔2026〕5号",
    }
    for kind, old_number in former.items():
        OldDocument.objects.create(
            kind=kind,
            title="t",
            number=old_number,
            template="pdf/receipt.html",
            subject_type=subject_type,
            subject_id=1,
        )

    apps = migrate(AFTER)
    Document_ = apps.get_model("documents", "Document")
    assert dict(Document_.objects.values_list("kind", "number")) == former
    Rule = apps.get_model("documents", "NumberingRule")
    assert Rule.objects.get(kind="acceptance_notice").form_code == "发"
    # Every kind of that time has its rule; kinds added later (the work report) get theirs from their own migration.
    assert set(Rule.objects.values_list("kind", flat=True)) == set(K.values) - {K.WORK_REPORT}
