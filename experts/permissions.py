"""Who may see what of the expert workflow. Center staff see everything; an expert sees only
their own invitations, assignments and seminar seats, and a case only through an assignment
on which they declared no conflict."""

from experts.models import Expert, ExpertAssignment, ExpertInvitation, Seminar, SeminarInvitee
from portal.roles import Role, has_role, is_center_member


def expert_profile(user):
    """The Expert row linked to a user, or None."""
    if not user.is_authenticated or not has_role(user, Role.EXPERT):
        return None
    return Expert.objects.filter(user=user).first()


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


def visible_seminar_seats(user):
    if not user.is_authenticated or not has_role(user, Role.EXPERT):
        return SeminarInvitee.objects.none()
    return SeminarInvitee.objects.filter(expert__user=user, kind=SeminarInvitee.Kind.EXPERT).exclude(
        seminar__status=Seminar.Status.PLANNED
    )


def visible_seminars(user):
    if not user.is_authenticated:
        return Seminar.objects.none()
    if is_center_member(user):
        return Seminar.objects.all()
    if has_role(user, Role.EXPERT):
        return Seminar.objects.filter(invitees__expert__user=user).distinct()
    return Seminar.objects.none()
