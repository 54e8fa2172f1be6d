"""Extension requests of the agencies answering a letter."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    ExtensionRequest,
)
from cases.services._common import _event, _require_center
from cases.services.letters import _lock_recipient, _require_agency_user
from portal.models import User
from portal.notifications import notify, users_with_role
from portal.roles import Role
from portal.transitions import TransitionNotAllowed


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
