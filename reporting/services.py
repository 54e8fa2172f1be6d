"""The quarterly and annual work reports (季度/年度工作报告) of the center.

Staff start a report for a period; its figures are computed by the statistics engine
(`reporting.selectors.figures`) in a long job and kept as a snapshot; staff write the commentary
(工作概述, 主要成效, 存在问题, 下一步工作) and submit it; the director reviews it and signs it (签发)
— with a fresh second factor in the admin — which gives it its number (a 报告: 晋知指报〔2026〕4号)
and issues the PDF in the center's layout, or returns it to draft. The regular joint meeting that
reviews the period is linked to the report, and the meeting's agencies may download the signed PDF."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Document
from documents.services import allocate_number, check_can_issue_signed, document_request, signer_title_for
from meetings.models import JointMeeting
from portal.access import require
from portal.audit import log_action
from portal.models import PartnerAgency, SiteConfiguration, User
from portal.notifications import notify
from portal.roles import Role
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition, transition
from reporting import selectors
from reporting.models import QUARTER_NAMES, WorkReport
from reporting.periods import Period
from reporting.permissions import can_edit_work_report, can_sign_work_report
from reporting.report_text import report_context

S = WorkReport.Status
CENTER_ONLY = _("只有指导中心工作人员可以起草和修改工作报告。")
DIRECTOR_ONLY = _("只有中心主任可以签发或退回工作报告。")
COMMENTARY = ("overview", "achievements", "problems", "next_steps")


def compute_figures(period: Period, *, today: datetime.date | None = None) -> dict:
    """The period's figures, from the one statistics engine (JSON-ready)."""
    return selectors.figures(period, today=today)


# --- Period, title, meeting ---------------------------------------------------------------------


def report_period(kind: str, year: int, quarter: int | None) -> Period:
    if kind == WorkReport.Kind.ANNUAL:
        return Period.year(year)
    return Period.quarter(year, quarter)


def report_title(kind: str, year: int, quarter: int | None) -> str:
    """山西省涉外知识产权指导中心2026年第三季度工作报告 / …2026年度工作报告."""
    center = SiteConfiguration.get().center_name
    if kind == WorkReport.Kind.ANNUAL:
        return _("%(center)s%(year)s年度工作报告") % {"center": center, "year": year}
    return _("%(center)s%(year)s年第%(q)s季度工作报告") % {"center": center, "year": year, "q": QUARTER_NAMES[quarter]}


def matching_meeting(report: WorkReport) -> JointMeeting | None:
    """The regular joint meeting that reviews the report's period: for a quarter, the meeting whose
    review period is that quarter; for a year, the meeting that reviews the year's last quarter."""
    meetings = JointMeeting.objects.filter(kind=JointMeeting.Kind.REGULAR).exclude(status=JointMeeting.Status.CANCELLED)
    if report.kind == WorkReport.Kind.QUARTERLY:
        meetings = meetings.filter(period_start=report.period_first, period_end=report.period_last)
    else:
        meetings = meetings.filter(period_end=report.period_last)
    return meetings.order_by("pk").first()


def meeting_agencies(report: WorkReport):
    """The agencies that may read the signed report: those invited to its meeting, or, while the
    meeting is not yet convened (nobody invited), every active partner agency, each of which a
    regular meeting invites."""
    if report.meeting_id:
        invited = PartnerAgency.objects.filter(meeting_invitations__meeting_id=report.meeting_id).distinct()
        if invited.exists():
            return list(invited)
    return list(PartnerAgency.objects.filter(active=True))


def _link_meeting(report: WorkReport) -> list[str]:
    """Link the report to its meeting when none is linked; return the fields changed."""
    if report.meeting_id:
        return []
    meeting = matching_meeting(report)
    if meeting is None:
        return []
    report.meeting = meeting
    return ["meeting"]


def _report_link(report: WorkReport) -> str:
    return reverse("admin:reporting_workreport_change", args=[report.pk])


def _lock(report: WorkReport) -> WorkReport:
    return WorkReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def _require_draft(report: WorkReport):
    if report.status != S.DRAFT:
        raise TransitionNotAllowed(
            _("工作报告当前状态为“%(status)s”，只有草稿可以修改。") % {"status": report.get_status_display()},
            code="frozen",
        )


# --- Draft, figures, commentary ------------------------------------------------------------------


def work_report_draft(*, kind: str, year: int, quarter: int | None = None, by: User) -> WorkReport:
    """Start the report of a quarter or a year (its figures are computed next, by the draft job:
    `work_report_refresh_figures`). One report per period."""
    require(can_edit_work_report(by), CENTER_ONLY)
    errors = {}
    if kind not in WorkReport.Kind.values:
        errors["kind"] = _("请选择报告类型。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("请填写 2000 到 2100 之间的年份。")
    if kind == WorkReport.Kind.QUARTERLY and quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("季度工作报告须选择季度。")
    if errors:
        raise ValidationError(errors)
    if kind == WorkReport.Kind.ANNUAL:
        quarter = None
    period = report_period(kind, year, quarter)
    if period.first > timezone.localdate():
        raise ValidationError({"year": _("该期间尚未开始，不能起草工作报告。")})
    with transaction.atomic():
        existing = WorkReport.objects.select_for_update().filter(kind=kind, year=year, quarter=quarter).first()
        if existing is not None:
            raise ValidationError(
                _("%(period)s的%(kind)s已经存在（%(status)s），请在原报告上继续。")
                % {
                    "period": existing.period_name,
                    "kind": existing.get_kind_display(),
                    "status": existing.get_status_display(),
                },
                code="duplicate",
            )
        report = WorkReport(
            kind=kind,
            year=year,
            quarter=quarter,
            period_first=period.first,
            period_last=period.last,
            title=report_title(kind, year, quarter),
            created_by=by,
        )
        _link_meeting(report)
        report.save()
        log_action(report, "reporting.work_report.drafted", by=by, to_status=S.DRAFT, note=report.title)
    return report


def work_report_refresh_figures(
    *, report: WorkReport, by: User, seen_revision=None, today: datetime.date | None = None
) -> WorkReport:
    """Compute the period's figures again and keep them as the report's snapshot (a draft only).
    The figures are read before the row is locked: the statistics take a while, the lock does not."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    _require_draft(report)
    figures = compute_figures(report.period, today=today)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        _require_draft(report)
        report.figures = figures
        report.figures_at = timezone.now()
        report.revision += 1
        fields = ["figures", "figures_at", "revision", *_link_meeting(report)]
        report.save(update_fields=fields)
        log_action(report, "reporting.work_report.figures", by=by, note=report.period.label)
    return report


def work_report_update(
    *,
    report: WorkReport,
    by: User,
    overview: str,
    achievements: str,
    problems: str,
    next_steps: str,
    seen_revision=None,
) -> WorkReport:
    """Write the staff's commentary of a draft."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        _require_draft(report)
        report.overview = (overview or "").strip()
        report.achievements = (achievements or "").strip()
        report.problems = (problems or "").strip()
        report.next_steps = (next_steps or "").strip()
        for name in COMMENTARY:
            report._meta.get_field(name).clean(getattr(report, name), report)
        report.revision += 1
        report.save(update_fields=[*COMMENTARY, "revision"])
        log_action(report, "reporting.work_report.edited", by=by, note=report.title)
    return report


def _check_complete(report: WorkReport):
    errors = {}
    if not report.figures:
        errors["figures"] = _("尚未统计本期数据，请先更新统计数据。")
    for name in COMMENTARY:
        if not getattr(report, name).strip():
            errors[name] = _("请填写“%(part)s”。") % {"part": report._meta.get_field(name).verbose_name}
    if errors:
        raise ValidationError(errors)


def work_report_submit(*, report: WorkReport, by: User, seen_revision=None) -> WorkReport:
    """Staff send the report to the director for review and signature."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        check_transition(WorkReport.TRANSITIONS, report.status, S.AWAITING_SIGNATURE, labels=dict(S.choices))
        _check_complete(report)
        report = transition(
            report,
            S.AWAITING_SIGNATURE,
            by=by,
            action="reporting.work_report.submitted",
            permission=can_edit_work_report,
            denied_message=CENTER_ONLY,
            note=_("“%(title)s”提交主任审签") % {"title": report.title},
        )
        directors = User.objects.filter(groups__name=Role.DIRECTOR, is_active=True).distinct()
        notify(
            directors,
            subject=_("待签发：%(title)s") % {"title": report.title},
            body=_("%(title)s已提交，请审阅签发。") % {"title": report.title},
            link=_report_link(report),
        )
    return report


def work_report_return(*, report: WorkReport, by: User, reason: str = "", seen_revision=None) -> WorkReport:
    """The director sends the report back to draft, with what to change."""
    require(can_sign_work_report(by, report), DIRECTOR_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由。")})
    with transaction.atomic():
        report = transition(
            _lock(report),
            S.DRAFT,
            by=by,
            action="reporting.work_report.returned",
            permission=can_sign_work_report,
            denied_message=DIRECTOR_ONLY,
            note=_("退回修改：%(reason)s") % {"reason": reason},
            seen_revision=seen_revision,
        )
        notify([report.created_by], subject=_("工作报告被退回修改"), body=reason, link=_report_link(report))
    return report


def work_report_sign(*, report: WorkReport, by: User, seen_revision=None) -> WorkReport:
    """签发: the director only. Freezes the text, gives the number and issues the PDF under the
    director's name and the center's signature; the meeting's agencies may download it."""
    require(can_sign_work_report(by, report), DIRECTOR_ONLY)
    check_can_issue_signed(by)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        # Refuse before a number is taken.
        check_transition(WorkReport.TRANSITIONS, report.status, S.SIGNED, labels=dict(S.choices))
        _check_complete(report)
        linked = _link_meeting(report)
        report.number = allocate_number(Document.Kind.WORK_REPORT)
        report.signed_by = by
        report.signed_at = timezone.now()
        document = document_request(
            kind=Document.Kind.WORK_REPORT,
            subject=report,
            template="pdf/work_report.html",
            context=report_context(report, number=report.number, signer=by),
            title=report.title,
            number=report.number,
            agencies=meeting_agencies(report),
            signed_by=by,
            signer_title=str(signer_title_for(by)),
            by=by,
        )
        report.document = document
        report = transition(
            report,
            S.SIGNED,
            by=by,
            action="reporting.work_report.signed",
            permission=can_sign_work_report,
            denied_message=DIRECTOR_ONLY,
            note=_("签发%(title)s %(number)s") % {"title": report.title, "number": report.number},
            data={"number": report.number, "document": document.pk},
            update_fields=("number", "signed_by", "signed_at", "document", *linked),
        )
        notify(
            [report.created_by],
            subject=_("工作报告已签发：%(number)s") % {"number": report.number},
            body=report.title,
            link=_report_link(report),
        )
    return report


def work_report_link_meeting(*, report: WorkReport, by: User) -> WorkReport:
    """Link a report to the meeting that reviews its period when that meeting was planned after the
    report was drafted or signed, and share a signed report with the meeting's invited agencies."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock(report)
        linked = _link_meeting(report)
        if not report.meeting_id:
            raise ValidationError(_("尚无审议该期间工作的季度例会。"), code="no_meeting")
        if linked:
            report.save(update_fields=linked)
        shared = []
        if report.document_id:
            agencies = meeting_agencies(report)
            known = set(report.document.agencies.values_list("pk", flat=True))
            shared = [agency for agency in agencies if agency.pk not in known]
            report.document.agencies.add(*shared)
        log_action(
            report,
            "reporting.work_report.meeting_linked",
            by=by,
            note=str(report.meeting),
            data={"meeting": report.meeting_id, "shared_with": [agency.pk for agency in shared]},
        )
    return report
