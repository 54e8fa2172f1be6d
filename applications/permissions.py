"""Who may see which application: center staff all; an applicant user only its organisation's.

Evidence and message files are reached only through the applications the user may see, so
a wrong id (or another organisation's id) is a 404.
"""

from applications.models import Application, Attachment, MembershipRequest, MessageAttachment
from portal.roles import Role, has_role, is_center_member


def visible_applications(user):
    if not user.is_authenticated:
        return Application.objects.none()
    if is_center_member(user):
        return Application.objects.all()
    if has_role(user, Role.APPLICANT) and user.applicant_id:
        return Application.objects.filter(applicant_id=user.applicant_id)
    return Application.objects.none()


def editable_applications(user):
    """Applications the user may still edit: its organisation's drafts and returned ones."""
    if not (user.is_authenticated and has_role(user, Role.APPLICANT) and user.applicant_id):
        return Application.objects.none()
    return Application.objects.filter(
        applicant_id=user.applicant_id, status__in=[Application.Status.DRAFT, Application.Status.RETURNED]
    )


def visible_attachments(user):
    return Attachment.objects.filter(application__in=visible_applications(user))


def visible_message_files(user):
    return MessageAttachment.objects.filter(message__application__in=visible_applications(user))


def decidable_membership_requests(user):
    """Join requests the user may approve: staff all; a member those for its own organisation."""
    pending = MembershipRequest.objects.filter(status=MembershipRequest.Status.PENDING)
    if not user.is_authenticated:
        return pending.none()
    if is_center_member(user):
        return pending
    if has_role(user, Role.APPLICANT) and user.applicant_id:
        return pending.filter(applicant_id=user.applicant_id)
    return pending.none()
