"""Staff triage in the admin: filters, search, the read-only application, and the decisions."""

import pytest
from django.core import mail
from django.urls import reverse

from applications import services
from applications.models import Application, MembershipRequest
from applications.selectors import applicant_of
from cases.models import Case
from documents.models import Document
from tests.applications.factories import complete_draft, upload
from tests.factories import ApplicationFactory, UserFactory, submitted

pytestmark = pytest.mark.django_db
S = Application.Status
CHANGELIST = "admin:applications_application_changelist"


def decide_url(decision, *applications):
    ids = ",".join(str(a.pk) for a in applications)
    return reverse("admin:applications_application_decide", args=[decision]) + f"?ids={ids}"


def test_changelist_filters_and_search(client, staff, applicant):
    us = submitted(
        ApplicationFactory(applicant=applicant_of(applicant), countries=["US"], dispute_types=["trade_investigation"])
    )
    br = submitted(ApplicationFactory(countries=["BR"], right_types=["trademark"], applicant_name="巴西商标案企业"))
    client.force_login(staff)
    url = reverse(CHANGELIST)
    page = client.get(url, {"country": "BR"}).content.decode()
    assert br.number in page and us.number not in page
    page = client.get(url, {"dispute_type": "trade_investigation"}).content.decode()
    assert us.number in page and br.number not in page
    page = client.get(url, {"right_type": "trademark", "status__exact": "submitted"}).content.decode()
    assert br.number in page and us.number not in page
    page = client.get(url, {"q": br.credit_code}).content.decode()
    assert br.number in page and us.number not in page
    page = client.get(url, {"q": us.number}).content.decode()
    assert us.number in page and br.number not in page
    filters = client.get(url).content.decode().split('id="changelist-filter"')[1]
    titles = ["状态", "申请人类别", "涉及纠纷类型", "涉及权利类别", "纠纷国家/地区", "纠纷领域", "纠纷级别", "提交时间"]
    for title in titles:
        assert title in filters, title


def test_changelist_query_count_is_flat(client, staff, django_assert_max_num_queries):
    for _ in range(20):
        submitted(ApplicationFactory())
    client.force_login(staff)
    with django_assert_max_num_queries(25):
        assert client.get(reverse(CHANGELIST)).status_code == 200


def test_change_page_is_read_only_with_attachments_versions_and_diffs(client, staff, applicant):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_return(application=application, by=staff, reason="补充")
    services.application_save_draft(application=application, data={"impact": "新的影响评估<script>"}, by=applicant)
    services.attachment_add(application=application, category="other", upload=upload("补充材料.pdf"), by=applicant)
    services.application_submit(application=application, by=applicant)
    client.force_login(staff)
    content = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    assert "营业执照.pdf" in content and "补充材料.pdf" in content
    assert "侵权纠纷" in content and "发明专利" in content and "美国" in content
    first_file = application.attachments.first()
    assert reverse("applications:attachment_download", args=[application.pk, first_file.pk]) in content
    assert "新的影响评估&lt;script&gt;" in content and "<ins>" in content
    assert 'name="_save"' not in content  # read-only
    assert decide_url("accept").split("?")[0] in content


def test_accept_through_the_admin_opens_the_case(client, staff, applicant, django_capture_on_commit_callbacks):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(staff)
    assert "受理说明" in client.get(decide_url("accept", application)).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url("accept", application), {"ids": str(application.pk), "reason": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert Case.objects.filter(application=application).exists()
    assert Document.objects.get(kind=Document.Kind.ACCEPTANCE_NOTICE).status == Document.Status.READY
    assert any(m.to == [applicant.email] for m in mail.outbox)


def test_return_needs_a_reason(client, staff, applicant):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(staff)
    response = client.post(decide_url("return", application), {"ids": str(application.pk), "reason": ""})
    assert response.status_code == 200
    assert "必填项" in response.content.decode()
    client.post(decide_url("return", application), {"ids": str(application.pk), "reason": "请补充专利证书"})
    application.refresh_from_db()
    assert application.status == S.RETURNED and application.decision_reason == "请补充专利证书"


def test_action_on_several_applications_and_refused_ones_are_reported(client, staff, applicant):
    first = services.application_submit(application=complete_draft(applicant), by=applicant)
    second = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_decline(application=second, by=staff, reason="重复申请")
    client.force_login(staff)
    response = client.post(
        reverse(CHANGELIST), {"action": "decline_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302 and "decide/decline" in response.url
    response = client.post(response.url, {"ids": f"{first.pk},{second.pk}", "reason": "不属于受理范围"}, follow=True)
    first.refresh_from_db()
    assert first.status == S.DECLINED
    assert "不能变更为" in response.content.decode()


def test_applicants_cannot_reach_the_decision_view(client, applicant):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(applicant)
    response = client.post(decide_url("accept", application), {"ids": str(application.pk)})
    assert response.status_code == 302 and "/admin/login/" in response.url
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_staff_approve_a_join_request_in_the_admin(client, staff, applicant):
    newcomer = UserFactory()
    join = services.membership_request(user=newcomer, applicant=applicant_of(applicant), by=newcomer)
    client.force_login(staff)
    client.post(
        reverse("admin:applications_membershiprequest_changelist"),
        {"action": "approve", "_selected_action": [join.pk]},
    )
    assert MembershipRequest.objects.get().status == MembershipRequest.Status.APPROVED


def test_changelist_filters_the_multiple_choice_fields(client, staff):
    chem = submitted(ApplicationFactory(technical_fields=["chemistry", "other"], opponent_types=["npe"]))
    mech = submitted(ApplicationFactory(technical_fields=["mechanical"], opponent_types=["competitor"]))
    client.force_login(staff)
    page = client.get(reverse(CHANGELIST), {"technical_field": "chemistry"}).content.decode()
    assert chem.number in page and mech.number not in page
    page = client.get(reverse(CHANGELIST), {"opponent_type": "competitor"}).content.decode()
    assert mech.number in page and chem.number not in page


def test_the_deadline_abroad_filter_and_badge_use_the_alert_window_of_the_state(client, staff):
    """The list's "境外期限 10 个工作日内" filter and its red badge pick exactly the applications whose
    deadline abroad foreign_deadline_state calls "alert", weekends and holidays included (a deadline on
    the weekend after the tenth working day is within the window)."""
    import datetime

    from django.utils import timezone

    from applications.selectors import foreign_deadline_state

    today = timezone.localdate()
    applications = [
        ApplicationFactory(foreign_deadline=today + datetime.timedelta(days=offset)) for offset in range(-2, 26)
    ]
    expected = {a.pk for a in applications if foreign_deadline_state(a, today)["level"] == "alert"}
    assert expected and len(expected) < len(applications)
    client.force_login(staff)
    response = client.get(reverse(CHANGELIST), {"foreign_deadline": "alert"})
    assert {a.pk for a in response.context["cl"].result_list} == expected
    page = client.get(reverse(CHANGELIST)).content.decode()
    for application in applications:
        red = foreign_deadline_state(application, today)["level"] in {"alert", "passed"}
        due = application.foreign_deadline.isoformat()
        assert (f'{due} <strong class="foreign-deadline-' in page) == red, due
