"""The work reports' admin pages: staff start a draft (a job), write the commentary beside the
figures, submit; only the director signs (with a fresh second factor) or returns; nobody else gets in."""

import copy

import pytest
from django.urls import reverse

from portal import jobs
from portal.models import Job
from reporting import services
from reporting.models import WorkReport
from tests.reporting.work_report_figures import COMMENTARY, FIGURES

R = WorkReport.Status
LIST = "/admin/reporting/workreport/"


@pytest.fixture(autouse=True)
def known_figures(monkeypatch):
    monkeypatch.setattr(services, "compute_figures", lambda period, *, today=None: copy.deepcopy(FIGURES))


def change_url(report):
    return reverse("admin:reporting_workreport_change", args=[report.pk])


def act(client, report, action, **data):
    return client.post(
        reverse("admin:reporting_workreport_act", args=[report.pk]),
        {"action": action, "seen_revision": WorkReport.objects.get(pk=report.pk).revision, **data},
        follow=True,
    )


def drafted(staff):
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    return services.work_report_refresh_figures(report=report, by=staff)


def test_staff_draft_a_quarter_and_are_sent_to_the_job_page(client, staff):
    client.force_login(staff)
    page = client.get(LIST)
    assert page.status_code == 200 and "起草报告" in page.content.decode()
    response = client.post(
        reverse("admin:reporting_workreport_draft"), {"kind": "quarterly", "year": "2026", "quarter": "3"}
    )
    report = WorkReport.objects.get()
    job = Job.objects.get(kind="reporting.work_report_draft")
    assert job.params == {"report_id": report.pk} and job.created_by == staff
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    # The job computes the figures; the report's page then shows them as the PDF will print them.
    assert jobs.run(job.pk) == "succeeded"
    html = client.get(change_url(report)).content.decode()
    assert "本季度共收到海外知识产权纠纷应对指导申请23件" in html
    assert "表2 办理时效（工作日）" in html and "14.5" in html and "省商务厅" in html


def test_a_second_draft_of_the_same_period_is_refused_with_a_message(client, staff):
    drafted(staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:reporting_workreport_draft"), {"kind": "quarterly", "year": "2026", "quarter": "3"}, follow=True
    )
    assert "已经存在" in response.content.decode()
    assert WorkReport.objects.count() == 1 and not Job.objects.exists()
    response = client.post(
        reverse("admin:reporting_workreport_draft"), {"kind": "quarterly", "year": "abc"}, follow=True
    )
    assert response.status_code == 200 and WorkReport.objects.count() == 1


def test_the_commentary_is_saved_and_a_stale_page_keeps_what_was_typed(client, staff):
    report = drafted(staff)
    client.force_login(staff)
    data = {**COMMENTARY, "seen_revision": report.revision}
    response = client.post(change_url(report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.overview == COMMENTARY["overview"]
    # The same page posted again (its revision is now old): refused, the text stays in the form.
    response = client.post(change_url(report), {**data, "problems": "新写的问题"})
    html = response.content.decode()
    assert response.status_code == 200 and "旧版本" in html and "新写的问题" in html
    assert WorkReport.objects.get().problems == COMMENTARY["problems"]


def test_only_the_director_signs_in_the_admin(client, staff, deputy, director):
    report = services.work_report_update(report=drafted(staff), by=staff, **COMMENTARY)
    client.force_login(staff)
    assert "已提交主任审签" in act(client, report, "submit").content.decode()
    assert WorkReport.objects.get().status == R.AWAITING_SIGNATURE
    for who in (staff, deputy):
        client.force_login(who)
        html = client.get(change_url(report)).content.decode()
        assert "签发（生成文号和 PDF）" not in html and "等待中心主任审阅签发" in html
        assert "只有中心主任" in act(client, report, "sign").content.decode()
    assert WorkReport.objects.get().status == R.AWAITING_SIGNATURE

    client.force_login(director)
    assert "签发（生成文号和 PDF）" in client.get(change_url(report)).content.decode()
    html = act(client, report, "sign").content.decode()
    report.refresh_from_db()
    assert report.status == R.SIGNED and report.signed_by == director
    assert report.number in html
    # Signed: the commentary is read-only.
    assert 'name="overview"' not in client.get(change_url(report)).content.decode()


def test_signing_without_a_fresh_second_factor_asks_for_it(client, staff, director):
    report = services.work_report_update(report=drafted(staff), by=staff, **COMMENTARY)
    report = services.work_report_submit(report=report, by=staff)
    client.force_login(director, second_factor=False)
    response = client.post(reverse("admin:reporting_workreport_act", args=[report.pk]), {"action": "sign"})
    assert WorkReport.objects.get().status == R.AWAITING_SIGNATURE
    assert response.status_code in (200, 302)


def test_the_director_returns_with_a_reason(client, staff, director):
    report = services.work_report_update(report=drafted(staff), by=staff, **COMMENTARY)
    report = services.work_report_submit(report=report, by=staff)
    client.force_login(director)
    assert "请写明退回理由" in act(client, report, "return", reason="").content.decode()
    act(client, report, "return", reason="补充专家情况")
    assert WorkReport.objects.get().status == R.DRAFT


@pytest.mark.parametrize("who", ["agency_user", "applicant", "expert_user"])
def test_nobody_outside_the_center_opens_the_reports(client, request, staff, who):
    report = drafted(staff)
    client.force_login(request.getfixturevalue(who))
    for url in (LIST, change_url(report)):
        response = client.get(url)
        assert response.status_code in (302, 404) and "工作报告" not in response.content.decode()
    response = client.post(reverse("admin:reporting_workreport_act", args=[report.pk]), {"action": "submit"})
    assert response.status_code in (302, 404)
    assert WorkReport.objects.get().status == R.DRAFT
