"""The admin reads like the office: history rows show status labels (草稿 → 已提交) and action
names, never stored codes; the application page links to its case once there is one."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from cases.models import Case
from experts import services as expert_services
from portal.audit import log_action
from tests.applications.factories import complete_draft
from tests.experts.factories import expert_with_login, make_case
from tests.meetings.factories import RegularMeetingFactory

CODES = re.compile(r"\b(draft|submitted|accepted|in_progress|in_review|approved|pending|convened|planned|open|done)\b")


def _text(html):
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("before", "after", "expected"), [("draft", "submitted", "草稿 → 已提交"), ("", "draft", "草稿")]
)
def test_application_entries_read_with_labels_never_codes(applicant, before, after, expected):
    entry = log_action(
        complete_draft(applicant), "applications.application.submitted", from_status=before, to_status=after
    )
    title = f"{entry.action_label} {entry.status_change}"
    assert expected in title
    assert not CODES.search(title), title


@pytest.mark.django_db
def test_the_admin_application_page_shows_labels_and_links_to_the_case(
    client, staff, applicant, django_capture_on_commit_callbacks
):
    application = application_services.application_submit(application=complete_draft(applicant), by=applicant)
    url = reverse("admin:applications_application_change", args=[application.pk])
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "草稿 → 已提交" in page
    assert "draft → submitted" not in page and ">draft<" not in page
    assert "尚未立案" in page

    with django_capture_on_commit_callbacks(execute=True):
        application_services.application_accept(application=application, by=staff)
    case = Case.objects.get(application=application)
    page = client.get(url).content.decode()
    case_url = reverse("admin:cases_case_change", args=[case.pk])
    assert f'<a href="{case_url}">{case.number}</a>' in page  # in the application's fields
    assert re.search(rf'<a href="{case_url}" data-testid="case-link">案件 {case.number}</a>', page)  # and at the top
    assert "已提交 → 已受理" in page
    assert client.get(case_url).status_code == 200


@pytest.mark.django_db
def test_the_expert_work_log_shows_action_names_and_status_labels(client, staff):
    case = make_case()
    expert = expert_with_login(name="吴志远")
    expert_services.expert_invite(
        case=case, expert=expert, by=staff, deadline=timezone.now() + timezone.timedelta(days=3)
    )
    client.force_login(staff)
    for url in (
        reverse("experts:case_panel", args=[case.pk]),
        reverse("admin:experts_expert_change", args=[expert.pk]),
    ):
        page = _text(client.get(url).content.decode())
        assert "邀请专家" in page and "待答复" in page
        assert "experts.invitation.sent" not in page and " pending " not in page


@pytest.mark.django_db
def test_the_meeting_page_history_shows_action_names(client, staff):
    meeting = RegularMeetingFactory()
    log_action(meeting, "meetings.meeting.create", by=staff, to_status=meeting.status)
    client.force_login(staff)
    page = _text(client.get(reverse("admin:meetings_jointmeeting_change", args=[meeting.pk])).content.decode())
    assert "创建会议" in page
    assert not re.search(r"\bcreate\b", page)
