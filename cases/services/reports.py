"""Upward reports (通报) of major or difficult cases."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    UpwardReport,
)
from cases.services._common import REPORT_TRANSITIONS, L, R, _event, _lock, _require_center
from cases.services.case import case_summary
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, document_request
from portal.models import SiteConfiguration
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition


def report_summary(case):
    """The summary of a major case, generated from the case record, for staff to edit."""
    application = case.application
    summary = case_summary(case)
    letters = list(case.letters.filter(status__in=[L.SIGNED, L.SETTLED]).prefetch_related("recipients__agency"))
    lines = [
        _(
            "一、基本情况。%(applicant)s（统一社会信用代码 %(code)s）于 %(date)s 申请海外知识产权纠纷应对指导，"
            "我中心已受理（案件编号 %(number)s），纠纷级别为%(level)s。"
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
            _("已向 %(agencies)s 发出协助办理函（%(number)s），已回函：%(answered)s。")
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


def report_draft(*, case, recipient, by):
    """Draft an upward report (通报) for a major or difficult case."""
    _require_center(by)
    if recipient not in UpwardReport.Recipient.values:
        raise ValidationError({"recipient": _("请选择报送对象。")})
    with transaction.atomic():
        case = _lock(case)
        if not case.is_major:
            raise TransitionNotAllowed(_("只有重大/疑难纠纷需要通报。请先调整纠纷级别。"), code="not_major")
        report = UpwardReport.objects.create(
            case=case,
            recipient=recipient,
            title=_("关于%(applicant)s海外知识产权纠纷有关情况的通报") % {"applicant": case.applicant_name},
            summary=report_summary(case),
            created_by=by,
        )
        _event(case, by, note=_("起草重大纠纷情况通报"))
    return report


def report_send(*, report, by, seen_revision=None):
    """Record the report as sent, with its number and PDF."""
    _require_center(by)
    with transaction.atomic():
        report = UpwardReport.objects.select_for_update().select_related("case").get(pk=report.pk)
        check_fresh(report, seen_revision)
        check_transition(REPORT_TRANSITIONS, report.status, R.SENT, labels=dict(R.choices))
        config = SiteConfiguration.get()
        today = timezone.localdate()
        report.status = R.SENT
        report.number = allocate_number(Document.Kind.UPWARD_REPORT)
        report.sent_at = timezone.now()
        report.sent_by = by
        report.revision += 1
        report.save(update_fields=["status", "number", "sent_at", "sent_by", "revision"])
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
        _event(
            report.case,
            by,
            note=_("向%(to)s报送情况通报 %(number)s") % {"to": report.get_recipient_display(), "number": report.number},
        )
    return report


def report_record_answer(*, report, answer, by):
    _require_center(by)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写上级回复内容。")})
    with transaction.atomic():
        report = UpwardReport.objects.select_for_update().select_related("case").get(pk=report.pk)
        check_transition(REPORT_TRANSITIONS, report.status, R.ANSWERED, labels=dict(R.choices))
        report.status = R.ANSWERED
        report.answer = answer.strip()
        report.answered_at = timezone.now()
        report.revision += 1
        report.save(update_fields=["status", "answer", "answered_at", "revision"])
        _event(report.case, by, note=_("收到情况通报 %(number)s 的上级回复") % {"number": report.number})
    return report
