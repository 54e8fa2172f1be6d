"""Who may download which document, see which opinion, export which case file.

Center staff see every rendered document, old versions included; applicants what was
delivered to them and agencies what was addressed to them, current versions only."""

from django.db.models import Q

from documents.models import Document, GuidanceOpinion
from portal.roles import Role, has_role, is_center_member


def visible_documents(user):
    documents = Document.objects.filter(status=Document.Status.READY)
    if not user.is_authenticated:
        return documents.none()
    if is_center_member(user):
        return documents
    current = Q(superseded_by__isnull=True, revoked_at__isnull=True)
    if has_role(user, Role.APPLICANT) and user.applicant_id:
        return documents.filter(current, applicant_id=user.applicant_id, released_to_applicant=True)
    if has_role(user, Role.AGENCY) and user.agency_id:
        return documents.filter(current, agencies=user.agency_id)
    return documents.none()


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
