"""Demo data of the work reports: the center's report on last quarter, drafted from the demo's
figures, with the staff's commentary, signed by the director (numbered, its PDF issued) and linked to
this quarter's regular meeting, which reviews that quarter. Through the services; idempotent."""

from django.utils import timezone

from portal.models import User
from reporting import services
from reporting.models import WorkReport

COMMENTARY = {
    "overview": (
        "本季度，我中心围绕海外知识产权纠纷应对指导主责主业，健全受理、研判、协调、指导全流程工作机制，"
        "联合各协助单位做好涉外知识产权纠纷的信息通报和协同处置，服务企业“走出去”。"
    ),
    "achievements": (
        "（一）受理指导及时高效\n"
        "坚持首问负责和限时办结，首次联系基本在时限内完成，企业对办理及时性评价较高。\n"
        "（二）部门协同更加顺畅\n"
        "依托联席会议机制，向协助单位发出协助办理函，多数在期限内回复，形成了信息共享、协同应对的工作合力。"
    ),
    "problems": (
        "一是个别协助办理函回复超期，跟踪督办仍需加强；二是小语种国家和地区的专家资源不足，"
        "部分案件研判用时较长；三是企业对纠纷预警信息的主动利用还不够。"
    ),
    "next_steps": (
        "一是完善协助办理函催办机制，在联席会议上通报回复情况；二是扩充专家库，重点补充德语、日语区域专家；"
        "三是加强纠纷预警信息推送和典型案例宣传；四是做好年度工作总结和考核准备。"
    ),
}


def _last_quarter(today):
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def seed(out):
    director = User.objects.filter(email="director@demo.cn").first()
    staff = User.objects.filter(email="staff@demo.cn").first()
    if director is None or staff is None:
        out.write("Work reports: skipped (the foundation's demo users are missing).")
        return
    year, quarter = _last_quarter(timezone.localdate())
    if WorkReport.objects.filter(kind=WorkReport.Kind.QUARTERLY, year=year, quarter=quarter).exists():
        out.write(f"Work reports: kept the report of {year} Q{quarter}.")
        return
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=year, quarter=quarter, by=staff)
    report = services.work_report_refresh_figures(report=report, by=staff)
    report = services.work_report_update(report=report, by=staff, **COMMENTARY)
    report = services.work_report_submit(report=report, by=staff)
    report = services.work_report_sign(report=report, by=director)
    out.write(f"Work reports: signed “{report.title}” ({report.number}), meeting: {report.meeting or '—'}.")
