"""An expert's work on a case once assigned: the opinion, and what staff do about the assignment
(release the applicant's contact details, withdraw it, rate the work)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experts.models import ExpertAssignment, ExpertOpinion, OpinionAttachment
from experts.permissions import can_manage_assignment, can_submit_opinion
from experts.services.common import check_files, expert_data, log
from portal.access import require
from portal.models import User
from portal.notifications import notify, notify_staff
from portal.transitions import transition

STAFF_ONLY = gettext_lazy("只有中心工作人员可以办理专家指派。")
ONLY_ASSIGNED = gettext_lazy("只有被指派的专家本人可以提交专家意见。")


def _lock(assignment):
    return (
        ExpertAssignment.objects.select_for_update(of=("self",)).select_related("case", "expert").get(pk=assignment.pk)
    )


def assignment_release_contact(*, assignment: ExpertAssignment, by: User) -> ExpertAssignment:
    """Staff let the expert see the applicant's contact person and details (once)."""
    require(can_manage_assignment(by, assignment), STAFF_ONLY)
    with transaction.atomic():
        assignment = _lock(assignment)
        if not assignment.contact_released:
            assignment.contact_released = True
            assignment.save(update_fields=["contact_released"])
            log(
                assignment,
                "experts.assignment.contact_released",
                by=by,
                case=assignment.case,
                expert=assignment.expert,
            )
    return assignment


def assignment_withdraw(*, assignment: ExpertAssignment, by: User, note: str = "") -> ExpertAssignment:
    require(can_manage_assignment(by, assignment), STAFF_ONLY)
    with transaction.atomic():
        assignment = _lock(assignment)
        assignment.finished_at = timezone.now()
        return transition(
            assignment,
            ExpertAssignment.Status.WITHDRAWN,
            by=by,
            permission=can_manage_assignment,
            denied_message=STAFF_ONLY,
            action="experts.assignment.withdrawn",
            scope=assignment.case,
            note=note,
            data=expert_data(assignment.expert),
            update_fields=("finished_at",),
        )


def assignment_rate(*, assignment: ExpertAssignment, by: User, rating: int) -> ExpertAssignment:
    require(can_manage_assignment(by, assignment), STAFF_ONLY)
    if int(rating) not in range(1, 6):
        raise ValidationError(_("评分应为 1 至 5 分。"), code="rating")
    with transaction.atomic():
        assignment = _lock(assignment)
        assignment.staff_rating = int(rating)
        assignment.save(update_fields=["staff_rating"])
        log(
            assignment,
            "experts.assignment.rated",
            by=by,
            case=assignment.case,
            expert=assignment.expert,
            note=str(rating),
        )
    return assignment


def opinion_submit(
    *,
    assignment: ExpertAssignment,
    by: User,
    analysis: str,
    recommendations: str,
    risks: str = "",
    references: str = "",
    files=(),
) -> ExpertOpinion:
    """The assigned expert submits a structured opinion on the case (once)."""
    require(can_submit_opinion(by, assignment), ONLY_ASSIGNED)
    files = check_files(files)
    if not (analysis or "").strip() or not (recommendations or "").strip():
        raise ValidationError(_("案情分析和应对建议必须填写。"), code="required")
    with transaction.atomic():
        now = timezone.now()
        assignment = _lock(assignment)
        assignment.finished_at = now
        transition(
            assignment,
            ExpertAssignment.Status.OPINION_SUBMITTED,
            by=by,
            permission=can_submit_opinion,
            denied_message=ONLY_ASSIGNED,
            action="experts.assignment.opinion_submitted",
            scope=assignment.case,
            data=expert_data(assignment.expert),
            update_fields=("finished_at",),
        )
        opinion = ExpertOpinion.objects.create(
            assignment=assignment,
            case=assignment.case,
            expert=assignment.expert,
            analysis=analysis.strip(),
            recommendations=recommendations.strip(),
            risks=(risks or "").strip(),
            references=(references or "").strip(),
            submitted_at=now,
        )
        for upload, checked in files:
            OpinionAttachment.objects.create(
                opinion=opinion,
                file=upload,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
            )
        recipients = [assignment.case.handler] if assignment.case.handler_id else []
        body = _("%(name)s已提交案件 %(case)s 的专家意见。") % {
            "name": assignment.expert.name,
            "case": assignment.case.number,
        }
        link = reverse("experts:case_panel", args=[assignment.case_id])
        if recipients:
            notify(recipients, subject=_("收到专家意见"), body=body, link=link)
        else:
            notify_staff(subject=_("收到专家意见"), body=body, link=link)
    return opinion
