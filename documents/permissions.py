"""Who may download which document. Center staff see all; applicants what was delivered
to them; agencies what was addressed to them."""

from documents.models import Document
from portal.roles import Role, has_role, is_center_member


def visible_documents(user):
    documents = Document.objects.filter(status=Document.Status.READY)
    if not user.is_authenticated:
        return documents.none()
    if is_center_member(user):
        return documents
    if has_role(user, Role.APPLICANT) and user.applicant_id:
        return documents.filter(applicant_id=user.applicant_id, released_to_applicant=True)
    if has_role(user, Role.AGENCY) and user.agency_id:
        return documents.filter(agencies=user.agency_id)
    return documents.none()
