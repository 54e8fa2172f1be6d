"""Assistance letters: draft, edit, submit, return, withdraw, sign; the agencies'
acknowledgement and answer. Every step of a letter is a declared transition
(AssistanceLetter.TRANSITIONS) with its audit entry on the letter, scoped to the case."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import OPEN_STATUSES, AnswerAttachment, AssistanceLetter, Case, LetterRecipient
from cases.permissions import can_act_for_recipient, can_edit_letter, can_handle_case, can_sign_letter
from cases.services._common import CENTER_ONLY, L, S, lock_case
from cases.services.case import case_summary, case_transition
from cases.signals import letter_answered
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, check_can_issue_signed, document_request, signer_title_for
from portal.access import require
from portal.audit import log_action
from portal.models import SiteConfiguration, User
from portal.notifications import notify, notify_signers, users_with_role
from portal.roles import Role
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition, transition
from portal.uploads import check_uploads
from portal.workdays import add_working_days

SIGNERS_ONLY = _("只有中心主任或副主任可以签发或退回协助办理函。")
RECIPIENT_ONLY = _("只有主送单位的联络人可以办理该函件。")


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


def _lock_letter(letter):
    return (
        AssistanceLetter.objects.select_for_update(of=("self",)).select_related("case__application").get(pk=letter.pk)
    )


def letter_draft(
    *,
    case: Case,
    subject: str,
    body: str,
    agencies,
    by: User,
    help_kinds=(),
    due_date=None,
    share_contact: bool = False,
) -> AssistanceLetter:
    """Staff draft an assistance letter to one or more partner agencies."""
    require(can_handle_case(by, case), CENTER_ONLY)
    _clean_letter(subject, body, agencies)
    with transaction.atomic():
        case = lock_case(case)
        if case.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(
                _("案件当前状态为“%(status)s”，不能再起草协助办理函。") % {"status": case.get_status_display()},
                code="closed",
            )
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
        log_action(
            letter,
            "cases.letter.drafted",
            by=by,
            scope=case,
            to_status=L.DRAFT,
            note=_("起草协助办理函：%(subject)s") % {"subject": letter.subject},
            data={"agencies": [agency.pk for agency in agencies]},
        )
    return letter


def letter_update(
    *,
    letter: AssistanceLetter,
    subject: str,
    body: str,
    agencies,
    by: User,
    help_kinds=(),
    due_date=None,
    share_contact: bool = False,
    seen_revision=None,
) -> AssistanceLetter:
    """Edit a letter still in draft."""
    require(can_edit_letter(by, letter), CENTER_ONLY)
    _clean_letter(subject, body, agencies)
    with transaction.atomic():
        letter = _lock_letter(letter)
        check_fresh(letter, seen_revision)
        if letter.status != L.DRAFT:
            raise TransitionNotAllowed(
                _("函件当前状态为“%(status)s”，只有草稿状态的函件可以修改。") % {"status": letter.get_status_display()},
                code="frozen",
            )
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
        log_action(
            letter,
            "cases.letter.edited",
            by=by,
            scope=letter.case,
            note=_("修改协助办理函：%(subject)s") % {"subject": letter.subject},
            data={"agencies": sorted(wanted)},
        )
    return letter


def letter_submit(*, letter: AssistanceLetter, by: User, seen_revision=None) -> AssistanceLetter:
    """Send a draft to the director and deputies for signature (提交签发)."""
    with transaction.atomic():
        letter = transition(
            _lock_letter(letter),
            L.AWAITING_SIGNATURE,
            by=by,
            action="cases.letter.submitted",
            permission=can_edit_letter,
            denied_message=CENTER_ONLY,
            note=_("协助办理函“%(subject)s”提交签发") % {"subject": letter.subject},
            scope=letter.case,
            seen_revision=seen_revision,
        )
        notify_signers(
            subject=_("待签发：协助办理函“%(subject)s”") % {"subject": letter.subject},
            body=_("案件 %(number)s 的协助办理函等待您签发。") % {"number": letter.case.number},
            link=f"/admin/cases/assistanceletter/{letter.pk}/change/",
        )
    return letter


def letter_return(*, letter: AssistanceLetter, by: User, reason: str = "", seen_revision=None) -> AssistanceLetter:
    """The signer sends a letter back to draft for changes."""
    require(can_sign_letter(by, letter), SIGNERS_ONLY)
    with transaction.atomic():
        letter = transition(
            _lock_letter(letter),
            L.DRAFT,
            by=by,
            action="cases.letter.returned",
            permission=can_sign_letter,
            denied_message=SIGNERS_ONLY,
            note=_("协助办理函“%(subject)s”退回修改：%(reason)s") % {"subject": letter.subject, "reason": reason},
            scope=letter.case,
            seen_revision=seen_revision,
        )
        notify(
            [letter.drafted_by],
            subject=_("协助办理函被退回修改"),
            body=reason,
            link=f"/admin/cases/assistanceletter/{letter.pk}/change/",
        )
    return letter


def letter_withdraw(*, letter: AssistanceLetter, by: User, seen_revision=None) -> AssistanceLetter:
    """Withdraw a letter that was never signed."""
    with transaction.atomic():
        return transition(
            _lock_letter(letter),
            L.WITHDRAWN,
            by=by,
            action="cases.letter.withdrawn",
            permission=can_edit_letter,
            denied_message=CENTER_ONLY,
            note=_("撤回协助办理函“%(subject)s”") % {"subject": letter.subject},
            scope=letter.case,
            seen_revision=seen_revision,
        )


def letter_context(letter: AssistanceLetter, *, number: str, signed_on: datetime.date, signer: User) -> dict:
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


def letter_sign(*, letter: AssistanceLetter, by: User, seen_revision=None) -> AssistanceLetter:
    """签发: only the director or a deputy director. Freezes the text, gives the number,
    queues the PDF and tells every addressed agency."""
    require(can_sign_letter(by, letter), SIGNERS_ONLY)
    check_can_issue_signed(by)
    with transaction.atomic():
        letter = _lock_letter(letter)
        check_fresh(letter, seen_revision)
        # Refuse before a number is taken.
        check_transition(AssistanceLetter.TRANSITIONS, letter.status, L.SIGNED, labels=dict(L.choices))
        now = timezone.now()
        today = timezone.localdate(now)
        config = SiteConfiguration.get()
        if letter.due_date is None or letter.due_date <= today:
            letter.due_date = add_working_days(today, config.agency_answer_days)
        letter.number = allocate_number(Document.Kind.ASSISTANCE_LETTER)
        letter.signed_by = by
        letter.signed_at = now
        letter = transition(
            letter,
            L.SIGNED,
            by=by,
            action="cases.letter.signed",
            permission=can_sign_letter,
            denied_message=SIGNERS_ONLY,
            note=_("签发协助办理函 %(number)s") % {"number": letter.number},
            scope=letter.case,
            data={"number": letter.number},
            update_fields=("number", "signed_by", "signed_at", "due_date"),
        )
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
        case = lock_case(letter.case)
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
    return (
        LetterRecipient.objects.select_for_update(of=("self",))
        .select_related("letter__case", "agency")
        .get(pk=recipient.pk)
    )


def _require_recipient(recipient, by):
    """The addressed agency's liaison acts on a letter that was signed and sent to it."""
    require(can_act_for_recipient(by, recipient), RECIPIENT_ONLY)
    if recipient.letter.status not in {L.SIGNED, L.SETTLED}:
        raise TransitionNotAllowed(
            _("该函件当前状态为“%(status)s”，尚未签发。") % {"status": recipient.letter.get_status_display()},
            code="unsigned",
        )


def recipient_acknowledge(*, recipient: LetterRecipient, by: User) -> LetterRecipient:
    """签收: the agency confirms receipt (who and when). A second click changes nothing."""
    with transaction.atomic():
        recipient = _lock_recipient(recipient)
        _require_recipient(recipient, by)
        if recipient.acknowledged_at is not None:
            return recipient
        recipient.acknowledged_at = timezone.now()
        recipient.acknowledged_by = by
        recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
        log_action(
            recipient,
            "cases.recipient.acknowledged",
            by=by,
            scope=recipient.letter.case,
            note=_("%(agency)s 签收协助办理函 %(number)s")
            % {"agency": recipient.agency, "number": recipient.letter.number},
        )
    return recipient


ANSWER_MAX_FILES = 10
ANSWER_MAX_FILE_BYTES = 20 * 1024 * 1024


def check_answer_files(files) -> list:
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


def recipient_answer(
    *,
    recipient: LetterRecipient,
    by: User,
    answer: str,
    information_found: str = "",
    files=(),
    nominations=(),
) -> LetterRecipient:
    """回函: the agency's answer with attachments and nominated experts (recorded by the expert
    pool through the `letter_answered` signal). The letter is settled once every addressed
    agency has answered."""
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写回函内容。")})
    checked_files = check_answer_files(files)
    with transaction.atomic():
        recipient = _lock_recipient(recipient)
        _require_recipient(recipient, by)
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
        nominations = [dict(n) for n in nominations if n.get("name")]
        letter_answered.send(sender=LetterRecipient, recipient=recipient, by=by, nominations=nominations)
        log_action(
            recipient,
            "cases.recipient.answered",
            by=by,
            scope=case,
            note=_("%(agency)s 回复协助办理函 %(number)s") % {"agency": recipient.agency, "number": letter.number},
            data={"attachments": len(checked_files), "nominations": len(nominations)},
        )
        letter = _lock_letter(letter)
        if letter.status == L.SIGNED and not letter.recipients.filter(answered_at__isnull=True).exists():
            letter.settled_at = now
            # The last answer settles the letter, whoever gave it: no permission of its own.
            transition(
                letter,
                L.SETTLED,
                by=by,
                action="cases.letter.settled",
                note=_("协助办理函 %(number)s 各单位均已回函，已办结") % {"number": letter.number},
                scope=case,
                update_fields=("settled_at",),
            )
        notify(
            [case.handler] if case.handler else users_with_role(Role.STAFF),
            subject=_("%(agency)s 已回函：%(number)s") % {"agency": recipient.agency, "number": letter.number},
            body=answer.strip()[:300],
            link=f"/admin/cases/case/{case.pk}/change/",
        )
    return recipient
