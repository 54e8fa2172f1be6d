"""Who may see and do what with applications: center staff see all; a workstation's staff those of
their workstation and the workstations under it (`ServicePoint.scope_ids`); an applicant user only its
organisation's.

`visible_<things>(user)` are the querysets views and the admin fetch from (anything else is a 404);
`can_<verb>(user, obj)` are the decisions every service checks first (a refusal is
portal.access.Forbidden, a 403 with its message). Evidence and message files are reached only
through the applications the user may see.
"""

from django.db.models import Q

from applications.choices import Channel
from applications.models import Applicant, Application, Attachment, Invitation, MembershipRequest, MessageAttachment
from applications.selectors import applicant_of
from portal.models import ServicePoint
from portal.roles import Role, has_role, is_center_member

# Channels on which a workstation enters an application that it checks before the center sees it.
FIRST_CHECK_CHANNELS = {Channel.PAPER, Channel.EMAIL}


def _own_applicant(user):
    """The organisation an applicant user acts for; None for anyone else."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.APPLICANT):
        return None
    return applicant_of(user)


def service_point_scope(user):
    """The workstation ids a workstation user works for (its own and those under it), cached on the
    user object; None for anyone who is not workstation staff (an empty list: staff of no workstation)."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.SERVICE_POINT):
        return None
    cached = getattr(user, "_service_point_scope", None)
    if cached is None:
        cached = ServicePoint.scope_ids(user.service_point_id)
        user._service_point_scope = cached
    return cached


def is_service_point_user(user):
    return service_point_scope(user) is not None


def can_see_applicant(user, applicant):
    return visible_applicants(user).filter(pk=applicant.pk).exists()


def _in_scope(user, *point_ids):
    scope = service_point_scope(user)
    return bool(scope) and any(point_id in scope for point_id in point_ids if point_id is not None)


def visible_applicants(user):
    """Applicants the user may see: staff all; a workstation those it helps or whose applications it
    took; an applicant user its own organisation."""
    if not getattr(user, "is_authenticated", False):
        return Applicant.objects.none()
    if is_center_member(user):
        return Applicant.objects.all()
    scope = service_point_scope(user)
    if scope is not None:
        taken = Application.objects.filter(service_point_id__in=scope).values("applicant_id")
        return Applicant.objects.filter(Q(service_point_id__in=scope) | Q(pk__in=taken))
    applicant = _own_applicant(user)
    if applicant is not None:
        return Applicant.objects.filter(pk=applicant.pk)
    return Applicant.objects.none()


def visible_applications(user):
    if not user.is_authenticated:
        return Application.objects.none()
    if is_center_member(user):
        return Application.objects.all()
    scope = service_point_scope(user)
    if scope is not None:
        return Application.objects.filter(Q(service_point_id__in=scope) | Q(applicant__service_point_id__in=scope))
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


def visible_invitations(user):
    """Invitations of the applicants the user may see (staff and workstations only)."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    if is_center_member(user) or is_service_point_user(user):
        return Invitation.objects.filter(applicant__in=visible_applicants(user))
    return Invitation.objects.none()


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


def can_start_application_for(user, applicant=None, service_point=None):
    """Start a draft on an applicant's behalf (a request at a fair's service desk, a consultation, a
    paper form): the center; a workstation for an applicant it may see, through a workstation of its
    scope."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_center_member(user):
        return True
    scope = service_point_scope(user)
    if not scope:
        return False
    if service_point is not None and service_point.pk not in scope:
        return False
    return applicant is None or visible_applicants(user).filter(pk=applicant.pk).exists()


def can_enter_application(user, applicant=None):
    """File an application received on paper or by e-mail for an applicant (existing or new): the
    center; a workstation for applicants it may see (a new one becomes its own)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_center_member(user):
        return True
    if not is_service_point_user(user) or user.service_point_id is None:
        return False
    return applicant is None or visible_applicants(user).filter(pk=applicant.pk).exists()


def awaits_first_check(application):
    """A draft a workstation entered from paper or e-mail: it reaches the center only through the
    workstation's first check (初审)."""
    if application.status != Application.Status.DRAFT or application.channel not in FIRST_CHECK_CHANNELS:
        return False
    entered_by = application.entered_by if application.entered_by_id else None
    return entered_by is not None and has_role(entered_by, Role.SERVICE_POINT)


def _workstation_holds(user, application):
    """A workstation user in scope, for a draft awaiting its first check."""
    return awaits_first_check(application) and _in_scope(
        user, application.service_point_id, application.applicant.service_point_id
    )


def can_first_check(user, application):
    """Check an entered draft for completeness and standing and forward it: the workstation's staff."""
    return getattr(user, "is_authenticated", False) and _workstation_holds(user, application)


def can_edit(user, application):
    """Fill in, add or remove evidence: the organisation's applicant users; the workstation while a
    draft it entered awaits its first check."""
    return _acts_for(user, application) or _workstation_holds(user, application)


def can_submit(user, application):
    """Submit: the organisation's users (a draft awaiting a workstation's first check is forwarded by
    the workstation); the center for an application its staff entered from paper or e-mail; the
    workstation when it forwards after its first check."""
    if awaits_first_check(application):
        return _workstation_holds(user, application)
    if _acts_for(user, application):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and is_center_member(user)
        and application.entered_by_id == user.pk
        and application.channel in FIRST_CHECK_CHANNELS
    )


def can_withdraw(user, application):
    return _acts_for(user, application)


def can_send_invitation(user, applicant):
    """Invite a person to follow an applicant online: the center; a workstation for its applicants."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_center_member(user):
        return True
    return is_service_point_user(user) and visible_applicants(user).filter(pk=applicant.pk).exists()


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
    if has_role(user, Role.AGENCY, Role.EXPERT, Role.SERVICE_POINT):
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
