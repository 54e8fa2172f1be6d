"""Who may see what of the expert workflow. Center staff see everything; an expert sees only
their own invitations, assignments and seminar seats, and a case only through an assignment
on which they declared no conflict."""

from django.db.models import Exists, OuterRef

from experts.models import (
    Expert,
    ExpertAssignment,
    ExpertInvitation,
    OpinionAttachment,
    Seminar,
    SeminarInvitee,
    SeminarMaterial,
)
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


def can_manage_unavailability(user, expert):
    """Center staff record any expert's unavailability; an expert their own."""
    if not user.is_authenticated:
        return False
    if is_center_member(user):
        return True
    return has_role(user, Role.EXPERT) and expert.user_id == user.pk
