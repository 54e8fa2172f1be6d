"""Who may see and do what with applications: center staff see all; an applicant user only its
organisation's.

`visible_<things>(user)` are the querysets views and the admin fetch from (anything else is a 404);
`can_<verb>(user, obj)` are the decisions every service checks first (a refusal is
portal.access.Forbidden, a 403 with its message). Evidence and message files are reached only
through the applications the user may see.
"""

from applications.models import Application, Attachment, MembershipRequest, MessageAttachment
from applications.selectors import applicant_of
from portal.roles import Role, has_role, is_center_member


def _own_applicant(user):
    """The organisation an applicant user acts for; None for anyone else."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.APPLICANT):
        return None
    return applicant_of(user)


def visible_applications(user):
    if not user.is_authenticated:
        return Application.objects.none()
    if is_center_member(user):
        return Application.objects.all()
    applicant = _own_applicant(user)
    if applicant is not None:
        return Application.objects.filter(applicant=applicant)
    return Application.objects.none()


def editable_applications(user):
    """Applications the user may still edit: its organisation's drafts and returned ones."""
    applicant = _own_applicant(user)
    if applicant is None:
        return Application.objects.none()
    return Application.objects.filter(
        applicant=applicant, status__in=[Application.Status.DRAFT, Application.Status.RETURNED]
    )


def visible_attachments(user):
    return Attachment.objects.filter(application__in=visible_applications(user))


def visible_message_files(user):
    return MessageAttachment.objects.filter(message__application__in=visible_applications(user))


def visible_membership_requests(user):
    """Join requests the user may see: staff all; a member those for its own organisation; the
    user who asked, its own."""
    if not user.is_authenticated:
        return MembershipRequest.objects.none()
    if is_center_member(user):
        return MembershipRequest.objects.all()
    applicant = _own_applicant(user)
    if applicant is not None:
        return MembershipRequest.objects.filter(applicant=applicant) | MembershipRequest.objects.filter(user=user)
    return MembershipRequest.objects.filter(user=user)


def decidable_membership_requests(user):
    """Pending join requests the user may approve: staff all; a member those for its own organisation."""
    pending = MembershipRequest.objects.filter(status=MembershipRequest.Status.PENDING)
    if not user.is_authenticated:
        return pending.none()
    if is_center_member(user):
        return pending
    applicant = _own_applicant(user)
    if applicant is not None:
        return pending.filter(applicant=applicant)
    return pending.none()


# --- decisions ------------------------------------------------------------------------------


def _acts_for(user, application):
    applicant = _own_applicant(user)
    return applicant is not None and applicant.pk == application.applicant_id


def can_create_application(user, applicant):
    """An applicant user starts drafts for its own organisation only."""
    own = _own_applicant(user)
    return own is not None and own.pk == applicant.pk


def can_start_application_for(user):
    """Start a draft on an organisation's behalf (a request at a fair's service desk): the center."""
    return is_center_member(user)


def can_edit(user, application):
    """Fill in, add or remove evidence, submit, withdraw: the organisation's applicant users."""
    return _acts_for(user, application)


can_submit = can_edit
can_withdraw = can_edit


def can_decide(user, application):
    """Accept, return for correction, decline, close a lapsed correction: center members."""
    return getattr(user, "is_authenticated", False) and is_center_member(user)


def can_post_message(user, application):
    """Write on the application's thread: the organisation's users and the center."""
    return can_decide(user, application) or _acts_for(user, application)


def can_give_feedback(user, application):
    return _acts_for(user, application)


def can_download(user, application):
    """Evidence and message files: whoever may see the application."""
    return visible_applications(user).filter(pk=application.pk).exists()


def can_join(user, applicant):
    """Ask to act for an organisation: a user who acts for none yet and is no center member,
    agency user or expert (they work in their own roles)."""
    if not getattr(user, "is_authenticated", False) or is_center_member(user):
        return False
    if has_role(user, Role.AGENCY, Role.EXPERT):
        return False
    return applicant_of(user) is None


def can_decide_membership(user, request):
    """Approve or reject a join request: staff, or a member of the organisation asked to join."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_center_member(user):
        return True
    own = _own_applicant(user)
    return own is not None and own.pk == request.applicant_id
