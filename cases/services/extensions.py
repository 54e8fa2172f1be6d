"""Extension requests of the agencies answering a letter."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import ExtensionRequest, LetterRecipient
from cases.permissions import can_decide_extension
from cases.services._common import CENTER_ONLY, E
from cases.services.letters import _lock_recipient, _require_recipient
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify, users_with_role
from portal.roles import Role
from portal.transitions import TransitionNotAllowed, transition


def extension_request(*, recipient: LetterRecipient, by: User, requested_until, reason: str) -> ExtensionRequest:
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
        _require_recipient(recipient, by)
        if recipient.answered_at is not None:
            raise TransitionNotAllowed(_("贵单位已回函，无需延期。"), code="answered")
        if recipient.extensions.filter(status=E.PENDING).exists():
            raise TransitionNotAllowed(_("已有待审核的延期申请。"), code="pending")
        extension = ExtensionRequest.objects.create(
            recipient=recipient, requested_by=by, requested_until=requested_until, reason=reason.strip()
        )
        case = recipient.letter.case
        log_action(
            extension,
            "cases.extension.requested",
            by=by,
            scope=case,
            to_status=E.PENDING,
            note=_("%(agency)s 申请延期至 %(until)s：%(reason)s")
            % {"agency": recipient.agency, "until": requested_until, "reason": reason.strip()},
            data={"recipient": recipient.pk, "until": requested_until},
        )
        notify(
            [case.handler] if case.handler else users_with_role(Role.STAFF),
            subject=_("%(agency)s 申请延期回函") % {"agency": recipient.agency},
            body=reason.strip(),
            link=f"/admin/cases/assistanceletter/{recipient.letter_id}/change/",
        )
    return extension


def extension_decide(*, extension: ExtensionRequest, grant: bool, by: User, note: str = "") -> ExtensionRequest:
    """Staff grant (the deadline moves) or refuse an extension request."""
    require(can_decide_extension(by, extension), CENTER_ONLY)
    with transaction.atomic():
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        recipient = _lock_recipient(extension.recipient)
        extension.decided_by = by
        extension.decided_at = timezone.now()
        extension.decision_note = note[:500]
        extension = transition(
            extension,
            E.GRANTED if grant else E.REFUSED,
            by=by,
            action="cases.extension.granted" if grant else "cases.extension.refused",
            permission=can_decide_extension,
            denied_message=CENTER_ONLY,
            note=_("%(decision)s %(agency)s 的延期申请（至 %(until)s）%(note)s")
            % {
                "decision": _("同意") if grant else _("不同意"),
                "agency": recipient.agency,
                "until": extension.requested_until,
                "note": f"：{note}" if note else "",
            },
            scope=recipient.letter.case,
            data={"recipient": recipient.pk, "until": extension.requested_until},
            update_fields=("decided_by", "decided_at", "decision_note"),
        )
        if grant:
            recipient.due_date = extension.requested_until
            recipient.save(update_fields=["due_date"])
        agency_users = User.objects.filter(agency_id=recipient.agency_id, groups__name=Role.AGENCY, is_active=True)
        notify(
            agency_users,
            subject=_("延期申请%(decision)s") % {"decision": _("已同意") if grant else _("未获同意")},
            body=note or "",
            link=f"/cases/agency/letters/{recipient.letter_id}/",
        )
    return extension
