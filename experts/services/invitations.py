"""Matching the pool to a case and inviting experts: invitation, acceptance, refusal, expiry,
withdrawal and reminders."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from experts.models import Availability, Expert, ExpertAssignment, ExpertInvitation, MatchingRun
from experts.permissions import (
    can_accept_invitation,
    can_decline_invitation,
    can_invite,
    can_match,
    can_withdraw_invitation,
)
from experts.selectors import expert_load, rank_experts
from experts.services.common import (
    CapacityExceeded,
    expert_data,
    log,
    require_no_conflict,
    require_open_case,
    suggest_next,
)
from portal.access import require
from portal.models import User
from portal.notifications import notify, notify_staff
from portal.transitions import TransitionNotAllowed, transition

STAFF_ONLY = gettext_lazy("只有中心工作人员可以匹配和邀请专家。")
ONLY_INVITED = gettext_lazy("只有受邀专家本人可以答复此邀请。")


def matching_run(*, case: Case, by: User) -> MatchingRun:
    """Rank the pool for a case and record the ranking exactly as shown."""
    require(can_match(by, case), STAFF_ONLY)
    ranking, excluded = rank_experts(case)
    with transaction.atomic():
        run = MatchingRun.objects.create(case=case, run_by=by, ranking=ranking, excluded=excluded)
        log(run, "experts.matching.run", by=by, case=case, note=_("推荐 %(n)d 名专家") % {"n": len(ranking)})
    return run


def expert_invite(
    *,
    case: Case,
    expert: Expert,
    by: User,
    deadline: datetime.datetime,
    matching: MatchingRun | None = None,
    message: str = "",
) -> ExpertInvitation:
    """Invite one expert to a case. Locks the expert row so that two staff taking the expert's
    last free slot at the same time cannot both succeed; refuses an expert with a conflict."""
    require(can_invite(by, case), STAFF_ONLY)
    if deadline <= timezone.now():
        raise ValidationError(_("答复期限必须晚于现在。"), code="deadline")
    require_open_case(case)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if not expert.active or expert.availability == Availability.UNAVAILABLE:
            raise ValidationError(
                _("%(name)s已退出专家库或暂不可承接，不能邀请。") % {"name": expert.name}, code="inactive"
            )
        require_no_conflict(expert, case)
        if (
            ExpertInvitation.objects.filter(
                case=case, expert=expert, status__in=[ExpertInvitation.Status.PENDING, ExpertInvitation.Status.ACCEPTED]
            ).exists()
            or ExpertAssignment.objects.filter(case=case, expert=expert).exists()
        ):
            raise ValidationError(_("%(name)s已被邀请或指派本案。") % {"name": expert.name}, code="duplicate")
        load = expert_load(expert)
        if load >= expert.max_concurrent_cases:
            raise CapacityExceeded(
                _("%(name)s已没有空余名额（同时承办 %(load)d/%(max)d 件），可能刚被其他工作人员邀请。请选择其他专家。")
                % {"name": expert.name, "load": load, "max": expert.max_concurrent_cases},
                code="capacity",
            )
        rank = None
        if matching is not None:
            matching = MatchingRun.objects.select_for_update().get(pk=matching.pk)
            rank = matching.rank_of(expert.pk)
            matching.chosen = [
                *matching.chosen,
                {
                    "expert_id": expert.pk,
                    "name": expert.name,
                    "rank": rank,
                    "by": by.pk,
                    "at": timezone.now().isoformat(),
                },
            ]
            matching.save(update_fields=["chosen"])
        invitation = ExpertInvitation.objects.create(
            case=case,
            expert=expert,
            matching=matching,
            rank_shown=rank,
            deadline=deadline,
            message=message,
            invited_by=by,
        )
        log(
            invitation,
            "experts.invitation.sent",
            by=by,
            case=case,
            expert=expert,
            to_status=invitation.status,
            note=_("匹配排名第 %(rank)s 位") % {"rank": rank} if rank else "",
        )
        if expert.user_id:
            notify(
                [expert.user],
                subject=_("案件咨询邀请"),
                body=_("指导中心邀请您为案件 %(case)s 提供专家意见，请于 %(deadline)s 前答复。")
                % {"case": case.number, "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
                link=reverse("experts:workspace"),
            )
    return invitation


def invitation_accept(*, invitation: ExpertInvitation, by: User) -> ExpertAssignment:
    """The invited expert accepts: an assignment is opened, awaiting the declaration of no conflict.
    Nobody else may accept for an expert who has a portal login."""
    require(can_accept_invitation(by, invitation), ONLY_INVITED)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=invitation.expert_id)
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status == ExpertInvitation.Status.PENDING and invitation.deadline < timezone.now():
            raise TransitionNotAllowed(_("答复期限已过，不能再接受邀请。"), code="expired")
        invitation.responded_at = timezone.now()
        transition(
            invitation,
            ExpertInvitation.Status.ACCEPTED,
            by=by,
            permission=can_accept_invitation,
            denied_message=ONLY_INVITED,
            action="experts.invitation.accepted",
            scope=invitation.case,
            data=expert_data(expert),
            update_fields=("responded_at",),
        )
        # Already seated at the case's seminar meanwhile: that assignment is the one accepted.
        assignment = (
            ExpertAssignment.objects.select_for_update()
            .filter(case=invitation.case, expert=expert, invitation__isnull=True)
            .exclude(status__in=[ExpertAssignment.Status.WITHDRAWN, ExpertAssignment.Status.CONFLICT])
            .first()
        )
        if assignment is not None:
            assignment.invitation = invitation
            assignment.save(update_fields=["invitation"])
        else:
            assignment = ExpertAssignment.objects.create(
                case=invitation.case, expert=expert, invitation=invitation, assigned_by=invitation.invited_by
            )
        notify_staff(
            subject=_("专家已接受邀请"),
            body=_("%(name)s已接受案件 %(case)s 的邀请。") % {"name": expert.name, "case": invitation.case.number},
            link=reverse("experts:case_panel", args=[invitation.case_id]),
        )
    return assignment


def invitation_decline(*, invitation: ExpertInvitation, by: User, reason: str) -> Expert | None:
    """The invited expert declines, with a reason; staff are told who is next in the ranking
    (returned)."""
    require(can_decline_invitation(by, invitation), ONLY_INVITED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写谢绝理由。"), code="reason")
    with transaction.atomic():
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        invitation.responded_at = timezone.now()
        invitation.decline_reason = reason
        transition(
            invitation,
            ExpertInvitation.Status.DECLINED,
            by=by,
            permission=can_decline_invitation,
            denied_message=ONLY_INVITED,
            action="experts.invitation.declined",
            scope=invitation.case,
            note=reason,
            data=expert_data(invitation.expert),
            update_fields=("responded_at", "decline_reason"),
        )
        suggestion = suggest_next(invitation, why=_("谢绝邀请"))
    return suggestion


def invitation_expire(*, invitation: ExpertInvitation, by: User | None = None) -> ExpertInvitation | None:
    """No answer by the deadline (run by the periodic task, as the system)."""
    with transaction.atomic():
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != ExpertInvitation.Status.PENDING or invitation.deadline > timezone.now():
            return None  # answered meanwhile, or not due: nothing to do (idempotent)
        transition(
            invitation,
            ExpertInvitation.Status.EXPIRED,
            by=by,
            permission=can_withdraw_invitation,
            action="experts.invitation.expired",
            scope=invitation.case,
            data=expert_data(invitation.expert),
        )
        suggest_next(invitation, why=_("逾期未答复"))
    return invitation


def invitation_withdraw(*, invitation: ExpertInvitation, by: User, note: str = "") -> ExpertInvitation:
    require(can_withdraw_invitation(by, invitation), _("只有中心工作人员可以撤回邀请。"))
    with transaction.atomic():
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        return transition(
            invitation,
            ExpertInvitation.Status.WITHDRAWN,
            by=by,
            permission=can_withdraw_invitation,
            action="experts.invitation.withdrawn",
            scope=invitation.case,
            note=note,
            data=expert_data(invitation.expert),
        )


def invitation_remind(*, invitation: ExpertInvitation, now: datetime.datetime | None = None) -> bool:
    """Remind the expert of a pending invitation, at most once a day (safe to run twice); the
    periodic task runs it as the system."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            ExpertInvitation.objects.select_for_update(of=("self",))
            .select_related("expert__user", "case")
            .get(pk=invitation.pk)
        )
        if invitation.status != ExpertInvitation.Status.PENDING:
            return False
        if invitation.last_reminded_at and now - invitation.last_reminded_at < datetime.timedelta(hours=20):
            return False
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now
        invitation.save(update_fields=["reminders_sent", "last_reminded_at"])
        if invitation.expert.user_id:
            notify(
                [invitation.expert.user],
                subject=_("提醒：请答复案件咨询邀请"),
                body=_("案件 %(case)s 的邀请将于 %(deadline)s 到期，请尽快接受或谢绝。")
                % {
                    "case": invitation.case.number,
                    "deadline": timezone.localtime(invitation.deadline).strftime("%Y-%m-%d %H:%M"),
                },
                link=reverse("experts:workspace"),
            )
        log(invitation, "experts.invitation.reminded", by=None, case=invitation.case, expert=invitation.expert)
    return True
