"""What the case services share: the applicant's status texts, the deadline of the current
stage and the helpers every module uses. The transition maps live on the models
(`Case.TRANSITIONS`, ...); the names below stay for the callers that read them."""

from django.utils.translation import gettext_lazy as _

from cases.models import OPEN_STATUSES, AssistanceLetter, Case, ExtensionRequest, UpwardReport

S = Case.Status
L = AssistanceLetter.Status
R = UpwardReport.Status
E = ExtensionRequest.Status

CASE_TRANSITIONS = Case.TRANSITIONS
LETTER_TRANSITIONS = AssistanceLetter.TRANSITIONS
REPORT_TRANSITIONS = UpwardReport.TRANSITIONS

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

# Stages in which the opinion deadline runs, and so can be paused for the applicant.
PAUSABLE = {S.ACCEPTED, *OPINION_STAGE}

CENTER_ONLY = _("只有指导中心工作人员可以办理案件。")


def lock_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("application").get(pk=case.pk)


def current_due(case: Case, status: str | None = None):
    """The deadline of the stage the case is in (or would be in at `status`); none while it
    waits for the applicant or once the opinion is out."""
    status = status or case.status
    if status not in OPEN_STATUSES or case.input_requested_at is not None:
        return None
    if case.first_contacted_at is None and status in {S.ACCEPTED, *OPINION_STAGE}:
        return case.first_contact_due
    if status in OPINION_STAGE:
        return case.opinion_due
    return None


def search_text(case: Case, application) -> str:
    parts = [
        case.number,
        application.number or "",
        case.applicant_name,
        case.credit_code,
        application.request or "",
        application.opponent_name or "",
    ]
    return "\n".join(parts).upper()
