"""The review of what agencies send: each step, who may take it, its audit entry, its reasons; who sees what."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from knowledge.models import Event, Law, Publication, SearchEntry, TypicalCase, Warning
from knowledge.permissions import published, visible_submissions
from knowledge.services.publication import (
    item_decline,
    item_publish,
    item_return,
    item_submit,
    item_withdraw,
    submission_save,
)
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import Notification
from portal.transitions import TransitionNotAllowed
from tests.knowledge.conftest import LawFactory, TypicalCaseFactory

pytestmark = pytest.mark.django_db
S = Publication.Status

CASE_VALUES = {
    "title": "美国展会商标投诉应对",
    "ip_type": "trademark",
    "country": "US",
    "industry": "mechanical",
    "forum": "trade_fair",
    "year": 2025,
    "facts": "某企业在拉斯维加斯展会上被投诉商标侵权。",
    "response": "在律师协助下提交不侵权说明。",
    "outcome": "展品未被撤下。",
    "lessons": "参展前做商标检索。",
}


@pytest.fixture
def submitted_case(agency_user):
    return submission_save(model=TypicalCase, by=agency_user, values=dict(CASE_VALUES))


def actions(item):
    return [entry.action_type for entry in entries_for(item)]


# --- Submitting ---------------------------------------------------------------------------------


def test_an_agency_submits_an_item_credited_to_it_and_staff_hear_of_it(agency_user, agency, staff):
    item = submission_save(model=TypicalCase, by=agency_user, values=dict(CASE_VALUES))
    item.refresh_from_db()
    assert item.status == S.SUBMITTED
    assert item.agency == agency and item.submitted_by == agency_user and item.submitted_at is not None
    assert actions(item) == ["knowledge.item.submitted"]
    assert Notification.objects.filter(recipient=staff, link__contains=f"/typicalcase/{item.pk}/").exists()


def test_a_draft_is_kept_then_submitted(agency_user):
    item = submission_save(model=TypicalCase, by=agency_user, values=dict(CASE_VALUES), submit=False)
    assert item.status == S.DRAFT and item.submitted_at is None
    item_submit(item=item, by=agency_user)
    item.refresh_from_db()
    assert item.status == S.SUBMITTED
    assert actions(item) == ["knowledge.item.drafted", "knowledge.item.submitted"]


def test_only_agency_users_submit(staff, applicant):
    for user in (staff, applicant):
        with pytest.raises(Forbidden):
            submission_save(model=TypicalCase, by=user, values=dict(CASE_VALUES))
    assert not TypicalCase.objects.exists()


def test_another_agency_cannot_resubmit_or_correct(submitted_case, staff, other_agency_user):
    item_return(item=submitted_case, by=staff, reason="请补充判决结果")
    with pytest.raises(Forbidden):
        item_submit(item=submitted_case, by=other_agency_user)
    with pytest.raises(Forbidden):
        submission_save(model=TypicalCase, by=other_agency_user, values={"title": "改"}, item=submitted_case)
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.RETURNED and submitted_case.title == CASE_VALUES["title"]


# --- Reviewing ----------------------------------------------------------------------------------


def test_staff_publish_and_the_agency_is_told(submitted_case, staff, agency_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = item_publish(item=submitted_case, by=staff)
    assert item.status == S.PUBLISHED
    assert item.published_at is not None and item.reviewed_by == staff
    assert published(TypicalCase).filter(pk=item.pk).exists()
    assert SearchEntry.objects.filter(section="case", object_id=item.pk).exists()
    assert actions(item) == ["knowledge.item.submitted", "knowledge.item.published"]
    entry = entries_for(item).get(action_type="knowledge.item.published")
    assert entry.actor == staff and entry.status_change == "待审核 → 已发布"
    assert Notification.objects.filter(recipient=agency_user, subject__contains="已发布").exists()
    assert any(agency_user.email in message.to and "已发布" in message.subject for message in mail.outbox)


def test_staff_edit_then_publish(submitted_case, staff, client):
    client.force_login(staff)
    url = reverse("admin:knowledge_typicalcase_change", args=[submitted_case.pk])
    data = {**CASE_VALUES, "title": "美国展会商标投诉应对（中心修订）"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item = item_publish(item=submitted_case, by=staff)
    assert item.title == "美国展会商标投诉应对（中心修订）"
    assert actions(item) == ["knowledge.item.submitted", "knowledge.item.edited", "knowledge.item.published"]


def test_return_needs_a_reason_and_the_agency_reads_it(submitted_case, staff, agency_user, client):
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as excinfo:
            item_return(item=submitted_case, by=staff, reason=blank)
        assert "理由" in str(excinfo.value)
    item_return(item=submitted_case, by=staff, reason="请补充处理结果的时间")
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.RETURNED and submitted_case.review_reason == "请补充处理结果的时间"
    entry = entries_for(submitted_case).get(action_type="knowledge.item.returned")
    assert entry.note == "请补充处理结果的时间"
    client.force_login(agency_user)
    page = client.get(reverse("knowledge:agency_submissions")).content.decode()
    assert "已退回修改" in page and "请补充处理结果的时间" in page


def test_the_agency_corrects_a_returned_item_and_submits_it_again(submitted_case, staff, agency_user, client):
    item_return(item=submitted_case, by=staff, reason="请补充处理结果")
    client.force_login(agency_user)
    url = reverse("knowledge:agency_edit", args=["case", submitted_case.pk])
    response = client.post(
        url, {**CASE_VALUES, "outcome": "展品未被撤下，2025 年 3 月对方撤回投诉。", "action": "submit"}
    )
    assert response.status_code == 302
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.SUBMITTED and "撤回投诉" in submitted_case.outcome
    assert submitted_case.review_reason == ""
    assert actions(submitted_case)[-1] == "knowledge.item.submitted"


def test_decline_needs_a_reason_and_is_final(submitted_case, staff):
    with pytest.raises(ValidationError):
        item_decline(item=submitted_case, by=staff, reason="")
    item_decline(item=submitted_case, by=staff, reason="与已发布案例重复")
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.DECLINED
    assert entries_for(submitted_case).get(action_type="knowledge.item.declined").note == "与已发布案例重复"
    with pytest.raises(TransitionNotAllowed):
        item_publish(item=submitted_case, by=staff)


def test_withdraw_takes_it_off_the_public_pages(submitted_case, staff, client):
    item = item_publish(item=submitted_case, by=staff)
    item_withdraw(item=item, by=staff, reason="内容需更新")
    item.refresh_from_db()
    assert item.status == S.WITHDRAWN
    assert not SearchEntry.objects.filter(section="case", object_id=item.pk).exists()
    assert "knowledge.item.withdrawn" in actions(item)
    # Published again later: the first publication date stays.
    first = item.published_at
    item = item_publish(item=item, by=staff)
    assert item.status == S.PUBLISHED and item.published_at == first


@pytest.mark.parametrize("who", ["agency_user", "other_agency_user", "applicant", "expert_user"])
def test_only_the_center_reviews(submitted_case, request, who):
    user = request.getfixturevalue(who)
    for step in (
        lambda: item_publish(item=submitted_case, by=user),
        lambda: item_return(item=submitted_case, by=user, reason="x"),
        lambda: item_decline(item=submitted_case, by=user, reason="x"),
    ):
        with pytest.raises(Forbidden):
            step()
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.SUBMITTED
    assert actions(submitted_case) == ["knowledge.item.submitted"]


def test_director_and_deputy_review_too(agency_user, director, deputy):
    one = submission_save(model=TypicalCase, by=agency_user, values=dict(CASE_VALUES))
    two = submission_save(model=TypicalCase, by=agency_user, values={**CASE_VALUES, "title": "另一个"})
    assert item_publish(item=one, by=director).status == S.PUBLISHED
    assert item_return(item=two, by=deputy, reason="补充").status == S.RETURNED


def test_a_returned_item_cannot_be_published_before_it_is_corrected(submitted_case, staff):
    item_return(item=submitted_case, by=staff, reason="补充")
    with pytest.raises(TransitionNotAllowed) as excinfo:
        item_publish(item=submitted_case, by=staff)
    assert "已退回修改" in str(excinfo.value)


def test_publishing_refuses_an_item_with_required_fields_missing(staff):
    item = TypicalCaseFactory(status=S.DRAFT, published_at=None, lessons="")
    with pytest.raises(ValidationError) as excinfo:
        item_publish(item=item, by=staff)
    assert "启示" in str(excinfo.value)
    item.refresh_from_db()
    assert item.status == S.DRAFT


# --- Who sees what ------------------------------------------------------------------------------


def test_an_agency_sees_only_its_own_submissions(submitted_case, agency_user, other_agency_user, staff):
    assert list(visible_submissions(agency_user, TypicalCase)) == [submitted_case]
    assert not visible_submissions(other_agency_user, TypicalCase).exists()
    assert visible_submissions(staff, TypicalCase).filter(pk=submitted_case.pk).exists()


def test_another_agency_gets_404_on_the_item(submitted_case, other_agency_user, client):
    client.force_login(other_agency_user)
    assert client.get(reverse("knowledge:agency_edit", args=["case", submitted_case.pk])).status_code == 404
    response = client.post(
        reverse("knowledge:agency_edit", args=["case", submitted_case.pk]), {**CASE_VALUES, "title": "x"}
    )
    assert response.status_code == 404
    page = client.get(reverse("knowledge:agency_submissions")).content.decode()
    assert CASE_VALUES["title"] not in page


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.DECLINED, S.WITHDRAWN])
def test_the_public_gets_404_for_anything_not_published(status, client):
    item = TypicalCaseFactory(status=status)
    law = LawFactory(status=status)
    assert client.get(reverse("knowledge:case", args=[item.pk])).status_code == 404
    assert client.get(reverse("knowledge:law", args=[law.pk])).status_code == 404
    assert not published(TypicalCase).filter(pk=item.pk).exists()


def test_published_items_credit_the_agency_on_the_public_page(submitted_case, staff, agency, client):
    item_publish(item=submitted_case, by=staff)
    page = client.get(reverse("knowledge:case", args=[submitted_case.pk])).content.decode()
    assert CASE_VALUES["title"] in page and agency.name in page


@pytest.mark.parametrize("who", ["staff", "applicant", "expert_user"])
def test_the_workspace_is_for_agency_users(request, who, client):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("knowledge:agency_submissions")).status_code == 404
    assert client.get(reverse("knowledge:agency_submit", args=["law"])).status_code == 404


def test_an_unknown_kind_is_404(agency_user, client):
    client.force_login(agency_user)
    assert client.get(reverse("knowledge:agency_submit", args=["poem"])).status_code == 404


# --- The agency's forms -------------------------------------------------------------------------


def test_html_is_cleaned_on_the_way_in(agency_user, client):
    client.force_login(agency_user)
    response = client.post(
        reverse("knowledge:agency_submit", args=["warning"]),
        {
            "kind": "country",
            "risk_level": "high",
            "title": "<b>德国</b>展会<script>alert(1)</script>预警",
            "country": "DE",
            "ip_type": "patent",
            "issued_on": "2025-03-01",
            "body": '<p onclick="x()">注意<a href="javascript:alert(1)">链接</a></p><script>alert(2)</script>',
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    warning = Warning.objects.get()
    assert warning.title == "德国展会预警"
    assert "script" not in warning.body and "onclick" not in warning.body and "javascript" not in warning.body
    assert "<p>注意" in warning.body


def test_a_bad_form_keeps_what_was_typed(agency_user, client):
    client.force_login(agency_user)
    response = client.post(
        reverse("knowledge:agency_submit", args=["training"]),
        {
            "kind": "training",
            "title": "337 调查应对培训",
            "description": "讲解",
            "starts_at": "2026-05-01T09:00",
            "ends_at": "2026-05-01T08:00",
            "place": "太原",
            "action": "submit",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "结束时间应晚于开始时间" in html and "337 调查应对培训" in html
    assert not Event.objects.exists()


def test_a_law_attachment_is_checked_by_content(agency_user, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import TINY_PDF

    client.force_login(agency_user)
    values = {
        "country": "DE",
        "ip_type": "patent",
        "doc_type": "law",
        "title_zh": "德国专利法",
        "summary": "摘要",
        "action": "submit",
    }
    fake = SimpleUploadedFile("law.pdf", b"MZ\x90\x00 not a pdf at all" * 20, content_type="application/pdf")
    response = client.post(reverse("knowledge:agency_submit", args=["law"]), {**values, "attachment": fake})
    assert response.status_code == 400
    assert "德国专利法" in response.content.decode()
    assert not Law.objects.exists()
    good = SimpleUploadedFile("德国专利法.pdf", TINY_PDF, content_type="application/pdf")
    response = client.post(reverse("knowledge:agency_submit", args=["law"]), {**values, "attachment": good})
    assert response.status_code == 302
    law = Law.objects.get()
    assert law.attachment.name.endswith(".pdf") and law.status == S.SUBMITTED


def test_every_kind_has_a_form_page(agency_user, client):
    client.force_login(agency_user)
    for kind in ("law", "case", "warning", "institution", "training"):
        response = client.get(reverse("knowledge:agency_submit", args=[kind]))
        assert response.status_code == 200
        assert 'name="action" value="submit"' in response.content.decode()


def test_the_submissions_list_costs_the_same_whatever_its_length(agency_user, client, django_assert_max_num_queries):
    client.force_login(agency_user)
    url = reverse("knowledge:agency_submissions")
    for n in range(3):
        submission_save(model=TypicalCase, by=agency_user, values={**CASE_VALUES, "title": f"案例{n}"})
    client.get(url)  # warm the per-process caches
    with django_assert_max_num_queries(16) as first:
        client.get(url)
    for n in range(12):
        submission_save(model=TypicalCase, by=agency_user, values={**CASE_VALUES, "title": f"更多案例{n}"})
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(url).content.decode()
    assert "更多案例11" in page


# --- The workplace's review pages ---------------------------------------------------------------


def test_return_from_the_item_page_asks_for_a_reason(submitted_case, staff, client):
    client.force_login(staff)
    page = client.get(reverse("admin:knowledge_typicalcase_change", args=[submitted_case.pk])).content.decode()
    url = reverse("admin:knowledge_typicalcase_review", args=[submitted_case.pk, "return"])
    assert url in page and 'data-testid="review-panel"' in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.SUBMITTED
    response = client.post(url, {"reason": "请补充<b>判决</b>结果"})
    assert response.status_code == 302
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.RETURNED and submitted_case.review_reason == "请补充判决结果"


def test_several_items_are_declined_at_once_with_one_reason(agency_user, staff, client):
    items = [
        submission_save(model=TypicalCase, by=agency_user, values={**CASE_VALUES, "title": f"重复{n}"})
        for n in range(2)
    ]
    client.force_login(staff)
    url = reverse("admin:knowledge_typicalcase_changelist")
    selected = [item.pk for item in items]
    response = client.post(url, {"action": "decline_selected", "_selected_action": selected})
    assert response.status_code == 200 and "理由" in response.content.decode()  # the reason page
    assert all(item.status == S.SUBMITTED for item in TypicalCase.objects.all())
    response = client.post(
        url, {"action": "decline_selected", "_selected_action": selected, "apply": "1", "reason": "与已发布案例重复"}
    )
    assert response.status_code == 302
    assert set(TypicalCase.objects.values_list("status", "review_reason")) == {(S.DECLINED, "与已发布案例重复")}


def test_publishing_from_the_list_reports_what_could_not_be_published(agency_user, staff, client):
    good = submission_save(model=TypicalCase, by=agency_user, values=dict(CASE_VALUES))
    bad = TypicalCaseFactory(status=S.DRAFT, published_at=None, lessons="")
    client.force_login(staff)
    response = client.post(
        reverse("admin:knowledge_typicalcase_changelist"),
        {"action": "publish_selected", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "启示" in text
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == S.PUBLISHED and bad.status == S.DRAFT


@pytest.mark.parametrize("who", ["agency_user", "applicant"])
def test_the_review_pages_are_for_the_center(submitted_case, request, who, client):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("admin:knowledge_typicalcase_review", args=[submitted_case.pk, "publish"]))
    assert response.status_code in (302, 403, 404)
    submitted_case.refresh_from_db()
    assert submitted_case.status == S.SUBMITTED


def test_an_agency_user_without_the_second_factor_is_sent_to_it(agency_user, client):
    client.force_login(agency_user, second_factor=False)
    response = client.get(reverse("knowledge:agency_submit", args=["case"]))
    assert response.status_code == 302 and "/two-factor/" in response.url
