"""Who may read and act on which document.

Center staff see every document, old versions and unfinished renders included; everybody else
sees the current version of what was delivered to them: applicants what was released to their
organisation, agencies what was addressed to them, and people named as recipients (the experts
who attended a seminar, for its minutes). Only the director and the deputies revoke a document
or issue a correction of a signed one."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from documents.models import Document
from portal.roles import Role, can_sign, has_role, is_center_member

CURRENT = Q(superseded_by__isnull=True, revoked_at__isnull=True)


def _member(user):
    return getattr(user, "is_authenticated", False) and is_center_member(user)


def entitled_documents(user, documents=None):
    """The documents (any render status) that `user` is entitled to read."""
    documents = Document.objects.all() if documents is None else documents
    if not getattr(user, "is_authenticated", False):
        return documents.none()
    if is_center_member(user):
        return documents
    delivered = Exists(Document.recipients.through.objects.filter(document_id=OuterRef("pk"), user_id=user.pk))
    if has_role(user, Role.APPLICANT):
        # The organisation the user acts for (applications.ApplicantAccount, named by its relation:
        # documents sits below applications and does not import it).
        delivered |= Q(applicant__accounts__user=user, released_to_applicant=True)
    if has_role(user, Role.AGENCY) and user.agency_id:
        delivered |= Exists(
            Document.agencies.through.objects.filter(document_id=OuterRef("pk"), partneragency_id=user.agency_id)
        )
    return documents.filter(CURRENT).filter(delivered)


def visible_documents(user):
    """The rendered documents a user may download."""
    return entitled_documents(user, Document.objects.filter(status=Document.Status.READY))


def staff_documents(user):
    """Every document, in any state, for the admin's list and actions: center members only."""
    return Document.objects.all() if _member(user) else Document.objects.none()


def documents_for_subject(user, subject):
    """The documents of one object (an application, case, letter or opinion) the user may download."""
    return (
        visible_documents(user)
        .filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
        .order_by("-created_at")
    )


def can_download(user, document):
    return visible_documents(user).filter(pk=document.pk).exists()


def can_retry(user, document):
    """Queue a render again: center staff (the service says when a document needs none)."""
    return _member(user)


def can_supersede(user, document):
    """Mark a document replaced by a newer version: the center, as part of issuing that version."""
    return _member(user)


def can_correct(user, document):
    """Issue a corrected version: center staff for unsigned documents; a signed one is
    corrected only by someone who may sign (the new version is issued under signature)."""
    if not _member(user):
        return False
    return document.signed_by_id is None or can_sign(user)


def can_revoke(user, document):
    """Revoke an issued document: the director or a deputy."""
    return _member(user) and can_sign(user)
