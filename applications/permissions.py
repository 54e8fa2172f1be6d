"""Who may see which application: staff all; an applicant user only its organisation's."""

from applications.models import Application
from portal.roles import Role, has_role, is_center_member


def visible_applications(user):
    if not user.is_authenticated:
        return Application.objects.none()
    if is_center_member(user):
        return Application.objects.all()
    if has_role(user, Role.APPLICANT) and user.applicant_id:
        return Application.objects.filter(applicant_id=user.applicant_id)
    return Application.objects.none()
