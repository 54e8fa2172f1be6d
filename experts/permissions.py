"""Who may see what of the expert workflow. Center staff see everything; an expert sees only
their own invitations, assignments and seminar seats, and a case only through an assignment
on which they declared no conflict."""

from django.db.models import Exists, OuterRef

from experts.models import (
    Expert,
    ExpertAssignment,
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
from portal.roles import Role, has_role, is_center_member


def expert_profile(user):
    """The Expert row linked to a user, or None."""
    if not user.is_authenticated or not has_role(user, Role.EXPERT):
        return None
    return Expert.objects.filter(user=user).first()


def visible_nominations(user):
    if user.is_authenticated and is_center_member(user):
        return ExpertNomination.objects.all()
    return ExpertNomination.objects.none()


def visible_matchings(user):
    if user.is_authenticated and is_center_member(user):
        return MatchingRun.objects.all()
    return MatchingRun.objects.none()


def visible_opinions(user):
    """Expert opinions: staff see all; an expert their own on cases they may still see."""
    if not user.is_authenticated:
        return ExpertOpinion.objects.none()
    if is_center_member(user):
        return ExpertOpinion.objects.all()
    return ExpertOpinion.objects.filter(assignment__in=case_visible_assignments(user).values("pk"))


def visible_invitations(user):
    if not user.is_authenticated:
        return ExpertInvitation.objects.none()
    if is_center_member(user):
        return ExpertInvitation.objects.all()
    if has_role(user, Role.EXPERT):
        return ExpertInvitation.objects.filter(expert__user=user)
    return ExpertInvitation.objects.none()


def visible_assignments(user):
    """Assignments a user may open (the declaration page included)."""
    if not user.is_authenticated:
        return ExpertAssignment.objects.none()
    if is_center_member(user):
        return ExpertAssignment.objects.all()
    if has_role(user, Role.EXPERT):
        return ExpertAssignment.objects.filter(expert__user=user).exclude(
            status__in=[ExpertAssignment.Status.WITHDRAWN, ExpertAssignment.Status.CONFLICT]
        )
    return ExpertAssignment.objects.none()


def case_visible_assignments(user):
    """Assignments through which a user may see the case's material: after declaring no conflict."""
    assignments = visible_assignments(user)
    if is_center_member(user):
        return assignments
    return assignments.filter(status__in=[ExpertAssignment.Status.ACTIVE, ExpertAssignment.Status.OPINION_SUBMITTED])


def _declared_on_case(case_ref, expert_ref):
    """Subquery condition: the expert declared no conflict on the case (an assignment through
    which they may see it) and never declared a conflict on it."""
    declared = ExpertAssignment.objects.filter(
        case=case_ref,
        expert=expert_ref,
        status__in=[ExpertAssignment.Status.ACTIVE, ExpertAssignment.Status.OPINION_SUBMITTED],
    )
    conflicted = ExpertAssignment.objects.filter(
        case=case_ref, expert=expert_ref, status=ExpertAssignment.Status.CONFLICT
    )
    return Exists(declared) & ~Exists(conflicted)


def visible_seminar_seats(user):
    """An expert's seats at seminars that have been convened, on cases where the expert has an
    assignment with a declaration of no conflict. An expert who declared a conflict, whose
    assignment was withdrawn or who has none on the case does not see the seminar."""
    if not user.is_authenticated or not has_role(user, Role.EXPERT):
        return SeminarInvitee.objects.none()
    return (
        SeminarInvitee.objects.filter(expert__user=user, kind=SeminarInvitee.Kind.EXPERT)
        .exclude(seminar__status=Seminar.Status.PLANNED)
        .filter(_declared_on_case(OuterRef("seminar__case"), OuterRef("expert")))
    )


def seats_awaiting_declaration(user):
    """An expert's seats not yet open because the declaration on the case is still due."""
    if not user.is_authenticated or not has_role(user, Role.EXPERT):
        return SeminarInvitee.objects.none()
    awaiting = ExpertAssignment.objects.filter(
        case=OuterRef("seminar__case"),
        expert=OuterRef("expert"),
        status=ExpertAssignment.Status.AWAITING_DECLARATION,
    )
    return (
        SeminarInvitee.objects.filter(expert__user=user, kind=SeminarInvitee.Kind.EXPERT)
        .exclude(seminar__status__in=[Seminar.Status.PLANNED, Seminar.Status.CANCELLED])
        .filter(Exists(awaiting))
    )


def visible_seminars(user):
    if not user.is_authenticated:
        return Seminar.objects.none()
    if is_center_member(user):
        return Seminar.objects.all()
    if has_role(user, Role.EXPERT):
        return Seminar.objects.filter(pk__in=visible_seminar_seats(user).values("seminar_id"))
    return Seminar.objects.none()


def visible_seminar_materials(user):
    """Materials of the seminars a user may open."""
    if not user.is_authenticated:
        return SeminarMaterial.objects.none()
    if is_center_member(user):
        return SeminarMaterial.objects.all()
    return SeminarMaterial.objects.filter(seminar_id__in=visible_seminar_seats(user).values("seminar_id"))


def visible_opinion_attachments(user):
    """Files of expert opinions: staff see all; an expert only those of their own opinions on
    cases they may still see (declared no conflict)."""
    if not user.is_authenticated:
        return OpinionAttachment.objects.none()
    if is_center_member(user):
        return OpinionAttachment.objects.all()
    return OpinionAttachment.objects.filter(opinion__assignment__in=case_visible_assignments(user).values("pk"))


def visible_unavailabilities(user):
    """Periods away: staff see every expert's, an expert their own."""
    if not user.is_authenticated:
        return Unavailability.objects.none()
    if is_center_member(user):
        return Unavailability.objects.all()
    if has_role(user, Role.EXPERT):
        return Unavailability.objects.filter(expert__user=user)
    return Unavailability.objects.none()


def can_manage_unavailability(user, expert):
    """Center staff record any expert's unavailability; an expert their own."""
    if not user.is_authenticated:
        return False
    if is_center_member(user):
        return True
    return has_role(user, Role.EXPERT) and expert.user_id == user.pk


# --- Decisions ------------------------------------------------------------------------------------


def _center(user):
    return user.is_authenticated and is_center_member(user)


def acts_for_expert(user, expert):
    """The expert's own account; or center staff recording the answer of an expert without a portal
    login (who answered by telephone or on paper). Nobody acts for an expert who can log in."""
    if not user.is_authenticated:
        return False
    if expert.user_id is not None:
        return expert.user_id == user.pk
    return is_center_member(user)


def can_review_nomination(user, nomination):
    return _center(user)


def can_open_account(user, expert):
    return _center(user)


def can_match(user, case):
    return _center(user)


def can_invite(user, case):
    return _center(user)


def can_withdraw_invitation(user, invitation):
    return _center(user)


def can_accept_invitation(user, invitation):
    """Only the invited expert accepts (staff only for an expert without a login)."""
    return acts_for_expert(user, invitation.expert)


def can_decline_invitation(user, invitation):
    return acts_for_expert(user, invitation.expert)


def can_declare(user, assignment):
    """The declaration of (no) conflict is the assigned expert's own statement."""
    return acts_for_expert(user, assignment.expert)


def can_submit_opinion(user, assignment):
    return acts_for_expert(user, assignment.expert)


def can_manage_assignment(user, assignment):
    """Release the applicant's contact details, withdraw the assignment, rate the work: staff."""
    return _center(user)


def can_convene_seminar(user, case):
    return _center(user)


def can_run_seminar(user, seminar):
    """Attendance, the collegial opinion and cancelling: staff."""
    return _center(user)


def can_respond_seminar(user, invitee):
    """An expert answers for their own seat; staff record the answers of agencies, staff and
    experts given by telephone or e-mail."""
    if _center(user):
        return True
    return invitee.expert_id is not None and invitee.expert.user_id == user.pk


def can_record_view(user, invitee):
    return can_respond_seminar(user, invitee)
