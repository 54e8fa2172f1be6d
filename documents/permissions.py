"""Who may download which document, see which opinion, export which case file.

Center staff see every rendered document, old versions included; everybody else sees the
current version of what was delivered to them: applicants what was released to their
organisation, agencies what was addressed to them, and people named as recipients (the
experts who attended a seminar, for its minutes)."""

from django.db.models import Exists, OuterRef, Q

from documents.models import Document, GuidanceOpinion
from portal.roles import Role, has_role, is_center_member

CURRENT = Q(superseded_by__isnull=True, revoked_at__isnull=True)


def entitled_documents(user, documents=None):
    """The documents (any render status) that `user` is entitled to read."""
    documents = Document.objects.all() if documents is None else documents
    if not getattr(user, "is_authenticated", False):
        return documents.none()
    if is_center_member(user):
        return documents
    delivered = Exists(Document.recipients.through.objects.filter(document_id=OuterRef("pk"), user_id=user.pk))
    if has_role(user, Role.APPLICANT) and user.applicant_id:
        delivered |= Q(applicant_id=user.applicant_id, released_to_applicant=True)
    if has_role(user, Role.AGENCY) and user.agency_id:
        delivered |= Exists(
            Document.agencies.through.objects.filter(document_id=OuterRef("pk"), partneragency_id=user.agency_id)
        )
    return documents.filter(CURRENT).filter(delivered)


def visible_documents(user):
    """The rendered documents a user may download."""
    return entitled_documents(user, Document.objects.filter(status=Document.Status.READY))


def visible_opinions(user):
    """Opinions in the admin: center members only."""
    if getattr(user, "is_authenticated", False) and is_center_member(user):
        return GuidanceOpinion.objects.all()
    return GuidanceOpinion.objects.none()


def case_file_cases(user):
    """Cases whose whole record a user may export: center members, every case."""
    from cases.models import Case

    if getattr(user, "is_authenticated", False) and is_center_member(user):
        return Case.objects.all()
    return Case.objects.none()


def documents_for_subject(user, subject):
    """The documents of one object (an application, case, letter or opinion) the user may download."""
    from django.contrib.contenttypes.models import ContentType

    return (
        visible_documents(user)
        .filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
        .order_by("-created_at")
    )
