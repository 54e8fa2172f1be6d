"""State changes of the expert workflow. Each function runs in a transaction, locks the row it
changes, checks the transition against one map kept here, saves with update_fields and writes
an ExpertEvent."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from experts.conflicts import conflicts_for_case
from experts.models import (
    Availability,
    Expert,
    ExpertAssignment,
    ExpertEvent,
    ExpertInvitation,
    ExpertNomination,
    ExpertOpinion,
    MatchingRun,
    OpinionAttachment,
    Seminar,
    SeminarInvitee,
    SeminarMaterial,
    Unavailability,
)
from experts.permissions import can_manage_unavailability
from experts.selectors import expert_load, next_ranked_expert, rank_experts
from portal.notifications import notify, notify_staff
from portal.transitions import TransitionNotAllowed, check_transition
from portal.uploads import check_uploads

NOMINATION_TRANSITIONS = {
    ExpertNomination.Status.PENDING: {ExpertNomination.Status.APPROVED, ExpertNomination.Status.DECLINED},
    ExpertNomination.Status.APPROVED: set(),
    ExpertNomination.Status.DECLINED: set(),
}

INVITATION_TRANSITIONS = {
    ExpertInvitation.Status.PENDING: {
        ExpertInvitation.Status.ACCEPTED,
        ExpertInvitation.Status.DECLINED,
        ExpertInvitation.Status.EXPIRED,
        ExpertInvitation.Status.WITHDRAWN,
    },
    ExpertInvitation.Status.ACCEPTED: set(),
    ExpertInvitation.Status.DECLINED: set(),
    ExpertInvitation.Status.EXPIRED: set(),
    ExpertInvitation.Status.WITHDRAWN: set(),
}

ASSIGNMENT_TRANSITIONS = {
    ExpertAssignment.Status.AWAITING_DECLARATION: {
        ExpertAssignment.Status.ACTIVE,
        ExpertAssignment.Status.CONFLICT,
        ExpertAssignment.Status.WITHDRAWN,
    },
    ExpertAssignment.Status.ACTIVE: {
        ExpertAssignment.Status.OPINION_SUBMITTED,
        ExpertAssignment.Status.CONFLICT,
        ExpertAssignment.Status.WITHDRAWN,
    },
    ExpertAssignment.Status.OPINION_SUBMITTED: set(),
    ExpertAssignment.Status.CONFLICT: set(),
    ExpertAssignment.Status.WITHDRAWN: set(),
}

SEMINAR_TRANSITIONS = {
    Seminar.Status.PLANNED: {Seminar.Status.CONVENED, Seminar.Status.CANCELLED},
    Seminar.Status.CONVENED: {Seminar.Status.HELD, Seminar.Status.CANCELLED},
    Seminar.Status.HELD: {Seminar.Status.CONCLUDED},
    Seminar.Status.CONCLUDED: set(),
    Seminar.Status.CANCELLED: set(),
}

OPINION_MAX_FILES = 5
OPINION_MAX_BYTES = 20 * 1024 * 1024


class CapacityExceeded(ValidationError):
    """The expert has no free slot left."""


class ConflictOfInterest(ValidationError):
    """The expert has a conflict with the case's parties."""


def _event(action, *, by, case=None, expert=None, seminar=None, from_status="", to_status="", note=""):
    ExpertEvent.objects.create(
        actor=by,
        action=action,
        case=case,
        expert=expert,
        seminar=seminar,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note,
    )


def _labels(model):
    return dict(model.Status.choices)


# --- The pool ---------------------------------------------------------------------------------


def nomination_approve(*, nomination, by, **profile):
    """Approve a partner agency's nomination into the pool: creates the Expert. `profile` may add
    expertise fields (right_types, countries…) staff filled in while reviewing."""
    with transaction.atomic():
        nomination = ExpertNomination.objects.select_for_update().get(pk=nomination.pk)
        check_transition(
            NOMINATION_TRANSITIONS,
            nomination.status,
            ExpertNomination.Status.APPROVED,
            labels=dict(ExpertNomination.Status.choices),
        )
        duplicate = Expert.objects.filter(name=nomination.name, organisation=nomination.organisation).first()
        if duplicate is not None:
            expert = duplicate
        else:
            expert = Expert.objects.create(
                name=nomination.name,
                organisation=nomination.organisation,
                title=nomination.title,
                email=nomination.email,
                phone=nomination.phone,
                bio=nomination.expertise[:2000],
                **profile,
            )
        previous = nomination.status
        nomination.status = ExpertNomination.Status.APPROVED
        nomination.expert = expert
        nomination.save(update_fields=["status", "expert"])
        _event(
            "nomination_approve",
            by=by,
            case=nomination.case,
            expert=expert,
            from_status=previous,
            to_status=nomination.status,
            note=_("由%(agency)s推荐入库") % {"agency": nomination.agency},
        )
        if nomination.nominated_by_id:
            notify(
                [nomination.nominated_by],
                subject=_("推荐的专家已入库"),
                body=_("你单位推荐的专家%(name)s已纳入专家库。") % {"name": nomination.name},
            )
    return expert


def nomination_decline(*, nomination, by, reason=""):
    with transaction.atomic():
        nomination = ExpertNomination.objects.select_for_update().get(pk=nomination.pk)
        check_transition(
            NOMINATION_TRANSITIONS,
            nomination.status,
            ExpertNomination.Status.DECLINED,
            labels=dict(ExpertNomination.Status.choices),
        )
        previous = nomination.status
        nomination.status = ExpertNomination.Status.DECLINED
        nomination.save(update_fields=["status"])
        _event(
            "nomination_decline",
            by=by,
            case=nomination.case,
            from_status=previous,
            to_status=nomination.status,
            note=reason,
        )
    return nomination


def expert_account_open(*, expert, by):
    """Give a pool expert a portal login (the 'expert' role) and e-mail a link to set a password.
    An existing user with the same e-mail address is linked instead of duplicated."""
    from django.contrib.auth.models import Group
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from portal.models import User
    from portal.roles import Role

    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if expert.user_id:
            raise ValidationError(_("%(name)s已有登录账号。") % {"name": expert.name}, code="exists")
        email = (expert.email or "").strip().lower()
        if not email:
            raise ValidationError(_("%(name)s没有电子邮箱，无法开通账号。") % {"name": expert.name}, code="email")
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and Expert.objects.filter(user=user).exists():
            raise ValidationError(_("邮箱 %(email)s 已关联其他专家。") % {"email": email}, code="taken")
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=expert.name)
        user.groups.add(Group.objects.get_or_create(name=Role.EXPERT)[0])
        expert.user = user
        expert.save(update_fields=["user"])
        _event("account_open", by=by, expert=expert, note=email)
        link = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        notify(
            [user],
            subject=_("指导专家账号已开通"),
            body=_("您已被纳入专家库，可登录门户答复邀请、提交专家意见。请通过以下链接设置密码（登录名为本邮箱）。"),
            link=link,
        )
    return user


# --- Matching and invitations -----------------------------------------------------------------


def matching_run(*, case, by):
    """Rank the pool for a case and record the ranking exactly as shown."""
    ranking, excluded = rank_experts(case)
    with transaction.atomic():
        run = MatchingRun.objects.create(case=case, run_by=by, ranking=ranking, excluded=excluded)
        _event("matching_run", by=by, case=case, note=_("推荐 %(n)d 名专家") % {"n": len(ranking)})
    return run


def expert_invite(*, case, expert, by, deadline, matching=None, message=""):
    """Invite one expert to a case. Locks the expert row so that two staff taking the expert's
    last free slot at the same time cannot both succeed; refuses an expert with a conflict."""
    if deadline <= timezone.now():
        raise ValidationError(_("答复期限必须晚于现在。"), code="deadline")
    _require_open_case(case)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if not expert.active or expert.availability == Availability.UNAVAILABLE:
            raise ValidationError(
                _("%(name)s已退出专家库或暂不可承接，不能邀请。") % {"name": expert.name}, code="inactive"
            )
        conflicts = conflicts_for_case(expert, case)
        if conflicts:
            raise ConflictOfInterest(
                _("不能邀请%(name)s：%(reasons)s。")
                % {"name": expert.name, "reasons": "；".join(str(c) for c in conflicts)},
                code="conflict",
            )
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
        _event(
            "invite",
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


def _require_open_case(case):
    from cases.models import Case

    if case.status in {Case.Status.CLOSED, Case.Status.TERMINATED}:
        raise TransitionNotAllowed(
            _("案件 %(case)s %(status)s，不能再邀请专家。")
            % {"case": case.number, "status": case.get_status_display()},
            code="case_closed",
        )


def _declared_conflict(expert, case):
    return ExpertAssignment.objects.filter(case=case, expert=expert, status=ExpertAssignment.Status.CONFLICT).exists()


def _suggest_next(invitation, *, why):
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


def invitation_accept(*, invitation, by):
    """The expert accepts: an assignment is opened, awaiting the declaration of no conflict."""
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=invitation.expert_id)
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        check_transition(
            INVITATION_TRANSITIONS,
            invitation.status,
            ExpertInvitation.Status.ACCEPTED,
            labels=_labels(ExpertInvitation),
        )
        if invitation.deadline < timezone.now():
            raise TransitionNotAllowed(_("答复期限已过，不能再接受邀请。"), code="expired")
        previous = invitation.status
        invitation.status = ExpertInvitation.Status.ACCEPTED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
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
        _event(
            "invitation_accept",
            by=by,
            case=invitation.case,
            expert=expert,
            from_status=previous,
            to_status=invitation.status,
        )
        notify_staff(
            subject=_("专家已接受邀请"),
            body=_("%(name)s已接受案件 %(case)s 的邀请。") % {"name": expert.name, "case": invitation.case.number},
            link=reverse("experts:case_panel", args=[invitation.case_id]),
        )
    return assignment


def invitation_decline(*, invitation, by, reason):
    """The expert declines, with a reason; staff are told who is next in the ranking."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写谢绝理由。"), code="reason")
    with transaction.atomic():
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        check_transition(
            INVITATION_TRANSITIONS,
            invitation.status,
            ExpertInvitation.Status.DECLINED,
            labels=_labels(ExpertInvitation),
        )
        previous = invitation.status
        invitation.status = ExpertInvitation.Status.DECLINED
        invitation.responded_at = timezone.now()
        invitation.decline_reason = reason
        invitation.save(update_fields=["status", "responded_at", "decline_reason"])
        _event(
            "invitation_decline",
            by=by,
            case=invitation.case,
            expert=invitation.expert,
            from_status=previous,
            to_status=invitation.status,
            note=reason,
        )
        suggestion = _suggest_next(invitation, why=_("谢绝邀请"))
    return suggestion


def invitation_expire(*, invitation, by=None):
    """No answer by the deadline (run by the periodic task)."""
    with transaction.atomic():
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != ExpertInvitation.Status.PENDING or invitation.deadline > timezone.now():
            return None  # answered meanwhile, or not due: nothing to do (idempotent)
        invitation.status = ExpertInvitation.Status.EXPIRED
        invitation.save(update_fields=["status"])
        _event(
            "invitation_expire",
            by=by,
            case=invitation.case,
            expert=invitation.expert,
            from_status=ExpertInvitation.Status.PENDING,
            to_status=invitation.status,
        )
        _suggest_next(invitation, why=_("逾期未答复"))
    return invitation


def invitation_withdraw(*, invitation, by, note=""):
    with transaction.atomic():
        invitation = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
        check_transition(
            INVITATION_TRANSITIONS,
            invitation.status,
            ExpertInvitation.Status.WITHDRAWN,
            labels=_labels(ExpertInvitation),
        )
        invitation.status = ExpertInvitation.Status.WITHDRAWN
        invitation.save(update_fields=["status"])
        _event(
            "invitation_withdraw",
            by=by,
            case=invitation.case,
            expert=invitation.expert,
            from_status=ExpertInvitation.Status.PENDING,
            to_status=invitation.status,
            note=note,
        )
    return invitation


def invitation_remind(*, invitation, now=None):
    """Remind the expert of a pending invitation, at most once a day (safe to run twice)."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            ExpertInvitation.objects.select_for_update(of=("self",))
            .select_related("expert__user", "case")
            .get(pk=invitation.pk)
        )
        if invitation.status != ExpertInvitation.Status.PENDING:
            return False
        if invitation.last_reminded_at and now - invitation.last_reminded_at < timezone.timedelta(hours=20):
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
        _event("invitation_remind", by=None, case=invitation.case, expert=invitation.expert)
    return True


# --- Assignments and opinions -------------------------------------------------------------------


def _assignment_move(assignment, to_status, *, by, action, note="", **changes):
    assignment = (
        ExpertAssignment.objects.select_for_update(of=("self",)).select_related("case", "expert").get(pk=assignment.pk)
    )
    check_transition(ASSIGNMENT_TRANSITIONS, assignment.status, to_status, labels=_labels(ExpertAssignment))
    previous = assignment.status
    assignment.status = to_status
    for field, value in changes.items():
        setattr(assignment, field, value)
    assignment.save(update_fields=["status", *changes])
    _event(
        action,
        by=by,
        case=assignment.case,
        expert=assignment.expert,
        from_status=previous,
        to_status=to_status,
        note=note,
    )
    return assignment


def assignment_declare(*, assignment, by, no_conflict, statement=""):
    """The expert declares no conflict (and may then see the case) or declares a conflict (and
    leaves the case)."""
    with transaction.atomic():
        now = timezone.now()
        if no_conflict:
            text = statement or _("本人声明：与本案申请人及纠纷对方不存在任何利益冲突，并对案件信息保密。")
            return _assignment_move(
                assignment,
                ExpertAssignment.Status.ACTIVE,
                by=by,
                action="declare_no_conflict",
                declared_at=now,
                declaration=text,
            )
        reason = (statement or "").strip()
        if not reason:
            raise ValidationError(_("请说明利益冲突的情况。"), code="reason")
        assignment = _assignment_move(
            assignment,
            ExpertAssignment.Status.CONFLICT,
            by=by,
            action="declare_conflict",
            note=reason,
            declared_at=now,
            conflict_reason=reason,
            finished_at=now,
        )
        if assignment.invitation_id:
            _suggest_next(assignment.invitation, why=_("声明存在利益冲突"))
        else:
            notify_staff(
                subject=_("专家声明存在利益冲突"),
                body=_("%(name)s声明与案件 %(case)s 存在利益冲突，已退出。")
                % {"name": assignment.expert.name, "case": assignment.case.number},
            )
    return assignment


def assignment_release_contact(*, assignment, by):
    with transaction.atomic():
        assignment = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        if not assignment.contact_released:
            assignment.contact_released = True
            assignment.save(update_fields=["contact_released"])
            _event("release_contact", by=by, case=assignment.case, expert=assignment.expert)
    return assignment


def assignment_withdraw(*, assignment, by, note=""):
    with transaction.atomic():
        return _assignment_move(
            assignment,
            ExpertAssignment.Status.WITHDRAWN,
            by=by,
            action="assignment_withdraw",
            note=note,
            finished_at=timezone.now(),
        )


def assignment_rate(*, assignment, by, rating):
    if int(rating) not in range(1, 6):
        raise ValidationError(_("评分应为 1 至 5 分。"), code="rating")
    with transaction.atomic():
        assignment = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        assignment.staff_rating = int(rating)
        assignment.save(update_fields=["staff_rating"])
        _event("rate", by=by, case=assignment.case, expert=assignment.expert, note=str(rating))
    return assignment


def _check_files(files):
    """Opinion attachments and seminar materials, checked by content and size (portal.uploads)."""
    return check_uploads(
        files, max_count=OPINION_MAX_FILES, max_file=OPINION_MAX_BYTES, max_total=OPINION_MAX_FILES * OPINION_MAX_BYTES
    )


def opinion_submit(*, assignment, by, analysis, recommendations, risks="", references="", files=()):
    """The expert submits a structured opinion on the case (once)."""
    files = _check_files(files)
    if not (analysis or "").strip() or not (recommendations or "").strip():
        raise ValidationError(_("案情分析和应对建议必须填写。"), code="required")
    with transaction.atomic():
        now = timezone.now()
        assignment = _assignment_move(
            assignment,
            ExpertAssignment.Status.OPINION_SUBMITTED,
            by=by,
            action="opinion_submit",
            finished_at=now,
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


# --- Seminars ---------------------------------------------------------------------------------


def seminar_convene(
    *,
    case,
    by,
    title,
    starts_at,
    experts=(),
    agencies=(),
    staff_users=(),
    ends_at=None,
    location="",
    online_link="",
    agenda="",
    materials=(),
):
    """Convene a seminar (研讨会) for a major or difficult case and notify the invitees."""
    if not location and not online_link:
        raise ValidationError(_("请填写会议地点或线上会议链接。"), code="place")
    if not experts:
        raise ValidationError(_("请至少邀请一位专家。"), code="experts")
    if ends_at and ends_at <= starts_at:
        raise ValidationError(_("结束时间应晚于开始时间。"), code="ends_at")
    materials = _check_files(materials)
    _require_open_case(case)
    with transaction.atomic():
        for expert in experts:
            if _declared_conflict(expert, case):
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
        seminar = Seminar.objects.create(
            case=case,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            online_link=online_link,
            agenda=agenda,
            created_by=by,
            status=Seminar.Status.PLANNED,
        )
        invitees = [SeminarInvitee(seminar=seminar, kind=SeminarInvitee.Kind.EXPERT, expert=e) for e in experts]
        invitees += [SeminarInvitee(seminar=seminar, kind=SeminarInvitee.Kind.AGENCY, agency=a) for a in agencies]
        invitees += [SeminarInvitee(seminar=seminar, kind=SeminarInvitee.Kind.STAFF, user=u) for u in staff_users]
        SeminarInvitee.objects.bulk_create(invitees)
        to_declare = _seminar_assignments(case, experts, by=by)
        for upload, checked in materials:
            SeminarMaterial.objects.create(seminar=seminar, file=upload, original_name=checked.name, size=checked.size)
        check_transition(SEMINAR_TRANSITIONS, seminar.status, Seminar.Status.CONVENED, labels=_labels(Seminar))
        seminar.status = Seminar.Status.CONVENED
        seminar.save(update_fields=["status"])
        _event(
            "seminar_convene",
            by=by,
            case=case,
            seminar=seminar,
            from_status=Seminar.Status.PLANNED,
            to_status=seminar.status,
        )
        when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
        body = _("指导中心定于 %(when)s 召开“%(title)s”，地点：%(place)s。请确认是否参加。") % {
            "when": when,
            "title": title,
            "place": location or online_link,
        }
        declare = _("请先在专家工作台声明与本案是否存在利益冲突，声明后方可查看会议页面和材料。")
        for expert in experts:
            if expert.user_id:
                notify(
                    [expert.user],
                    subject=_("专家研讨会邀请"),
                    body=f"{body}{declare}" if expert.pk in to_declare else body,
                    link=reverse("experts:workspace"),
                )
        from portal.models import User

        agency_users = User.objects.filter(agency__in=list(agencies), is_active=True)
        notify(list(agency_users) + list(staff_users), subject=_("专家研讨会通知"), body=body)
    return seminar


def _seminar_assignments(case, experts, *, by):
    """A seminar's expert works on the case: one without an open or finished assignment on it
    gets one awaiting the declaration of no conflict, and sees the seminar only after declaring.
    Returns the ids of the experts who still have to declare."""
    live = [
        ExpertAssignment.Status.AWAITING_DECLARATION,
        ExpertAssignment.Status.ACTIVE,
        ExpertAssignment.Status.OPINION_SUBMITTED,
    ]
    existing = dict(
        ExpertAssignment.objects.filter(case=case, expert__in=experts, status__in=live).values_list(
            "expert_id", "status"
        )
    )
    to_declare = set()
    for expert in experts:
        status = existing.get(expert.pk)
        if status in {ExpertAssignment.Status.ACTIVE, ExpertAssignment.Status.OPINION_SUBMITTED}:
            continue
        to_declare.add(expert.pk)
        if status is None:
            assignment = ExpertAssignment.objects.create(case=case, expert=expert, assigned_by=by)
            _event(
                "assign_for_seminar",
                by=by,
                case=case,
                expert=expert,
                to_status=assignment.status,
                note=_("受邀参加研讨会"),
            )
    return to_declare


def seminar_respond(*, invitee, by, attend):
    with transaction.atomic():
        invitee = SeminarInvitee.objects.select_for_update(of=("self",)).select_related("seminar").get(pk=invitee.pk)
        if invitee.seminar.status != Seminar.Status.CONVENED:
            raise TransitionNotAllowed(_("研讨会已召开或已取消，不能再回复。"), code="seminar_closed")
        previous = invitee.response
        invitee.response = SeminarInvitee.Response.CONFIRMED if attend else SeminarInvitee.Response.DECLINED
        invitee.responded_at = timezone.now()
        invitee.save(update_fields=["response", "responded_at"])
        _event(
            "seminar_respond",
            by=by,
            case=invitee.seminar.case,
            seminar=invitee.seminar,
            expert=invitee.expert,
            from_status=previous,
            to_status=invitee.response,
        )
    return invitee


def _require_seminar_day(seminar, what):
    """Attendance and the collegial opinion record a seminar that took place: not before its day."""
    day = timezone.localdate(seminar.starts_at)
    if day > timezone.localdate():
        raise TransitionNotAllowed(
            _("研讨会定于 %(day)s 召开，会议当天或之后才能%(what)s。") % {"day": date_format(day), "what": what},
            code="not_yet",
        )


def seminar_record_attendance(*, seminar, by, present_ids):
    """On the day: who attended. Moves the seminar to 'held'."""
    present = {int(pk) for pk in present_ids}
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
        check_transition(SEMINAR_TRANSITIONS, seminar.status, Seminar.Status.HELD, labels=_labels(Seminar))
        _require_seminar_day(seminar, _("登记出席情况"))
        invitees = list(seminar.invitees.select_for_update())
        if not any(i.pk in present and i.kind == SeminarInvitee.Kind.EXPERT for i in invitees):
            raise ValidationError(_("至少应有一位专家出席，才能记录为已召开。"), code="attendance")
        for invitee in invitees:
            invitee.attended = invitee.pk in present
        SeminarInvitee.objects.bulk_update(invitees, ["attended"])
        previous = seminar.status
        seminar.status = Seminar.Status.HELD
        seminar.save(update_fields=["status"])
        _event(
            "seminar_held",
            by=by,
            case=seminar.case,
            seminar=seminar,
            from_status=previous,
            to_status=seminar.status,
            note=_("出席 %(n)d 人") % {"n": len(present & {i.pk for i in invitees})},
        )
    return seminar


def seminar_record_view(*, invitee, by, view):
    """An expert's view at the seminar, recorded by the expert or by staff."""
    view = (view or "").strip()
    if not view:
        raise ValidationError(_("请填写观点。"), code="view")
    with transaction.atomic():
        invitee = SeminarInvitee.objects.select_for_update(of=("self",)).select_related("seminar").get(pk=invitee.pk)
        if invitee.kind != SeminarInvitee.Kind.EXPERT:
            raise ValidationError(_("只有专家需要记录观点。"), code="kind")
        if invitee.seminar.status not in {Seminar.Status.CONVENED, Seminar.Status.HELD}:
            raise TransitionNotAllowed(_("合议意见已形成或会议已取消，不能再修改观点。"), code="seminar_closed")
        invitee.view = view
        invitee.view_recorded_at = timezone.now()
        invitee.save(update_fields=["view", "view_recorded_at"])
        _event("seminar_view", by=by, case=invitee.seminar.case, seminar=invitee.seminar, expert=invitee.expert)
    return invitee


def seminar_conclude(*, seminar, by, analysis, recommendations, agreement, risks="", references="", positions=None):
    """Record the collegial opinion (合议意见) with each attending expert's agreement or dissent,
    and queue the minutes PDF. `positions` maps invitee id to (position, dissent text)."""
    from documents.models import Document
    from documents.services import allocate_number, document_request

    positions = positions or {}
    if not (analysis or "").strip() or not (recommendations or "").strip():
        raise ValidationError(_("合议分析和应对建议必须填写。"), code="required")
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update(of=("self",)).select_related("case__application").get(pk=seminar.pk)
        check_transition(SEMINAR_TRANSITIONS, seminar.status, Seminar.Status.CONCLUDED, labels=_labels(Seminar))
        _require_seminar_day(seminar, _("记录合议意见和会议纪要"))
        invitees = list(seminar.invitees.select_related("expert", "agency", "user"))
        experts_present = [i for i in invitees if i.kind == SeminarInvitee.Kind.EXPERT and i.attended]
        for invitee in experts_present:
            position, dissent = positions.get(invitee.pk, (SeminarInvitee.Position.AGREE, ""))
            if position not in SeminarInvitee.Position.values:
                position = SeminarInvitee.Position.ABSTAIN
            if position == SeminarInvitee.Position.DISSENT and not (dissent or "").strip():
                raise ValidationError(
                    _("%(name)s保留不同意见，请记录其具体意见。") % {"name": invitee.display_name}, code="dissent"
                )
            invitee.position = position
            invitee.dissent = (dissent or "").strip() if position == SeminarInvitee.Position.DISSENT else ""
        SeminarInvitee.objects.bulk_update(experts_present, ["position", "dissent"])
        now = timezone.now()
        seminar.collegial_analysis = analysis.strip()
        seminar.collegial_recommendations = recommendations.strip()
        seminar.collegial_risks = (risks or "").strip()
        seminar.collegial_references = (references or "").strip()
        seminar.agreement = (agreement or "").strip()
        seminar.concluded_at = now
        previous = seminar.status
        seminar.status = Seminar.Status.CONCLUDED
        number = allocate_number(Document.Kind.SEMINAR_MINUTES)
        context = _minutes_context(seminar, invitees, number)
        document = document_request(
            kind=Document.Kind.SEMINAR_MINUTES,
            subject=seminar,
            template="pdf/seminar_minutes.html",
            context=context,
            title=_("%(title)s会议纪要") % {"title": seminar.title},
            by=by,
            number=number,
            case=seminar.case,
            # The attending experts receive the minutes (staff see every document).
            recipients=[i.expert.user for i in experts_present if i.expert.user_id],
        )
        seminar.minutes = document
        seminar.save(
            update_fields=[
                "collegial_analysis",
                "collegial_recommendations",
                "collegial_risks",
                "collegial_references",
                "agreement",
                "concluded_at",
                "status",
                "minutes",
            ]
        )
        _event(
            "seminar_conclude",
            by=by,
            case=seminar.case,
            seminar=seminar,
            from_status=previous,
            to_status=seminar.status,
        )
    return seminar


def _minutes_context(seminar, invitees, number):
    from documents.formatting import chinese_date
    from portal.models import SiteConfiguration

    config = SiteConfiguration.get()
    local = timezone.localtime(seminar.starts_at)

    def row(invitee):
        return {
            "name": invitee.display_name,
            "kind": str(invitee.get_kind_display()),
            "organisation": invitee.expert.organisation if invitee.expert_id else "",
            "attended": bool(invitee.attended),
            "view": invitee.view,
            "position": str(invitee.get_position_display()) if invitee.position else "",
            "dissent": invitee.dissent,
        }

    return {
        "number": number,
        "title": seminar.title,
        "case_number": seminar.case.number,
        "held_on": f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}",
        "place": seminar.location or seminar.online_link,
        "agenda": seminar.agenda,
        "present": [row(i) for i in invitees if i.attended],
        "absent": [row(i) for i in invitees if not i.attended],
        "experts": [row(i) for i in invitees if i.kind == SeminarInvitee.Kind.EXPERT and i.attended],
        "analysis": seminar.collegial_analysis,
        "recommendations": seminar.collegial_recommendations,
        "risks": seminar.collegial_risks,
        "references": seminar.collegial_references,
        "agreement": seminar.agreement,
        "dissents": [
            row(i)
            for i in invitees
            if i.kind == SeminarInvitee.Kind.EXPERT and i.position == SeminarInvitee.Position.DISSENT
        ],
        "center_name": config.center_name,
        "copy_to": "，".join(i.agency.name for i in invitees if i.kind == SeminarInvitee.Kind.AGENCY),
        "issued_on": chinese_date(timezone.localdate(seminar.concluded_at)),
    }


def seminar_cancel(*, seminar, by, note=""):
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
        check_transition(SEMINAR_TRANSITIONS, seminar.status, Seminar.Status.CANCELLED, labels=_labels(Seminar))
        previous = seminar.status
        seminar.status = Seminar.Status.CANCELLED
        seminar.save(update_fields=["status"])
        _event(
            "seminar_cancel",
            by=by,
            case=seminar.case,
            seminar=seminar,
            from_status=previous,
            to_status=seminar.status,
            note=note,
        )
    return seminar


# --- Unavailability -------------------------------------------------------------------------------

UNAVAILABILITY_MAX_DAYS = 366


def unavailability_record(*, expert, by, starts_on, ends_on, reason=""):
    """Record a period in which the expert takes no cases; matching leaves them out while it
    overlaps a case's deadline window. The expert records their own, staff anybody's."""
    if not can_manage_unavailability(by, expert):
        raise PermissionDenied(_("只能登记本人的不可承接期间。"))
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    elif ends_on < timezone.localdate():
        errors["ends_on"] = _("结束日期已过，无需登记。")
    elif (ends_on - starts_on).days >= UNAVAILABILITY_MAX_DAYS:
        errors["ends_on"] = _("一次登记不超过一年；长期不能承接请联系工作人员调整可承接状态。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = Unavailability.objects.create(
            expert=expert, starts_on=starts_on, ends_on=ends_on, reason=(reason or "").strip()
        )
        _event("unavailability_record", by=by, expert=expert, note=str(period))
    return period


def unavailability_delete(*, period, by):
    if not can_manage_unavailability(by, period.expert):
        raise PermissionDenied(_("只能删除本人的不可承接期间。"))
    with transaction.atomic():
        Unavailability.objects.filter(pk=period.pk).delete()
        _event("unavailability_delete", by=by, expert=period.expert, note=str(period))
