from django.shortcuts import render

from applications.permissions import visible_applications
from portal.permissions import require_role
from portal.roles import Role


def mine(request):
    """The applicant organisation's applications."""
    require_role(request.user, Role.APPLICANT)
    applications = visible_applications(request.user).select_related("case")
    return render(request, "applications/mine.html", {"applications": applications})
