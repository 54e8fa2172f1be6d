"""The upward report (报告): staff draft it in the center's voice and submit it; only the director
or a deputy director signs it, and the document goes out under the signer's name."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import UpwardReport
from documents.models import Document
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import Notification
from portal.transitions import TransitionNotAllowed
from tests.cases.factories import in_progress_case, refresh, signed_letter

R = UpwardReport.Status

# The applicant writes about itself in the first person, as applicants do.
FIRST_PERSON = {
    "request": "我司出口的数控机床在美国被诉侵犯专利，请贵中心指导我公司应诉。",
    "impact": "本公司对美出口订单约3000万元受影响，我们的海外客户已暂停采购。",
}


@pytest.fixture
def major_case(staff):
    return in_progress_case(staff, level="major", **FIRST_PERSON)


def submitted_report(case, staff):
    report = services.report_draft(case=case, recipient=UpwardReport.Recipient.PROVINCIAL, by=staff)
    return services.report_submit(report=report, by=staff)


def test_the_draft_is_a_report_in_the_centers_voice(major_case, staff, director, agency):
    signed_letter(major_case, staff, director, [agency])
    report = services.report_draft(case=major_case, recipient=UpwardReport.Recipient.NATIONAL, by=staff)
    assert report.title.startswith("关于") and report.title.endswith("情况的报告")
    assert "通报" not in report.title
    for word in ("我司", "我公司", "本公司", "我们", "贵中心"):
        assert word not in report.summary, word
    # The applicant's account is there, about the applicant (该企业), and the center speaks of itself.
    assert "据该企业反映，该企业出口的数控机床在美国被诉侵犯专利，请我中心指导该企业应诉。" in report.summary
    assert "该企业预估纠纷影响：该企业对美出口订单约3000万元受影响" in report.summary
    # Built from the case: the applicant, the dispute, the countries, the measures, the next steps.
    lines = report.summary.splitlines()
    for heading in ("一、基本情况", "二、纠纷情况", "三、已采取的措施", "四、下一步工作"):
        assert heading in lines
    assert major_case.applicant_name in report.summary and major_case.number in report.summary
    assert "美国" in report.summary
    assert f"向{agency.short_name}发出协助办理函" in report.summary
    assert "一是" in lines[-1]


def test_third_person_rewrites_the_applicants_words():
    assert services.reports.third_person("我司和我们的客户", "该企业") == "该企业和该企业的客户"
    assert services.reports.third_person("请贵中心协调", "该单位") == "请我中心协调"
    assert services.reports.third_person("我国企业", "该企业") == "我国企业"


def test_staff_cannot_sign_the_report_the_director_can(major_case, staff, director):
    report = submitted_report(major_case, staff)
    assert report.status == R.AWAITING_SIGNATURE
    # The director and the deputies are told it waits for them.
    assert Notification.objects.filter(recipient=director, subject__contains=report.title).exists()
    with pytest.raises(Forbidden, match="主任或副主任"):
        services.report_sign(report=report, by=staff)
    report = refresh(report)
    assert report.status == R.AWAITING_SIGNATURE and report.number == "" and report.signed_by is None
    assert not Document.objects.filter(kind=Document.Kind.UPWARD_REPORT).exists()

    report = services.report_sign(report=report, by=director)
    assert report.status == R.SENT and report.signed_by == director and report.signed_at is not None
    assert report.number.startswith("晋知指报〔")
    document = Document.objects.get(kind=Document.Kind.UPWARD_REPORT, number=report.number)
    assert document.signed_by == director and document.signer_title == "主任"
    assert document.template == "pdf/upward_report.html"
    assert document.context["signer"] == director.full_name
    assert document.context["addressee"] == "山西省知识产权局"
    assert [e.action_type for e in entries_for(report)] == [
        "cases.report.drafted",
        "cases.report.submitted",
        "cases.report.sent",
    ]
    assert entries_for(report).last().actor == director


def test_a_deputy_signs_or_sends_back(major_case, staff, deputy):
    report = submitted_report(major_case, staff)
    with pytest.raises(Forbidden):
        services.report_return(report=report, by=staff, reason="自己退回")
    report = services.report_return(report=report, by=deputy, reason="请补充下一步工作")
    assert report.status == R.DRAFT
    assert Notification.objects.filter(recipient=staff, subject="情况报告被退回修改").exists()
    report = services.report_update(
        report=report, recipient="national", title=report.title, summary=report.summary + "\n补充。", by=staff
    )
    report = services.report_submit(report=report, by=staff)
    report = services.report_sign(report=report, by=deputy)
    assert report.status == R.SENT and report.signed_by == deputy


def test_a_draft_is_never_signed_directly(major_case, staff, director):
    report = services.report_draft(case=major_case, recipient="provincial", by=staff)
    with pytest.raises(TransitionNotAllowed):
        services.report_sign(report=report, by=director)
    assert refresh(report).number == ""


def test_the_report_refuses_the_applicants_voice_and_a_wrong_title(major_case, staff):
    report = services.report_draft(case=major_case, recipient="provincial", by=staff)
    services.report_update(
        report=report, recipient="provincial", title=report.title, summary="我司产品被诉侵权。", by=staff
    )
    with pytest.raises(ValidationError, match="该企业"):
        services.report_submit(report=refresh(report), by=staff)
    services.report_update(
        report=refresh(report), recipient="provincial", title="关于某企业纠纷的通报", summary="该企业被诉。", by=staff
    )
    with pytest.raises(ValidationError, match="报告"):
        services.report_submit(report=refresh(report), by=staff)
    assert refresh(report).status == R.DRAFT


def test_a_signed_report_is_frozen(major_case, staff, director):
    report = services.report_sign(report=submitted_report(major_case, staff), by=director)
    with pytest.raises(TransitionNotAllowed):
        services.report_update(report=report, recipient="national", title=report.title, summary="改", by=staff)
