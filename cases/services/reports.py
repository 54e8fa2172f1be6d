"""Upward reports (通报) of major or difficult cases."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, UpwardReport
from cases.permissions import can_handle_case, can_handle_report
from cases.services._common import CENTER_ONLY, L, R, lock_case
from cases.services.case import case_summary
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, document_request
from portal.access import require
from portal.audit import log_action
from portal.models import SiteConfiguration, User
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition, transition


def report_summary(case: Case) -> str:
    """The summary of a major case, generated from the case record, for staff to edit."""
    application = case.application
    summary = case_summary(case)
    letters = list(case.letters.filter(status__in=[L.SIGNED, L.SETTLED]).prefetch_related("recipients__agency"))
    lines = [
        _(
            "一、基本情况。%(applicant)s（统一社会信用代码%(code)s）于%(date)s申请海外知识产权纠纷应对指导，"
            "我中心已受理（案件编号%(number)s），纠纷级别为%(level)s。"
        )
        % {
            "applicant": case.applicant_name,
            "code": case.credit_code,
            "date": chinese_date(timezone.localdate(case.opened_at)),
            "number": case.number,
            "level": summary["level"],
        },
        _(
            "二、纠纷情况。涉及纠纷类型：%(types)s；权利类别：%(rights)s；纠纷国家/地区：%(countries)s；领域：%(field)s。"
        )
        % {
            "types": "、".join(summary["dispute_types"]) or "—",
            "rights": "、".join(summary["right_types"]) or "—",
            "countries": "、".join(summary["countries"]) or "—",
            "field": summary["technical_field"] or "—",
        },
        _("申请事项：%(request)s") % {"request": application.request.strip()},
        _("影响预估：%(impact)s") % {"impact": application.impact.strip()},
        _("三、办理情况。当前状态：%(status)s。") % {"status": case.get_status_display()},
    ]
    for letter in letters:
        answered = [r.agency.short_name for r in letter.recipients.all() if r.answered_at]
        lines.append(
            _("已向%(agencies)s发出协助办理函（%(number)s），已回函：%(answered)s。")
            % {
                "agencies": "、".join(r.agency.short_name for r in letter.recipients.all()),
                "number": letter.number,
                "answered": "、".join(answered) or _("暂无"),
            }
        )
    if case.regrade_reason:
        lines.append(_("级别调整理由：%(reason)s") % {"reason": case.regrade_reason})
    lines.append(_("四、下一步工作。拟组织专家研讨，形成应对指导意见，并持续跟踪纠纷进展。"))
    return "\n".join(lines)


def report_draft(*, case: Case, recipient: str, by: User) -> UpwardReport:
    """Draft an upward report (通报) for a major or difficult case."""
    require(can_handle_case(by, case), CENTER_ONLY)
    if recipient not in UpwardReport.Recipient.values:
        raise ValidationError({"recipient": _("请选择报送对象。")})
    with transaction.atomic():
        case = lock_case(case)
        if not case.is_major:
            raise TransitionNotAllowed(_("只有重大/疑难纠纷需要通报。请先调整纠纷级别。"), code="not_major")
        report = UpwardReport.objects.create(
            case=case,
            recipient=recipient,
            title=_("关于%(applicant)s海外知识产权纠纷有关情况的通报") % {"applicant": case.applicant_name},
            summary=report_summary(case),
            created_by=by,
        )
        log_action(report, "cases.report.drafted", by=by, scope=case, to_status=R.DRAFT, note=_("起草重大纠纷情况通报"))
    return report


def _lock_report(report):
    return UpwardReport.objects.select_for_update(of=("self",)).select_related("case").get(pk=report.pk)


def report_send(*, report: UpwardReport, by: User, seen_revision=None) -> UpwardReport:
    """Record the report as sent, with its number and PDF."""
    require(can_handle_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock_report(report)
        check_fresh(report, seen_revision)
        # Refuse before a number is taken.
        check_transition(UpwardReport.TRANSITIONS, report.status, R.SENT, labels=dict(R.choices))
        config = SiteConfiguration.get()
        today = timezone.localdate()
        report.number = allocate_number(Document.Kind.UPWARD_REPORT)
        report.sent_at = timezone.now()
        report.sent_by = by
        report = transition(
            report,
            R.SENT,
            by=by,
            action="cases.report.sent",
            permission=can_handle_report,
            denied_message=CENTER_ONLY,
            note=_("向%(to)s报送情况通报 %(number)s") % {"to": report.get_recipient_display(), "number": report.number},
            scope=report.case,
            data={"number": report.number},
            update_fields=("number", "sent_at", "sent_by"),
        )
        document_request(
            kind=Document.Kind.UPWARD_REPORT,
            subject=report,
            template="pdf/upward_report.html",
            context={
                "title": report.title,
                "number": report.number,
                "addressee": str(report.get_recipient_display()),
                "paragraphs": [p.strip() for p in report.summary.splitlines() if p.strip()],
                "center_name": config.center_name,
                "issued_on": chinese_date(today),
                "case_number": report.case.number,
            },
            title=report.title,
            number=report.number,
            case=report.case,
            by=by,
        )
    return report


def report_record_answer(*, report: UpwardReport, answer: str, by: User) -> UpwardReport:
    """Record the superior office's answer to a sent report."""
    require(can_handle_report(by, report), CENTER_ONLY)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写上级回复内容。")})
    with transaction.atomic():
        report = _lock_report(report)
        report.answer = answer.strip()
        report.answered_at = timezone.now()
        return transition(
            report,
            R.ANSWERED,
            by=by,
            action="cases.report.answered",
            permission=can_handle_report,
            denied_message=CENTER_ONLY,
            note=_("收到情况通报 %(number)s 的上级回复") % {"number": report.number},
            scope=report.case,
            update_fields=("answer", "answered_at"),
        )
