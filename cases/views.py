from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.permissions import require_role
from portal.roles import Role


@login_required
def agency_inbox(request):
    """The partner agency's workspace: assistance letters addressed to its agency."""
    require_role(request.user, Role.AGENCY)
    return render(request, "cases/agency_inbox.html", {"agency": request.user.agency, "letters": []})
