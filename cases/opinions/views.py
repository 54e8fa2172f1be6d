from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.opinions.permissions import case_file_cases
from cases.opinions.services import case_file_export


@staff_member_required
@require_POST
def case_file(request, case_pk):
    """Staff: export a case's whole record as one PDF for archiving."""
    case = get_object_or_404(case_file_cases(request.user), pk=case_pk)
    try:
        document = case_file_export(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        # Its page follows the render and offers the download when it is ready.
        return redirect("cases:case_file_progress", case_pk=case.pk, pk=document.pk)
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if not target.startswith("/") or not allowed:
        target = reverse("admin:documents_document_changelist")
    return redirect(target)
