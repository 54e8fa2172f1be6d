"""The joint meeting and the work report: the meeting that reviews the quarter links to its report
under the agenda item "通报本期工作情况"; the invited agencies download the signed PDF from the
meeting page; the minutes issued after it list the report as their attachment."""

import copy
import datetime
import re

import pytest
from django.urls import reverse

from documents.models import Document
from documents.services import document_render
from meetings import services as meeting_services
from meetings.models import AgendaItem
from portal.roles import Role
from reporting import services
from reporting.models import WorkReport
from tests.documents.helpers import compact, pdf_text
from tests.factories import PartnerAgencyFactory, UserFactory

# The joint meeting's fixtures: this quarter's meeting, convened, and its agenda approved on the day.
from tests.meetings.conftest import approved_agenda, convened, deputy_post, soon  # noqa: F401
from tests.meetings.factories import RegularMeetingFactory
from tests.reporting.work_report_figures import COMMENTARY, FIGURES


@pytest.fixture(autouse=True)
def known_figures(monkeypatch):
    monkeypatch.setattr(services, "compute_figures", lambda period, *, today=None: copy.deepcopy(FIGURES))


def sign(report, staff, director):
    """Figures, commentary, submission and the director's signature; the PDF rendered."""
    report = services.work_report_refresh_figures(report=report, by=staff)
    report = services.work_report_update(report=report, by=staff, **COMMENTARY)
    report = services.work_report_submit(report=report, by=staff)
    report = services.work_report_sign(report=report, by=director)
    document_render(document_id=report.document_id)
    report.refresh_from_db()
    return report


def signed_report(meeting, staff, director):
    """The report of the quarter the meeting reviews, signed, its PDF rendered."""
    quarter = (meeting.period_start.month + 2) // 3
    report = services.work_report_draft(
        kind=WorkReport.Kind.QUARTERLY, year=meeting.period_start.year, quarter=quarter, by=staff
    )
    assert report.meeting == meeting
    return sign(report, staff, director)


def test_invited_agencies_download_the_signed_report_from_the_meeting_page(
    client,
    approved_agenda,  # noqa: F811
    staff,
    director,
    agency,
    other_agency,
    agency_user,
):
    meeting = approved_agenda
    assert meeting.agenda_items.filter(source=AgendaItem.Source.STATISTICS, status="accepted").exists()
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    assert report.meeting == meeting
    page = reverse("meetings:detail", args=[meeting.pk])

    # A draft: staff see it on the meeting page with its state; an agency sees nothing of it.
    client.force_login(staff)
    html = client.get(page).content.decode()
    assert report.title in html and "草稿" in html and f"/admin/reporting/workreport/{report.pk}/change/" in html
    client.force_login(agency_user)
    assert report.title not in client.get(page).content.decode()

    report = sign(report, staff, director)
    assert set(report.document.agencies.all()) == {agency, other_agency}
    html = client.get(page).content.decode()
    statistics_item = html.split("通报本期工作情况", 1)[1].split("</li>", 1)[0]
    download = reverse("documents:download", args=[report.document_id])
    assert download in statistics_item and report.number in statistics_item
    assert "在管理后台打开" not in html
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert report.number in compact(
        pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def test_an_agency_not_invited_cannot_download_the_report(client, convened, staff, director):  # noqa: F811
    report = signed_report(convened, staff, director)
    outsider_agency = PartnerAgencyFactory(active=False)
    outsider = UserFactory(roles=[Role.AGENCY], agency=outsider_agency)
    client.force_login(outsider)
    assert client.get(reverse("documents:download", args=[report.document_id])).status_code == 404
    assert client.get(reverse("meetings:detail", args=[convened.pk])).status_code == 404


def test_a_report_signed_before_the_meeting_is_convened_reaches_the_agencies_it_invites(
    client, staff, director, agency, agency_user, django_capture_on_commit_callbacks
):
    meeting = RegularMeetingFactory(year=2026, quarter=4)
    meeting.period_start, meeting.period_end = FIGURES_PERIOD
    meeting.save(update_fields=["period_start", "period_end"])
    report = signed_report(meeting, staff, director)
    assert agency in report.document.agencies.all()
    # A later link shares it with the invited agencies again (nothing to add here) and says so.
    report = services.work_report_link_meeting(report=report, by=staff)
    assert report.meeting == meeting


FIGURES_PERIOD = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))


def test_the_minutes_list_the_signed_report_as_their_attachment(
    client,
    approved_agenda,  # noqa: F811
    staff,
    director,
    deputy,
    agency_user,
):
    report = signed_report(approved_agenda, staff, director)
    minutes = meeting_services.minutes_start(meeting=approved_agenda, by=staff)
    minutes = meeting_services.minutes_approve(minutes=minutes, by=deputy)
    document = document_render(document_id=minutes.document_id)
    assert document.status == Document.Status.READY, document.last_error
    text = re.sub(r"—\d+—", "", compact(pdf_text(document.file.path)))
    assert compact(f"附件：{report.title}（{report.number}）") in text

    client.force_login(agency_user)
    html = client.get(reverse("meetings:detail", args=[approved_agenda.pk])).content.decode()
    attachments = html.split('data-testid="minutes-attachments"', 1)[1].split("</div>", 1)[0]
    assert report.title in attachments and reverse("documents:download", args=[report.document_id]) in attachments


def test_minutes_issued_before_the_report_was_signed_do_not_list_it(approved_agenda, staff, director, deputy):  # noqa: F811
    minutes = meeting_services.minutes_start(meeting=approved_agenda, by=staff)
    minutes = meeting_services.minutes_approve(minutes=minutes, by=deputy)
    signed_report(approved_agenda, staff, director)
    document = document_render(document_id=minutes.document_id)
    assert "附件" not in compact(pdf_text(document.file.path))
