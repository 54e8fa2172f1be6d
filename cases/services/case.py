"""Opening, assigning, moving, pausing and summarising a case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeLevel, DisputeType, RightType, TechnicalField
from applications.countries import country_name
from applications.selectors import members_of
from applications.services import message_post
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseNote,
)
from cases.services._common import (
    CASE_TRANSITIONS,
    PAUSABLE,
    PUBLIC_STATUS_TEXT,
    S,
    _current_due,
    _event,
    _lock,
    _require_center,
    _search_text,
)
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, document_request
from portal.models import SiteConfiguration, User
from portal.notifications import notify, users_with_role
from portal.roles import Role, has_role, is_center_member
from portal.sequences import next_value
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition
from portal.workdays import add_working_days, working_days_between


def case_open(*, application, by):
    """Open the case for an application that staff have just accepted.

    Called from applications.services.application_accept inside its transaction.
    """
    with transaction.atomic():
        return _create_case(application=application, by=by)


def _create_case(*, application, by):
    now = timezone.now()
    today = timezone.localdate(now)
    config = SiteConfiguration.get()
    sequence = next_value("case", today.year)
    case = Case(
        application=application,
        number=f"AJ-{today.year}-{sequence:06d}",
        level=application.level or DisputeLevel.ORDINARY,
        opened_at=now,
        first_contact_due=add_working_days(today, config.first_contact_days),
        opinion_due=add_working_days(today, config.opinion_days),
        applicant_name=application.applicant_name,
        credit_code=application.credit_code,
        countries=list(application.countries),
        dispute_types=list(application.dispute_types),
        right_types=list(application.right_types),
        technical_field=application.technical_field or "",
    )
    case.due_date = _current_due(case)
    case.search_text = _search_text(case, application)
    case.save()
    # No public note: the application's own "accepted" step already tells the applicant.
    _event(case, by, to_status=S.ACCEPTED)
    return case


def case_transition(*, case, to_status, by, note="", public_note="", seen_revision=None):
    """Move a case to `to_status` if the transition map allows it.

    `seen_revision` is the revision of the page the user acted from; a change made from an
    out-of-date page is refused (StaleObject) rather than silently overwriting another
    user's change. Going to 办理中 needs a handler; terminating needs a reason and issues
    the termination notice to the applicant.
    """
    with transaction.atomic():
        case = _lock(case)
        check_fresh(case, seen_revision)
        check_transition(CASE_TRANSITIONS, case.status, to_status, labels=dict(S.choices))
        if to_status == S.IN_PROGRESS and case.handler_id is None:
            raise TransitionNotAllowed(_("请先指定承办人，再将案件转为办理中。"), code="no_handler")
        if to_status == S.TERMINATED and not note.strip():
            raise ValidationError(_("终止案件必须填写终止理由。"), code="reason_required")
        previous = case.status
        case.status = to_status
        case.revision += 1
        fields = ["status", "revision", "due_date"]
        if to_status in {S.CLOSED, S.TERMINATED}:
            case.closed_at = timezone.now()
            fields.append("closed_at")
            if case.input_requested_at is not None:
                case.input_requested_at = None  # a closed case waits for nobody
                fields.append("input_requested_at")
        if to_status == S.TERMINATED:
            case.termination_reason = note.strip()
            fields.append("termination_reason")
        case.due_date = _current_due(case)
        case.save(update_fields=fields)
        _event(
            case,
            by,
            from_status=previous,
            to_status=to_status,
            note=note,
            public_note=public_note or str(PUBLIC_STATUS_TEXT[to_status]),
        )
        if to_status == S.TERMINATED:
            _issue_termination_notice(case, reason=public_note or note, by=by)
        _notify_applicant(case, to_status)
    return case


def _notify_applicant(case, to_status):
    application = case.application
    recipients = members_of(application.applicant)
    notify(
        recipients,
        subject=_("案件 %(number)s 状态更新：%(status)s") % {"number": case.number, "status": S(to_status).label},
        body=str(PUBLIC_STATUS_TEXT[to_status]),
        link=f"/applications/{application.pk}/",
        email=to_status in {S.OPINION_ISSUED, S.CLOSED, S.TERMINATED},
    )


def _issue_termination_notice(case, *, reason, by):
    application = case.application
    config = SiteConfiguration.get()
    today = timezone.localdate()
    document_request(
        kind=Document.Kind.TERMINATION_NOTICE,
        subject=case,
        template="pdf/termination_notice.html",
        title=_("终止办理通知书"),
        case=case,
        context={
            "applicant_name": case.applicant_name,
            "application_number": application.number or "",
            "case_number": case.number,
            "submitted_on": chinese_date(timezone.localdate(application.submitted_at))
            if application.submitted_at
            else "",
            "reason": reason,
            "issued_on": chinese_date(today),
            "center_name": config.center_name,
            "hotline": config.hotline,
        },
        number=allocate_number(Document.Kind.TERMINATION_NOTICE),
        applicant=application.applicant,
        released=True,
        by=by,
    )


def case_terminate(*, case, reason, by, seen_revision=None):
    """终止: end the case from any open state with a reason; the applicant receives a notice."""
    _require_center(by)
    return case_transition(case=case, to_status=S.TERMINATED, by=by, note=reason, seen_revision=seen_revision)


def case_assign(*, case, handler, by, seen_revision=None):
    """Give the case a handler (承办人). A newly accepted case moves to 办理中."""
    _require_center(by)
    if handler is None or not is_center_member(handler):
        raise ValidationError(_("承办人必须是指导中心工作人员。"), code="bad_handler")
    with transaction.atomic():
        case = _lock(case)
        check_fresh(case, seen_revision)
        if case.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(_("案件已结案或终止，不能再指定承办人。"), code="closed")
        previous_status = case.status
        previous_handler = case.handler
        case.handler = handler
        case.assigned_at = timezone.now()
        case.revision += 1
        fields = ["handler", "assigned_at", "revision"]
        if case.status == S.ACCEPTED:
            case.status = S.IN_PROGRESS
            case.due_date = _current_due(case)
            fields += ["status", "due_date"]
        case.save(update_fields=fields)
        note = _("指定承办人：%(name)s") % {"name": handler.full_name}
        if previous_handler and previous_handler != handler:
            note = _("承办人由 %(old)s 改为 %(new)s") % {"old": previous_handler.full_name, "new": handler.full_name}
        _event(
            case,
            by,
            from_status=previous_status,
            to_status=case.status,
            note=note,
            public_note=str(PUBLIC_STATUS_TEXT[S.IN_PROGRESS]) if previous_status == S.ACCEPTED else "",
        )
        if handler != by:
            notify(
                [handler],
                subject=_("您被指定为案件 %(number)s 的承办人") % {"number": case.number},
                body=_("申请人：%(name)s。请在期限 %(due)s 前完成当前环节。")
                % {"name": case.applicant_name, "due": case.due_date or "—"},
                link=f"/admin/cases/case/{case.pk}/change/",
            )
    return case


def case_record_contact(*, case, by, note=""):
    """Record the first contact with the applicant (首次联系); the deadline moves on to the opinion."""
    _require_center(by)
    with transaction.atomic():
        case = _lock(case)
        if case.first_contacted_at is not None:
            raise TransitionNotAllowed(_("已记录过首次联系。"), code="contacted")
        if case.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(_("案件已结案或终止。"), code="closed")
        case.first_contacted_at = timezone.now()
        case.due_date = _current_due(case)
        case.revision += 1
        case.save(update_fields=["first_contacted_at", "due_date", "revision"])
        _event(
            case,
            by,
            note=_("已首次联系申请人。%(note)s") % {"note": note},
            public_note=_("工作人员已与您取得联系。"),
        )
    return case


def case_regrade(*, case, level, reason, by, seen_revision=None):
    """Change the dispute level (e.g. to 重大/疑难) with a reason."""
    _require_center(by)
    if level not in DisputeLevel.values:
        raise ValidationError(_("无效的纠纷级别。"), code="level")
    if not reason.strip():
        raise ValidationError(_("调整纠纷级别必须填写理由。"), code="reason_required")
    with transaction.atomic():
        case = _lock(case)
        check_fresh(case, seen_revision)
        if case.level == level:
            raise TransitionNotAllowed(_("纠纷级别没有变化。"), code="same")
        previous = case.get_level_display()
        case.level = level
        case.regrade_reason = reason.strip()
        case.revision += 1
        case.save(update_fields=["level", "regrade_reason", "revision"])
        _event(
            case,
            by,
            note=_("纠纷级别由“%(old)s”调整为“%(new)s”，理由：%(reason)s")
            % {"old": previous, "new": case.get_level_display(), "reason": reason.strip()},
        )
        if level == DisputeLevel.MAJOR:
            notify(
                [*users_with_role(Role.DIRECTOR)],
                subject=_("案件 %(number)s 调整为重大/疑难纠纷") % {"number": case.number},
                body=reason.strip(),
                link=f"/admin/cases/case/{case.pk}/change/",
            )
    return case


def case_add_note(*, case, text, by):
    """An internal note; it shows on the case page only."""
    _require_center(by)
    if not text.strip():
        raise ValidationError(_("备注内容不能为空。"), code="empty")
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).exists()
        return CaseNote.objects.create(case=case, author=by, text=text.strip())


def case_request_input(*, case, by, request, seen_revision=None):
    """Staff ask the applicant for a correction or more input (补充材料或说明): the question goes
    to the applicant on the application's message thread, and the opinion deadline pauses
    until the applicant answers (case_resume). Asking counts as contacting the applicant."""
    _require_center(by)
    request = (request or "").strip()
    if not request:
        raise ValidationError({"request": _("请写明需要申请人补充的材料或说明。")})
    with transaction.atomic():
        case = _lock(case)
        check_fresh(case, seen_revision)
        if case.status not in PAUSABLE:
            raise TransitionNotAllowed(
                _("案件当前状态为“%(status)s”，没有在计算的指导意见期限，不能暂停。")
                % {"status": case.get_status_display()},
                code="not_running",
            )
        if case.input_requested_at is not None:
            raise TransitionNotAllowed(_("案件已在等待申请人补充材料，期限已暂停。"), code="paused")
        now = timezone.now()
        case.input_requested_at = now
        fields = ["input_requested_at", "due_date", "revision"]
        if case.first_contacted_at is None:
            case.first_contacted_at = now
            fields.append("first_contacted_at")
        case.due_date = _current_due(case)
        case.revision += 1
        case.save(update_fields=fields)
        message_post(application=case.application, by=by, body=request)
        _event(
            case,
            by,
            note=_("请申请人补充材料或说明，指导意见期限（%(due)s）暂停计算：%(request)s")
            % {"due": case.opinion_due, "request": request},
            public_note=_("中心请您补充材料或说明（见“与中心的沟通”）。在您答复之前，办理期限暂停计算。"),
        )
    return case


def _may_answer(user, case):
    return is_center_member(user) or (
        has_role(user, Role.APPLICANT) and user.applicant_id == case.application.applicant_id
    )


def case_resume(*, case, by, note=""):
    """The applicant has answered (on the thread, or staff record an answer given another way):
    the opinion deadline runs again, moved on by the working days the case waited."""
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("application").get(pk=case.pk)
        if not _may_answer(by, case):
            raise TransitionNotAllowed(_("您无权办理该案件。"), code="forbidden")
        if case.input_requested_at is None:
            raise TransitionNotAllowed(_("案件没有在等待申请人补充材料。"), code="not_paused")
        today = timezone.localdate()
        paused = max(working_days_between(timezone.localdate(case.input_requested_at), today), 0)
        if case.opinion_due and paused:
            case.opinion_due = add_working_days(case.opinion_due, paused)
        case.paused_days += paused
        case.input_requested_at = None
        case.due_date = _current_due(case)
        case.revision += 1
        case.save(update_fields=["input_requested_at", "opinion_due", "paused_days", "due_date", "revision"])
        due = chinese_date(case.opinion_due) if case.opinion_due else "—"
        _event(
            case,
            by,
            note=_("申请人已答复，期限恢复计算：暂停 %(days)s 个工作日，指导意见期限顺延至 %(due)s。%(note)s")
            % {"days": paused, "due": due, "note": note},
            public_note=_("已收到您的答复，办理期限恢复计算；指导意见期限顺延至 %(due)s。") % {"due": due},
        )
        notify(
            [case.handler] if case.handler else users_with_role(Role.STAFF),
            subject=_("案件 %(number)s：申请人已答复，期限恢复计算") % {"number": case.number},
            body=_("指导意见期限顺延至 %(due)s（暂停 %(days)s 个工作日）。") % {"due": due, "days": paused},
            link=f"/admin/cases/case/{case.pk}/change/",
        )
    return case


def case_resume_on_answer(*, application, by):
    """Registered with applications.services.applicant_answer_hooks (see CasesConfig.ready):
    the applicant's message on a case that waits for it ends the pause."""
    case = Case.objects.filter(application_id=application.pk, input_requested_at__isnull=False).first()
    if case is not None:
        case_resume(case=case, by=by, note=_("（申请人留言答复）"))


def case_public_timeline(case):
    """The events the applicant may read, in applicant-friendly words (no internal notes)."""
    return [
        {"at": event.at, "status": event.get_to_status_display() if event.to_status else "", "text": event.public_note}
        for event in case.events.all()
        if event.public_note
    ]


def case_summary(case):
    """A neutral summary of the case for agencies, experts and upward reports."""
    return {
        "number": case.number,
        "level": str(case.get_level_display()),
        "dispute_types": [str(DisputeType(v).label) for v in case.dispute_types if v in DisputeType.values],
        "right_types": [str(RightType(v).label) for v in case.right_types if v in RightType.values],
        "countries": [str(country_name(code)) for code in case.countries],
        "technical_field": str(TechnicalField(case.technical_field).label)
        if case.technical_field in TechnicalField.values
        else "",
    }
