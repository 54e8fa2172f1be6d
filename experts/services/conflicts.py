"""The declaration of (no) conflict of interest an expert makes before seeing a case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experts.models import ExpertAssignment
from experts.permissions import can_declare
from experts.services.common import expert_data, suggest_next
from portal.access import require
from portal.models import User
from portal.notifications import notify_staff
from portal.transitions import transition

ONLY_ASSIGNED = gettext_lazy("只有被指派的专家本人可以作出利益冲突声明。")


def assignment_declare(
    *, assignment: ExpertAssignment, by: User, no_conflict: bool, statement: str = ""
) -> ExpertAssignment:
    """The expert declares no conflict (and may then see the case) or declares a conflict (and
    leaves the case; staff are told who is next in the ranking)."""
    require(can_declare(by, assignment), ONLY_ASSIGNED)
    reason = (statement or "").strip()
    if not no_conflict and not reason:
        raise ValidationError(_("请说明利益冲突的情况。"), code="reason")
    with transaction.atomic():
        now = timezone.now()
        assignment = (
            ExpertAssignment.objects.select_for_update(of=("self",))
            .select_related("case", "expert")
            .get(pk=assignment.pk)
        )
        assignment.declared_at = now
        common = {
            "by": by,
            "permission": can_declare,
            "denied_message": ONLY_ASSIGNED,
            "scope": assignment.case,
            "data": expert_data(assignment.expert),
        }
        if no_conflict:
            assignment.declaration = statement or _(
                "本人声明：与本案申请人及纠纷对方不存在任何利益冲突，并对案件信息保密。"
            )
            return transition(
                assignment,
                ExpertAssignment.Status.ACTIVE,
                action="experts.assignment.declared_no_conflict",
                update_fields=("declared_at", "declaration"),
                **common,
            )
        assignment.conflict_reason = reason
        assignment.finished_at = now
        transition(
            assignment,
            ExpertAssignment.Status.CONFLICT,
            action="experts.assignment.declared_conflict",
            note=reason,
            update_fields=("declared_at", "conflict_reason", "finished_at"),
            **common,
        )
        if assignment.invitation_id:
            suggest_next(assignment.invitation, why=_("声明存在利益冲突"))
        else:
            notify_staff(
                subject=_("专家声明存在利益冲突"),
                body=_("%(name)s声明与案件 %(case)s 存在利益冲突，已退出。")
                % {"name": assignment.expert.name, "case": assignment.case.number},
            )
    return assignment
