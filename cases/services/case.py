"""Opening, assigning, moving, pausing and summarising a case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeLevel, DisputeType, RightType, TechnicalField
from applications.countries import country_name
from applications.regions import province_key
from applications.selectors import members_of
from applications.services import message_post
from cases.models import OPEN_STATUSES, Case, CaseNote
from cases.permissions import can_handle_case, can_resume_case
from cases.services._common import (
    CENTER_ONLY,
    PAUSABLE,
    PUBLIC_STATUS_TEXT,
    S,
    current_due,
    lock_case,
    search_text,
)
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, document_request
from portal.access import require
from portal.audit import entries_for, log_action
from portal.models import SiteConfiguration, User
from portal.notifications import notify, users_with_role
from portal.roles import Role, is_center_member
from portal.sequences import next_value
from portal.transitions import TransitionNotAllowed, check_fresh, transition
from portal.workdays import add_working_days, working_days_between

# The audit action of each step of the case map, by the status it leads to.
STEP_ACTIONS = {
    S.IN_PROGRESS: "cases.case.in_progress",
    S.AWAITING_INPUT: "cases.case.awaiting_input",
    S.OPINION_DRAFTED: "cases.case.opinion_drafted",
    S.OPINION_ISSUED: "cases.case.opinion_issued",
    S.FOLLOW_UP: "cases.case.follow_up",
    S.CLOSED: "cases.case.closed",
    S.TERMINATED: "cases.case.terminated",
}


def case_open(*, application, by: User | None) -> Case:
    """Open the case for an application that staff have just accepted (inside the caller's
    transaction, so the case exists exactly when the acceptance does)."""
    with transaction.atomic():
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
            technical_field=(application.technical_fields or [""])[0],
            service_point_id=application.service_point_id,
            applicant_category=application.applicant_category,
            region=province_key(application.credit_code, application.id_type, application.id_number),
            opponent_types=list(application.opponent_types),
            foreign_deadline=application.foreign_deadline,
            foreign_deadline_what=application.foreign_deadline_what,
            foreign_deadline_where=application.foreign_deadline_where,
            urgent=application.urgent,
        )
        case.due_date = current_due(case)
        case.search_text = search_text(case, application)
        case.save()
        # No public note: the application's own "accepted" step already tells the applicant.
        log_action(case, "cases.case.opened", by=by, scope=case, to_status=S.ACCEPTED)
    return case


def case_transition(
    *,
    case: Case,
    to_status: str,
    by: User,
    note: str = "",
    public_note: str = "",
    seen_revision=None,
) -> Case:
    """Move a case along its map (Case.TRANSITIONS).

    `seen_revision` is the revision of the page the user acted from; a change made from an
    out-of-date page is refused (StaleObject) rather than silently overwriting another
    user's change. Going to 办理中 needs a handler; terminating needs a reason and issues
    the termination notice to the applicant. A refused step names the state the case is in now.
    """
    require(by is None or can_handle_case(by, case), CENTER_ONLY)
    with transaction.atomic():
        case = lock_case(case)
        check_fresh(case, seen_revision)
        if to_status == S.IN_PROGRESS and case.handler_id is None and to_status in Case.TRANSITIONS[case.status]:
            raise TransitionNotAllowed(_("请先指定承办人，再将案件转为办理中。"), code="no_handler")
        if to_status == S.TERMINATED and not note.strip():
            raise ValidationError(_("终止案件必须填写终止理由。"), code="reason_required")
        fields = ["due_date"]
        if to_status in {S.CLOSED, S.TERMINATED}:
            case.closed_at = timezone.now()
            fields.append("closed_at")
            if case.input_requested_at is not None:
                case.input_requested_at = None  # a closed case waits for nobody
                fields.append("input_requested_at")
        if to_status == S.TERMINATED:
            case.termination_reason = note.strip()
            fields.append("termination_reason")
        case.due_date = current_due(case, to_status)
        case = transition(
            case,
            to_status,
            by=by,
            action=STEP_ACTIONS.get(to_status, "cases.case.transition"),
            permission=can_handle_case,
            denied_message=CENTER_ONLY,
            note=note,
            public_note=public_note or str(PUBLIC_STATUS_TEXT[to_status]),
            scope=case,
            update_fields=fields,
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


def case_terminate(*, case: Case, reason: str, by: User, seen_revision=None) -> Case:
    """终止: end the case from any open state with a reason; the applicant receives a notice."""
    return case_transition(case=case, to_status=S.TERMINATED, by=by, note=reason, seen_revision=seen_revision)


def case_assign(*, case: Case, handler: User, by: User, seen_revision=None) -> Case:
    """Give the case a handler (承办人). A newly accepted case takes the declared step to 办理中."""
    require(can_handle_case(by, case), CENTER_ONLY)
    if handler is None or not is_center_member(handler):
        raise ValidationError(_("承办人必须是指导中心工作人员。"), code="bad_handler")
    with transaction.atomic():
        case = lock_case(case)
        check_fresh(case, seen_revision)
        if case.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(
                _("案件当前状态为“%(status)s”，不能再指定承办人。") % {"status": case.get_status_display()},
                code="closed",
            )
        previous_handler = case.handler
        case.handler = handler
        case.assigned_at = timezone.now()
        note = _("指定承办人：%(name)s") % {"name": handler.full_name}
        if previous_handler and previous_handler != handler:
            note = _("承办人由 %(old)s 改为 %(new)s") % {"old": previous_handler.full_name, "new": handler.full_name}
        data = {"handler": handler.pk, "previous_handler": previous_handler.pk if previous_handler else None}
        if case.status == S.ACCEPTED:
            case.due_date = current_due(case, S.IN_PROGRESS)
            case = transition(
                case,
                S.IN_PROGRESS,
                by=by,
                action="cases.case.assigned",
                permission=can_handle_case,
                denied_message=CENTER_ONLY,
                note=note,
                public_note=str(PUBLIC_STATUS_TEXT[S.IN_PROGRESS]),
                scope=case,
                data=data,
                update_fields=("handler", "assigned_at", "due_date"),
            )
        else:
            case.revision += 1
            case.save(update_fields=["handler", "assigned_at", "revision"])
            log_action(case, "cases.case.assigned", by=by, scope=case, note=note, data=data)
        if handler != by:
            notify(
                [handler],
                subject=_("您被指定为案件 %(number)s 的承办人") % {"number": case.number},
                body=_("申请人：%(name)s。请在期限 %(due)s 前完成当前环节。")
                % {"name": case.applicant_name, "due": case.due_date or "—"},
                link=f"/admin/cases/case/{case.pk}/change/",
            )
    return case


def case_record_contact(*, case: Case, by: User, note: str = "") -> Case:
    """Record the first contact with the applicant (首次联系); the deadline moves on to the opinion."""
    require(can_handle_case(by, case), CENTER_ONLY)
    with transaction.atomic():
        case = lock_case(case)
        if case.first_contacted_at is not None:
            raise TransitionNotAllowed(_("已记录过首次联系。"), code="contacted")
        if case.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(
                _("案件当前状态为“%(status)s”，已结案或终止。") % {"status": case.get_status_display()},
                code="closed",
            )
        case.first_contacted_at = timezone.now()
        case.due_date = current_due(case)
        case.revision += 1
        case.save(update_fields=["first_contacted_at", "due_date", "revision"])
        log_action(
            case,
            "cases.case.contacted",
            by=by,
            scope=case,
            note=_("已首次联系申请人。%(note)s") % {"note": note},
            public_note=_("工作人员已与您取得联系。"),
        )
    return case


def case_regrade(*, case: Case, level: str, reason: str, by: User, seen_revision=None) -> Case:
    """Change the dispute level (e.g. to 重大/疑难) with a reason."""
    require(can_handle_case(by, case), CENTER_ONLY)
    if level not in DisputeLevel.values:
        raise ValidationError(_("无效的纠纷级别。"), code="level")
    if not reason.strip():
        raise ValidationError(_("调整纠纷级别必须填写理由。"), code="reason_required")
    with transaction.atomic():
        case = lock_case(case)
        check_fresh(case, seen_revision)
        if case.level == level:
            raise TransitionNotAllowed(_("纠纷级别没有变化。"), code="same")
        previous_level = case.level
        previous = case.get_level_display()
        case.level = level
        case.regrade_reason = reason.strip()
        case.revision += 1
        case.save(update_fields=["level", "regrade_reason", "revision"])
        log_action(
            case,
            "cases.case.regraded",
            by=by,
            scope=case,
            note=_("纠纷级别由“%(old)s”调整为“%(new)s”，理由：%(reason)s")
            % {"old": previous, "new": case.get_level_display(), "reason": reason.strip()},
            data={"from": previous_level, "to": level},
        )
        if level == DisputeLevel.MAJOR:
            notify(
                [*users_with_role(Role.DIRECTOR)],
                subject=_("案件 %(number)s 调整为重大/疑难纠纷") % {"number": case.number},
                body=reason.strip(),
                link=f"/admin/cases/case/{case.pk}/change/",
            )
    return case


def case_add_note(*, case: Case, text: str, by: User) -> CaseNote:
    """An internal note; it shows on the case page only."""
    require(can_handle_case(by, case), CENTER_ONLY)
    if not text.strip():
        raise ValidationError(_("备注内容不能为空。"), code="empty")
    with transaction.atomic():
        case = lock_case(case)
        note = CaseNote.objects.create(case=case, author=by, text=text.strip())
        log_action(note, "cases.note.added", by=by, scope=case, note=note.text)
        return note


def case_request_input(*, case: Case, by: User, request: str, seen_revision=None) -> Case:
    """Staff ask the applicant for a correction or more input (补充材料或说明): the question goes
    to the applicant on the application's message thread, and the opinion deadline pauses
    until the applicant answers (case_resume). Asking counts as contacting the applicant."""
    require(can_handle_case(by, case), CENTER_ONLY)
    request = (request or "").strip()
    if not request:
        raise ValidationError({"request": _("请写明需要申请人补充的材料或说明。")})
    with transaction.atomic():
        case = lock_case(case)
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
        case.due_date = current_due(case)
        case.revision += 1
        case.save(update_fields=fields)
        message_post(application=case.application, by=by, body=request)
        log_action(
            case,
            "cases.case.input_requested",
            by=by,
            scope=case,
            note=_("请申请人补充材料或说明，指导意见期限（%(due)s）暂停计算：%(request)s")
            % {"due": case.opinion_due, "request": request},
            public_note=_("中心请您补充材料或说明（见“与中心的沟通”）。在您答复之前，办理期限暂停计算。"),
        )
    return case


def case_resume(*, case: Case, by: User, note: str = "") -> Case:
    """The applicant has answered (on the thread, or staff record an answer given another way):
    the opinion deadline runs again, moved on by the working days the case waited."""
    with transaction.atomic():
        case = lock_case(case)
        require(can_resume_case(by, case), _("您无权办理该案件。"))
        if case.input_requested_at is None:
            raise TransitionNotAllowed(_("案件没有在等待申请人补充材料。"), code="not_paused")
        today = timezone.localdate()
        paused = max(working_days_between(timezone.localdate(case.input_requested_at), today), 0)
        if case.opinion_due and paused:
            case.opinion_due = add_working_days(case.opinion_due, paused)
        case.paused_days += paused
        case.input_requested_at = None
        case.due_date = current_due(case)
        case.revision += 1
        case.save(update_fields=["input_requested_at", "opinion_due", "paused_days", "due_date", "revision"])
        due = chinese_date(case.opinion_due) if case.opinion_due else "—"
        log_action(
            case,
            "cases.case.input_received",
            by=by,
            scope=case,
            note=_("申请人已答复，期限恢复计算：暂停 %(days)s 个工作日，指导意见期限顺延至 %(due)s。%(note)s")
            % {"days": paused, "due": due, "note": note},
            public_note=_("已收到您的答复，办理期限恢复计算；指导意见期限顺延至 %(due)s。") % {"due": due},
            data={"paused_days": paused},
        )
        notify(
            [case.handler] if case.handler else users_with_role(Role.STAFF),
            subject=_("案件 %(number)s：申请人已答复，期限恢复计算") % {"number": case.number},
            body=_("指导意见期限顺延至 %(due)s（暂停 %(days)s 个工作日）。") % {"due": due, "days": paused},
            link=f"/admin/cases/case/{case.pk}/change/",
        )
    return case


def case_resume_on_answer(*, application, by: User) -> None:
    """Registered with the applicant's answer hooks (see CasesConfig.ready): the applicant's
    message on a case that waits for it ends the pause."""
    case = Case.objects.filter(application_id=application.pk, input_requested_at__isnull=False).first()
    if case is not None:
        case_resume(case=case, by=by, note=_("（申请人留言答复）"))


def case_public_timeline(case: Case) -> list[dict]:
    """What the applicant may read of its case, from the audit log: public notes only, in
    applicant-friendly words (never an internal note)."""
    labels = dict(S.choices)
    return [
        {
            "at": entry.created,
            "status": labels.get(entry.to_status, "") if entry.content_type.model_class() is Case else "",
            "text": entry.public_note,
        }
        for entry in entries_for(case, with_scope=True).public().select_related("content_type")
    ]


def case_summary(case: Case) -> dict:
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
