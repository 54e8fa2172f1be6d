"""What the case services share: the transition maps, the applicant's status texts, the
deadline of the current stage and the helpers every module uses."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.models import (
    OPEN_STATUSES,
    AssistanceLetter,
    Case,
    CaseEvent,
    UpwardReport,
)
from portal.roles import is_center_member

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


# Stages in which the opinion deadline runs, and so can be paused for the applicant.
PAUSABLE = {S.ACCEPTED, *OPINION_STAGE}
