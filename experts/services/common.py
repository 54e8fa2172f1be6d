"""What the expert services share: their refusals, the audit entry they write, the upload limits,
and the checks on the case an expert is asked to work on."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import Case
from experts.conflicts import conflicts_for_case
from experts.models import ExpertAssignment
from experts.selectors import next_ranked_expert
from portal.audit import log_action
from portal.notifications import notify_staff
from portal.transitions import TransitionNotAllowed
from portal.uploads import check_uploads

OPINION_MAX_FILES = 5
OPINION_MAX_BYTES = 20 * 1024 * 1024


class CapacityExceeded(ValidationError):
    """The expert has no free slot left."""


class ConflictOfInterest(ValidationError):
    """The expert has a conflict with the case's parties."""


def expert_data(expert, **extra):
    """The audit entry's data: which expert it concerns (so an expert's whole history is one query)."""
    data = {"expert": expert.pk} if expert is not None else {}
    data.update({key: value for key, value in extra.items() if value not in (None, "")})
    return data


def log(obj, action, *, by, case=None, expert=None, note="", public_note="", data=None, **status):
    """One audit entry of the expert workflow, scoped to the case it belongs to."""
    return log_action(
        obj,
        action,
        by=by,
        scope=case,
        note=note,
        public_note=public_note,
        data=expert_data(expert, **(data or {})),
        **status,
    )


def check_files(files):
    """Opinion attachments and seminar materials, checked by content and size (portal.uploads)."""
    return check_uploads(
        files, max_count=OPINION_MAX_FILES, max_file=OPINION_MAX_BYTES, max_total=OPINION_MAX_FILES * OPINION_MAX_BYTES
    )


def require_open_case(case):
    if case.status in {Case.Status.CLOSED, Case.Status.TERMINATED}:
        raise TransitionNotAllowed(
            _("案件 %(case)s %(status)s，不能再邀请专家。")
            % {"case": case.number, "status": case.get_status_display()},
            code="case_closed",
        )


def declared_conflict(expert, case):
    return ExpertAssignment.objects.filter(case=case, expert=expert, status=ExpertAssignment.Status.CONFLICT).exists()


def require_no_conflict(expert, case, *, declared=False):
    """Refuse an expert whose registered parties match the case's (and, with `declared`, one who
    declared a conflict on it)."""
    if declared and declared_conflict(expert, case):
        raise ConflictOfInterest(
            _("不能邀请%(name)s：其已声明与本案存在利益冲突。") % {"name": expert.name}, code="conflict"
        )
    conflicts = conflicts_for_case(expert, case)
    if conflicts:
        raise ConflictOfInterest(
            _("不能邀请%(name)s：%(reasons)s。")
            % {"name": expert.name, "reasons": "；".join(str(c) for c in conflicts)},
            code="conflict",
        )


def suggest_next(invitation, *, why):
    """Tell staff an expert dropped out and who is next in the ranking; returns that expert."""
    suggestion = next_ranked_expert(invitation)
    if suggestion is not None:
        text = _("建议邀请下一位：%(name)s（%(org)s）。") % {"name": suggestion.name, "org": suggestion.organisation}
    else:
        text = _("匹配名单中已无其他可邀请的专家，请重新匹配。")
    notify_staff(
        subject=_("案件 %(case)s：专家%(why)s") % {"case": invitation.case.number, "why": why},
        body=_("%(name)s%(why)s。%(next)s") % {"name": invitation.expert.name, "why": why, "next": text},
        link=reverse("experts:case_panel", args=[invitation.case_id]),
    )
    return suggestion
