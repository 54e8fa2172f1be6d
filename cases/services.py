"""State changes of a case, its assistance letters and upward reports.

Every function here runs in a transaction, locks the row it changes, checks the
transition map, saves with update_fields and writes a CaseEvent; PDFs and e-mails go out
after commit.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeLevel, DisputeType, RightType, TechnicalField
from applications.countries import country_name
from applications.services import message_post
from cases.models import (
    OPEN_STATUSES,
    AnswerAttachment,
    AssistanceLetter,
    Case,
    CaseEvent,
    CaseNote,
    ExtensionRequest,
    LetterRecipient,
    UpwardReport,
)
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, check_can_issue_signed, document_request, signer_title_for
from portal.models import SiteConfiguration, User
from portal.notifications import notify, notify_signers, users_with_role
from portal.roles import Role, can_sign, has_role, is_center_member
from portal.sequences import next_value
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition
from portal.uploads import check_uploads
from portal.workdays import add_working_days, working_days_between

S = Case.Status
L = AssistanceLetter.Status
Help = AssistanceLetter.Help

# The one map of allowed case transitions.
CASE_TRANSITIONS = {
    S.ACCEPTED: {S.IN_PROGRESS, S.TERMINATED},
    S.IN_PROGRESS: {S.AWAITING_INPUT, S.OPINION_DRAFTED, S.TERMINATED},
    S.AWAITING_INPUT: {S.IN_PROGRESS, S.OPINION_DRAFTED, S.TERMINATED},
    S.OPINION_DRAFTED: {S.IN_PROGRESS, S.OPINION_ISSUED, S.TERMINATED},
    S.OPINION_ISSUED: {S.FOLLOW_UP, S.CLOSED, S.TERMINATED},
    S.FOLLOW_UP: {S.CLOSED, S.TERMINATED},
    S.CLOSED: set(),
    S.TERMINATED: set(),
}

# The one map of allowed letter transitions.
LETTER_TRANSITIONS = {
    L.DRAFT: {L.AWAITING_SIGNATURE, L.WITHDRAWN},
    L.AWAITING_SIGNATURE: {L.SIGNED, L.DRAFT, L.WITHDRAWN},
    L.SIGNED: {L.SETTLED},
    L.SETTLED: set(),
    L.WITHDRAWN: set(),
}

R = UpwardReport.Status
REPORT_TRANSITIONS = {R.DRAFT: {R.SENT}, R.SENT: {R.ANSWERED}, R.ANSWERED: set()}

# What the applicant reads on its timeline for each status (no internal notes).
PUBLIC_STATUS_TEXT = {
    S.ACCEPTED: _("您的申请已受理，案件已建立。"),
    S.IN_PROGRESS: _("工作人员正在办理您的案件。"),
    S.AWAITING_INPUT: _("已商请协助单位或专家提供协助，等待反馈。"),
    S.OPINION_DRAFTED: _("指导意见正在起草和审核。"),
    S.OPINION_ISSUED: _("行政指导意见书已出具，请查收。"),
    S.FOLLOW_UP: _("进入跟踪反馈阶段，欢迎反馈纠纷进展。"),
    S.CLOSED: _("案件已办结。"),
    S.TERMINATED: _("案件已终止办理。"),
}

# Working stages whose deadline is the guidance opinion.
OPINION_STAGE = {S.IN_PROGRESS, S.AWAITING_INPUT, S.OPINION_DRAFTED}


def _lock(case):
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(case, by, *, from_status="", to_status="", note="", public_note=""):
    return CaseEvent.objects.create(
        case=case, actor=by, from_status=from_status, to_status=to_status, note=note, public_note=public_note
    )


def _current_due(case):
    """The deadline of the stage the case is in; none while it waits for the applicant."""
    if case.status not in OPEN_STATUSES or case.input_requested_at is not None:
        return None
    if case.first_contacted_at is None and case.status in {S.ACCEPTED, *OPINION_STAGE}:
        return case.first_contact_due
    if case.status in OPINION_STAGE:
        return case.opinion_due
    return None


def _require_center(user):
    if not is_center_member(user):
        raise ValidationError(_("只有指导中心工作人员可以办理案件。"), code="forbidden")


def _search_text(case, application):
    parts = [
        case.number,
        application.number or "",
        case.applicant_name,
        case.credit_code,
        application.request or "",
        application.opponent_name or "",
    ]
    return "\n".join(parts).upper()


# --------------------------------------------------------------------------- cases


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
    recipients = User.objects.filter(applicant_id=application.applicant_id, is_active=True)
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


# Stages in which the opinion deadline runs, and so can be paused for the applicant.
PAUSABLE = {S.ACCEPTED, *OPINION_STAGE}


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


# --------------------------------------------------------------------------- letters


def _clean_letter(subject, body, agencies):
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = _("请填写事由。")
    if not (body or "").strip():
        errors["body"] = _("请填写正文。")
    if not agencies:
        errors["agencies"] = _("请至少选择一个主送协助单位。")
    if errors:
        raise ValidationError(errors)


def letter_draft(*, case, subject, body, agencies, by, help_kinds=(), due_date=None, share_contact=False):
    """Staff draft an assistance letter to one or more partner agencies."""
    _require_center(by)
    _clean_letter(subject, body, agencies)
    with transaction.atomic():
        case = _lock(case)
        if case.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(_("案件已结案或终止，不能再起草协助办理函。"), code="closed")
        letter = AssistanceLetter.objects.create(
            case=case,
            subject=subject.strip(),
            body=body.strip(),
            help_kinds=list(help_kinds),
            due_date=due_date,
            share_contact=share_contact,
            drafted_by=by,
        )
        LetterRecipient.objects.bulk_create([LetterRecipient(letter=letter, agency=agency) for agency in agencies])
        _event(case, by, note=_("起草协助办理函：%(subject)s") % {"subject": letter.subject})
    return letter


def letter_update(
    *, letter, subject, body, agencies, by, help_kinds=(), due_date=None, share_contact=False, seen_revision=None
):
    """Edit a letter still in draft."""
    _require_center(by)
    _clean_letter(subject, body, agencies)
    with transaction.atomic():
        letter = AssistanceLetter.objects.select_for_update().get(pk=letter.pk)
        check_fresh(letter, seen_revision)
        if letter.status != L.DRAFT:
            raise TransitionNotAllowed(_("只有草稿状态的函件可以修改。"), code="frozen")
        letter.subject = subject.strip()
        letter.body = body.strip()
        letter.help_kinds = list(help_kinds)
        letter.due_date = due_date
        letter.share_contact = share_contact
        letter.revision += 1
        letter.save(update_fields=["subject", "body", "help_kinds", "due_date", "share_contact", "revision"])
        wanted = {agency.pk for agency in agencies}
        letter.recipients.exclude(agency_id__in=wanted).delete()
        existing = set(letter.recipients.values_list("agency_id", flat=True))
        LetterRecipient.objects.bulk_create(
            [LetterRecipient(letter=letter, agency=agency) for agency in agencies if agency.pk not in existing]
        )
    return letter


def _letter_change(letter, target, *, by, note=""):
    check_transition(LETTER_TRANSITIONS, letter.status, target, labels=dict(L.choices))
    letter.status = target
    letter.revision += 1


def letter_submit(*, letter, by, seen_revision=None):
    """Send a draft to the director and deputies for signature (提交签发)."""
    _require_center(by)
    with transaction.atomic():
        letter = AssistanceLetter.objects.select_for_update().get(pk=letter.pk)
        check_fresh(letter, seen_revision)
        _letter_change(letter, L.AWAITING_SIGNATURE, by=by)
        letter.save(update_fields=["status", "revision"])
        _event(letter.case, by, note=_("协助办理函“%(subject)s”提交签发") % {"subject": letter.subject})
        notify_signers(
            subject=_("待签发：协助办理函“%(subject)s”") % {"subject": letter.subject},
            body=_("案件 %(number)s 的协助办理函等待您签发。") % {"number": letter.case.number},
            link=f"/admin/cases/assistanceletter/{letter.pk}/change/",
        )
    return letter


def letter_return(*, letter, by, reason="", seen_revision=None):
    """The signer sends a letter back to draft for changes."""
    if not can_sign(by):
        raise ValidationError(_("只有中心主任或副主任可以退回待签发的函件。"), code="forbidden")
    with transaction.atomic():
        letter = AssistanceLetter.objects.select_for_update().get(pk=letter.pk)
        check_fresh(letter, seen_revision)
        _letter_change(letter, L.DRAFT, by=by)
        letter.save(update_fields=["status", "revision"])
        _event(
            letter.case,
            by,
            note=_("协助办理函“%(subject)s”退回修改：%(reason)s") % {"subject": letter.subject, "reason": reason},
        )
        notify(
            [letter.drafted_by],
            subject=_("协助办理函被退回修改"),
            body=reason,
            link=f"/admin/cases/assistanceletter/{letter.pk}/change/",
        )
    return letter


def letter_withdraw(*, letter, by, seen_revision=None):
    _require_center(by)
    with transaction.atomic():
        letter = AssistanceLetter.objects.select_for_update().get(pk=letter.pk)
        check_fresh(letter, seen_revision)
        _letter_change(letter, L.WITHDRAWN, by=by)
        letter.save(update_fields=["status", "revision"])
        _event(letter.case, by, note=_("撤回协助办理函“%(subject)s”") % {"subject": letter.subject})
    return letter


def letter_context(letter, *, number, signed_on, signer):
    case = letter.case
    application = case.application
    config = SiteConfiguration.get()
    recipients = list(letter.recipients.select_related("agency").order_by("agency__display_order", "agency__pk"))
    context = {
        "title": _("关于商请协助办理海外知识产权纠纷应对指导事项的函"),
        "number": number,
        "addressees": "、".join(r.agency.name for r in recipients),
        "subject": letter.subject,
        "body": [p.strip() for p in letter.body.splitlines() if p.strip()],
        "help_kinds": [
            str(AssistanceLetter.Help(v).label) for v in letter.help_kinds if v in AssistanceLetter.Help.values
        ],
        "due_on": chinese_date(letter.due_date) if letter.due_date else "",
        "case": case_summary(case),
        "applicant_name": case.applicant_name,
        "share_contact": letter.share_contact,
        "contact": {
            "name": application.contact_name,
            "phone": application.contact_phone,
            "email": application.contact_email,
        }
        if letter.share_contact
        else {},
        "handler": case.handler.full_name if case.handler else "",
        "handler_phone": (case.handler.phone if case.handler else "") or config.hotline,
        "center_name": config.center_name,
        "signed_on": chinese_date(signed_on),
        "signer": signer.full_name,
        "signer_title": str(signer_title_for(signer)),
    }
    return context


def letter_sign(*, letter, by, seen_revision=None):
    """签发: only the director or a deputy director. Freezes the text, gives the number,
    queues the PDF and tells every addressed agency."""
    if not can_sign(by):
        raise ValidationError(_("只有中心主任或副主任可以签发协助办理函。"), code="forbidden")
    check_can_issue_signed(by)
    with transaction.atomic():
        letter = AssistanceLetter.objects.select_for_update().select_related("case__application").get(pk=letter.pk)
        check_fresh(letter, seen_revision)
        _letter_change(letter, L.SIGNED, by=by)
        now = timezone.now()
        today = timezone.localdate(now)
        config = SiteConfiguration.get()
        if letter.due_date is None or letter.due_date <= today:
            letter.due_date = add_working_days(today, config.agency_answer_days)
        letter.number = allocate_number(Document.Kind.ASSISTANCE_LETTER)
        letter.signed_by = by
        letter.signed_at = now
        letter.save(update_fields=["status", "revision", "number", "signed_by", "signed_at", "due_date"])
        letter.recipients.update(due_date=letter.due_date)
        agencies = [r.agency for r in letter.recipients.select_related("agency")]
        document_request(
            kind=Document.Kind.ASSISTANCE_LETTER,
            subject=letter,
            template="pdf/assistance_letter.html",
            context=letter_context(letter, number=letter.number, signed_on=today, signer=by),
            title=_("协助办理函"),
            number=letter.number,
            agencies=agencies,
            case=letter.case,
            signed_by=by,
            signer_title=str(signer_title_for(by)),
            by=by,
        )
        case = _lock(letter.case)
        _event(case, by, note=_("签发协助办理函 %(number)s") % {"number": letter.number})
        if case.status == S.IN_PROGRESS:
            case_transition(
                case=case,
                to_status=S.AWAITING_INPUT,
                by=by,
                note=_("等待协助单位回函 %(number)s") % {"number": letter.number},
            )
        agency_users = User.objects.filter(agency__in=agencies, groups__name=Role.AGENCY, is_active=True).distinct()
        notify(
            agency_users,
            subject=_("新的协助办理函：%(number)s") % {"number": letter.number},
            body=_("%(center)s 商请贵单位协助办理：%(subject)s。请于 %(due)s 前回复。")
            % {"center": config.center_name, "subject": letter.subject, "due": chinese_date(letter.due_date)},
            link=f"/cases/agency/letters/{letter.pk}/",
        )
    return letter


def _lock_recipient(recipient):
    return LetterRecipient.objects.select_for_update().select_related("letter__case").get(pk=recipient.pk)


def _require_agency_user(recipient, by):
    if not (has_role(by, Role.AGENCY) and by.agency_id == recipient.agency_id):
        raise ValidationError(_("只有主送单位的联络人可以办理该函件。"), code="forbidden")
    if recipient.letter.status not in {L.SIGNED, L.SETTLED}:
        raise TransitionNotAllowed(_("该函件尚未签发。"), code="unsigned")


def recipient_acknowledge(*, recipient, by):
    """签收: the agency confirms receipt (who and when). A second click changes nothing."""
    with transaction.atomic():
        recipient = _lock_recipient(recipient)
        _require_agency_user(recipient, by)
        if recipient.acknowledged_at is not None:
            return recipient
        recipient.acknowledged_at = timezone.now()
        recipient.acknowledged_by = by
        recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _event(
            recipient.letter.case,
            by,
            note=_("%(agency)s 签收协助办理函 %(number)s")
            % {"agency": recipient.agency, "number": recipient.letter.number},
        )
    return recipient


ANSWER_MAX_FILES = 10
ANSWER_MAX_FILE_BYTES = 20 * 1024 * 1024


def check_answer_files(files):
    """An answer's attachments, checked by content and size (portal.uploads)."""
    return check_uploads(
        files,
        max_count=ANSWER_MAX_FILES,
        max_file=ANSWER_MAX_FILE_BYTES,
        max_total=ANSWER_MAX_FILES * ANSWER_MAX_FILE_BYTES,
    )


def _store_attachment(recipient, upload, checked, by):
    return AnswerAttachment.objects.create(
        recipient=recipient,
        file=upload,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )


def recipient_answer(*, recipient, by, answer, information_found="", files=(), nominations=()):
    """回函: the agency's answer with attachments and nominated experts. The letter is settled
    once every addressed agency has answered."""
    from experts.models import ExpertNomination

    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写回函内容。")})
    checked_files = check_answer_files(files)
    with transaction.atomic():
        recipient = _lock_recipient(recipient)
        _require_agency_user(recipient, by)
        if recipient.answered_at is not None:
            raise TransitionNotAllowed(_("贵单位已回函，不能重复提交。如需补充，请联系承办人。"), code="answered")
        now = timezone.now()
        if recipient.acknowledged_at is None:
            recipient.acknowledged_at = now
            recipient.acknowledged_by = by
        recipient.answer = answer.strip()
        recipient.information_found = (information_found or "").strip()
        recipient.answered_at = now
        recipient.answered_by = by
        recipient.save(
            update_fields=[
                "answer",
                "information_found",
                "answered_at",
                "answered_by",
                "acknowledged_at",
                "acknowledged_by",
            ]
        )
        for upload, checked in checked_files:
            _store_attachment(recipient, upload, checked, by)
        letter = recipient.letter
        case = letter.case
        ExpertNomination.objects.bulk_create(
            [
                ExpertNomination(
                    case=case,
                    agency_id=recipient.agency_id,
                    letter_recipient=recipient,
                    nominated_by=by,
                    name=n["name"],
                    organisation=n.get("organisation", ""),
                    title=n.get("title", ""),
                    expertise=n.get("expertise", ""),
                    email=n.get("email", ""),
                    phone=n.get("phone", ""),
                )
                for n in nominations
                if n.get("name")
            ]
        )
        _event(
            case,
            by,
            note=_("%(agency)s 回复协助办理函 %(number)s") % {"agency": recipient.agency, "number": letter.number},
        )
        letter = AssistanceLetter.objects.select_for_update().get(pk=letter.pk)
        if letter.status == L.SIGNED and not letter.recipients.filter(answered_at__isnull=True).exists():
            _letter_change(letter, L.SETTLED, by=by)
            letter.settled_at = now
            letter.save(update_fields=["status", "revision", "settled_at"])
            _event(case, by, note=_("协助办理函 %(number)s 各单位均已回函，已办结") % {"number": letter.number})
        notify(
            [case.handler] if case.handler else users_with_role(Role.STAFF),
            subject=_("%(agency)s 已回函：%(number)s") % {"agency": recipient.agency, "number": letter.number},
            body=answer.strip()[:300],
            link=f"/admin/cases/case/{case.pk}/change/",
        )
    return recipient


def extension_request(*, recipient, by, requested_until, reason):
    """The agency asks for more time, with a reason."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("请填写延期理由。")
    if requested_until is None or (recipient.due_date and requested_until <= recipient.due_date):
        errors["requested_until"] = _("延期日期须晚于当前回复期限。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recipient = _lock_recipient(recipient)
        _require_agency_user(recipient, by)
        if recipient.answered_at is not None:
            raise TransitionNotAllowed(_("贵单位已回函，无需延期。"), code="answered")
        if recipient.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise TransitionNotAllowed(_("已有待审核的延期申请。"), code="pending")
        extension = ExtensionRequest.objects.create(
            recipient=recipient, requested_by=by, requested_until=requested_until, reason=reason.strip()
        )
        case = recipient.letter.case
        _event(
            case,
            by,
            note=_("%(agency)s 申请延期至 %(until)s：%(reason)s")
            % {"agency": recipient.agency, "until": requested_until, "reason": reason.strip()},
        )
        notify(
            [case.handler] if case.handler else users_with_role(Role.STAFF),
            subject=_("%(agency)s 申请延期回函") % {"agency": recipient.agency},
            body=reason.strip(),
            link=f"/admin/cases/assistanceletter/{recipient.letter_id}/change/",
        )
    return extension


def extension_decide(*, extension, grant, by, note=""):
    """Staff grant (the deadline moves) or refuse an extension request."""
    _require_center(by)
    with transaction.atomic():
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        if extension.status != ExtensionRequest.Status.PENDING:
            raise TransitionNotAllowed(_("该延期申请已审核。"), code="decided")
        extension.status = ExtensionRequest.Status.GRANTED if grant else ExtensionRequest.Status.REFUSED
        extension.decided_by = by
        extension.decided_at = timezone.now()
        extension.decision_note = note[:500]
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        recipient = _lock_recipient(extension.recipient)
        if grant:
            recipient.due_date = extension.requested_until
            recipient.save(update_fields=["due_date"])
        _event(
            recipient.letter.case,
            by,
            note=_("%(decision)s %(agency)s 的延期申请（至 %(until)s）")
            % {
                "decision": _("同意") if grant else _("不同意"),
                "agency": recipient.agency,
                "until": extension.requested_until,
            },
        )
        agency_users = User.objects.filter(agency_id=recipient.agency_id, groups__name=Role.AGENCY, is_active=True)
        notify(
            agency_users,
            subject=_("延期申请%(decision)s") % {"decision": _("已同意") if grant else _("未获同意")},
            body=note or "",
            link=f"/cases/agency/letters/{recipient.letter_id}/",
        )
    return extension


# --------------------------------------------------------------------------- upward reports


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


# --------------------------------------------------------------------------- reminders


def deadlines_remind(*, today=None):
    """Daily reminders: each handler hears about its cases overdue or due within two working
    days; the director about cases overdue by more than the configured working days; the
    handler about agencies late with their answers. Safe to run twice a day: a case or
    recipient reminded today is skipped."""
    today = today or timezone.localdate()
    config = SiteConfiguration.get()
    soon = add_working_days(today, 2)
    sent = {"handler": 0, "director": 0, "agency": 0}
    cases = (
        Case.objects.filter(status__in=OPEN_STATUSES, due_date__lte=soon)
        .exclude(last_reminded_on=today)
        .select_related("handler")
    )
    directors = list(users_with_role(Role.DIRECTOR))
    for case in cases:
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("handler").get(pk=case.pk)
            if case.last_reminded_on == today or case.due_date is None:
                continue
            overdue_by = working_days_between(case.due_date, today)
            link = f"/admin/cases/case/{case.pk}/change/"
            if overdue_by > 0:
                subject = _("案件 %(number)s 已逾期 %(days)s 个工作日") % {"number": case.number, "days": overdue_by}
            else:
                subject = _("案件 %(number)s 将于 %(due)s 到期") % {"number": case.number, "due": case.due_date}
            recipients = [case.handler] if case.handler else list(users_with_role(Role.STAFF))
            notify(recipients, subject=subject, body=case.applicant_name, link=link)
            sent["handler"] += 1
            if overdue_by > config.escalate_overdue_days:
                notify(
                    [d for d in directors if d not in recipients],
                    subject=subject,
                    body=_("承办人：%(name)s") % {"name": case.handler.full_name if case.handler else _("未指定")},
                    link=link,
                )
                sent["director"] += 1
            Case.objects.filter(pk=case.pk).update(last_reminded_on=today)
    late = (
        LetterRecipient.objects.filter(letter__status=L.SIGNED, answered_at__isnull=True, due_date__lt=today)
        .exclude(last_reminded_on=today)
        .select_related("letter__case__handler", "agency")
    )
    for recipient in late:
        with transaction.atomic():
            updated = (
                LetterRecipient.objects.filter(pk=recipient.pk)
                .exclude(last_reminded_on=today)
                .update(last_reminded_on=today)
            )
            if not updated:
                continue
            case = recipient.letter.case
            subject = _("%(agency)s 逾期未回复协助办理函 %(number)s") % {
                "agency": recipient.agency.short_name,
                "number": recipient.letter.number,
            }
            notify(
                [case.handler] if case.handler else list(users_with_role(Role.STAFF)),
                subject=subject,
                body=case.number,
                link=f"/admin/cases/case/{case.pk}/change/",
            )
            agency_users = User.objects.filter(agency_id=recipient.agency_id, groups__name=Role.AGENCY, is_active=True)
            notify(
                agency_users,
                subject=_("请尽快回复协助办理函 %(number)s") % {"number": recipient.letter.number},
                body=recipient.letter.subject,
                link=f"/cases/agency/letters/{recipient.letter_id}/",
            )
            sent["agency"] += 1
    return sent
