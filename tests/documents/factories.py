"""Rows for the documents tests: a submitted application with its open case, and opinions."""

from django.utils import timezone

from cases.opinions.services import opinion_create
from cases.services import case_assign, case_open
from tests.factories import ApplicationFactory, submitted, with_status


def make_case(*, applicant_org=None, by=None, handler=None, in_progress=True, **application_fields):
    """An accepted application and its case (opened through the cases service), in progress
    with `handler` (default: `by`) as its handler."""
    if applicant_org is not None:
        application_fields["applicant"] = applicant_org
    application = submitted(ApplicationFactory(**application_fields), when=timezone.now())
    application = with_status(application, application.Status.ACCEPTED)
    case = case_open(application=application, by=by)
    if in_progress:
        case = case_assign(case=case, handler=handler or by, by=by)
    return case


OPINION_TEXT = {
    "dispute_summary": (
        "美国竞争对手 Acme Robotics Inc. 于 2026 年 9 月向你单位发出律师函，"
        "指控你单位出口的数控机床侵犯其美国发明专利。"
    ),
    "analysis": "经初步比对，涉案专利权利要求 1 的技术特征与你单位产品存在差异。\n建议委托美国专利律师出具不侵权意见。",
    "responses": ["negotiation", "invalidation", "defence"],
    "responses_detail": (
        "一是积极与对方沟通，争取和解或许可；二是评估对涉案专利提起多方复审（IPR）的可行性；三是做好应诉准备。"
    ),
    "risks": "如进入美国 337 调查程序，可能面临普遍排除令。",
    "next_steps": "请于收到本意见书后 10 个工作日内反馈应对方案。",
    "referenced_laws": "美国专利法第 271 条\n美国 1930 年关税法第 337 条",
    "service_providers": "山西某知识产权代理有限公司",
    "copy_to": "山西省知识产权局",
}


def make_opinion(case, by, **fields):
    return opinion_create(case=case, by=by, **{**OPINION_TEXT, **fields})
