from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.permissions import require_role
from portal.roles import Role


@login_required
def workspace(request):
    """The expert's workspace: invitations and assigned cases."""
    require_role(request.user, Role.EXPERT)
    return render(request, "experts/workspace.html", {})
