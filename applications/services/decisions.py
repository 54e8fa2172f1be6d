"""Staff decisions on a submitted application: accept (the case opens), return for correction,
decline, and close one whose correction deadline has passed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from applications.permissions import can_decide
from applications.services._common import S, detail_link, lock, tell_applicant
from applications.signals import application_accepted
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, document_request
from portal.access import require
from portal.models import SiteConfiguration, User
from portal.transitions import TransitionNotAllowed, transition
from portal.workdays import add_working_days

CENTER_ONLY = gettext_lazy("只有指导中心工作人员可以作出受理决定。")


def _notice_context(application, *, title, **extra):
    today = timezone.localdate()
    return {
        "title": title,
        "addressee": application.applicant_name,
        "application_number": application.number,
        "applicant_name": application.applicant_name,
        "submitted_on": chinese_date(timezone.localdate(application.submitted_at)),
        "issued_on": chinese_date(today),
        **extra,
    }


def _issue_notice(application, *, kind, template, title, by, **extra):
    number = allocate_number(kind)
    context = _notice_context(application, title=title, **extra)
    context["number"] = number
    return document_request(
        kind=kind,
        subject=application,
        template=template,
        context=context,
        title=title,
        number=number,
        applicant=application.applicant,
        released=True,
        by=by,
    )


def application_accept(*, application: Application, by: User, note: str = "") -> Application:
    """Accept the application and send the acceptance notice. The case is opened by the cases
    app, which receives `application_accepted` inside this transaction."""
    require(can_decide(by, application), CENTER_ONLY)
    with transaction.atomic():
        application = lock(application)
        application.decided_at = timezone.now()
        application.decision_reason = ""
        transition(
            application,
            S.ACCEPTED,
            by=by,
            action="applications.application.accepted",
            public_note=note,
            update_fields=("decided_at", "decision_reason"),
        )
        application_accepted.send(sender=Application, application=application, by=by, note=note)
        case = getattr(application, "case", None)
        case_number = case.number if case is not None else ""
        config = SiteConfiguration.get()
        _issue_notice(
            application,
            kind=Document.Kind.ACCEPTANCE_NOTICE,
            template="pdf/acceptance_notice.html",
            title=_("海外知识产权纠纷应对指导申请受理通知书"),
            by=by,
            case_number=case_number,
            note=note,
            opinion_days=config.opinion_days,
            hotline=config.hotline,
        )
        tell_applicant(
            application,
            subject=_("您的申请已受理：%(number)s") % {"number": application.number},
            body=_("您的申请 %(number)s 已受理，案件编号 %(case)s。受理通知书可在申请详情页下载。")
            % {"number": application.number, "case": case_number},
            link=detail_link(application),
        )
    return application


def application_return(*, application: Application, by: User, reason: str) -> Application:
    """Return the application for correction (补正) with the reason; the applicant edits and resubmits."""
    require(can_decide(by, application), CENTER_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写需要补正的内容。"), code="reason")
    with transaction.atomic():
        application = lock(application)
        config = SiteConfiguration.get()
        application.decided_at = timezone.now()
        application.decision_reason = reason
        due = add_working_days(timezone.localdate(application.decided_at), config.correction_days)
        application.correction_due = due
        application.correction_reminded_on = None
        application.lapse_reported_on = None
        transition(
            application,
            S.RETURNED,
            by=by,
            action="applications.application.returned",
            public_note=reason,
            update_fields=(
                "decided_at",
                "decision_reason",
                "correction_due",
                "correction_reminded_on",
                "lapse_reported_on",
            ),
        )
        _issue_notice(
            application,
            kind=Document.Kind.CORRECTION_NOTICE,
            template="pdf/correction_notice.html",
            title=_("海外知识产权纠纷应对指导申请补正通知书"),
            by=by,
            reason=reason,
            due_on=chinese_date(due),
            correction_days=config.correction_days,
            hotline=config.hotline,
        )
        tell_applicant(
            application,
            subject=_("您的申请需要补正：%(number)s") % {"number": application.number},
            body=_(
                "您的申请 %(number)s 需要补正，请于 %(due)s 前修改后重新提交；逾期未补正的，申请将不予受理。"
                "需要补正的内容：\n%(reason)s"
            )
            % {"number": application.number, "due": chinese_date(due), "reason": reason},
            link=detail_link(application),
        )
    return application


def application_decline(*, application: Application, by: User, reason: str) -> Application:
    """Decline the application (不予受理) with the reason, sent to the applicant."""
    require(can_decide(by, application), CENTER_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写不予受理的理由。"), code="reason")
    with transaction.atomic():
        application = lock(application)
        if application.status == S.RETURNED:
            # A returned application is closed only once its correction deadline has passed
            # (application_close_lapsed); until then the applicant may still correct it.
            raise TransitionNotAllowed(
                _("申请正在补正期内，不能不予受理；补正期限届满仍未补正的，可确认逾期关闭。"), code="correcting"
            )
        _decline(application, by=by, reason=reason, action="applications.application.declined")
    return application


def _decline(application, *, by, reason, action):
    application.decided_at = timezone.now()
    application.decision_reason = reason
    transition(
        application,
        S.DECLINED,
        by=by,
        action=action,
        public_note=reason,
        update_fields=("decided_at", "decision_reason"),
    )
    config = SiteConfiguration.get()
    _issue_notice(
        application,
        kind=Document.Kind.DECLINE_NOTICE,
        template="pdf/decline_notice.html",
        title=_("海外知识产权纠纷应对指导申请不予受理通知书"),
        by=by,
        reason=reason,
        hotline=config.hotline,
    )
    tell_applicant(
        application,
        subject=_("您的申请不予受理：%(number)s") % {"number": application.number},
        body=_("很遗憾，您的申请 %(number)s 不予受理。理由：\n%(reason)s\n如有疑问，请拨打服务热线 %(hotline)s。")
        % {"number": application.number, "reason": reason, "hotline": config.hotline},
        link=detail_link(application),
    )


def lapse_reason(application):
    return _("逾期未补正：申请人未在补正期限（%(due)s）前补正材料并重新提交，视为放弃本次申请。") % {
        "due": chinese_date(application.correction_due)
    }


def application_close_lapsed(*, application: Application, by: User, today=None) -> Application:
    """Staff confirm that a returned application whose correction deadline has passed is closed:
    it is declined with the reason "逾期未补正" and the decline notice goes to the applicant."""
    require(can_decide(by, application), _("只有指导中心工作人员可以关闭申请。"))
    today = today or timezone.localdate()
    with transaction.atomic():
        application = lock(application)
        if application.status != S.RETURNED:
            raise TransitionNotAllowed(
                _("只有退回补正的申请可以因逾期未补正而关闭；该申请当前状态为“%(status)s”。")
                % {"status": application.get_status_display()},
                code="not_returned",
            )
        if application.correction_due is None or application.correction_due >= today:
            raise TransitionNotAllowed(
                _("补正期限（%(due)s）尚未届满，不能关闭。")
                % {"due": chinese_date(application.correction_due) if application.correction_due else "—"},
                code="not_lapsed",
            )
        _decline(application, by=by, reason=lapse_reason(application), action="applications.application.lapsed")
    return application
