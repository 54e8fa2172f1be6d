"""The case file's progress: after staff ask for a case file (案卷), a page follows its render.

No worker waits on it: the page reads the document's own status, with the progress bar of the
long jobs (templates/portal/_job_progress.html, static/js/job-progress.js) polling a small JSON
view. The stages are those the document records: queued; waiting for the documents the file
lists (a letter or an opinion still being rendered: the file's catalogue needs them); generated
and digitally signed, with its download; or failed, with what failed and a button that queues
the render again through the documents' own retry (documents.services.document_retry), which
also takes a render left queued past DOCUMENT_STUCK_MINUTES.

Who may open it: center members, as for asking for the file (cases.opinions.permissions); the
document must be a case file of that case; anything else is a 404."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.opinions.permissions import case_file_cases
from documents import registry
from documents.models import Document
from documents.permissions import staff_documents
from documents.services import document_retry, is_stuck, stuck_after

# The page without JavaScript reloads itself this often while the file is rendered (seconds).
REFRESH_SECONDS = 3


def _case_file_for(request, case_pk, pk):
    case = get_object_or_404(case_file_cases(request.user), pk=case_pk)
    document = get_object_or_404(staff_documents(request.user).filter(kind=Document.Kind.CASE_FILE, case=case), pk=pk)
    return case, document


def case_file_stage(document, user):
    """The case file's render as the progress bar shows it (the jobs' status shape)."""
    stage = {
        "status": document.status,
        "status_label": document.get_status_display(),
        "finished": document.status != Document.Status.PENDING,
        "done": 0,
        "total": 0,
        "percent": 0,
        "message": "",
        "result_url": "",
        "error": "",
        "retry_url": "",
    }
    retry_url = reverse("cases:case_file_retry", args=[document.case_id, document.pk])
    if document.status == Document.Status.READY:
        stage.update(percent=100, result_url=reverse("documents:download", args=[document.pk]))
        stage["message"] = _("已加盖电子签章，共 %(pages)d 页") % {"pages": document.pages}
    elif document.status == Document.Status.FAILED:
        stage.update(percent=100, retry_url=retry_url)
        stage["error"] = document.last_error if user.is_staff else _("案卷生成失败。")
    elif is_stuck(document):
        # Queued too long (a stopped worker, a broker that lost the message): staff may queue it again.
        stage.update(finished=True, percent=10, retry_url=retry_url)
        stage["error"] = _("案卷排队生成已超时，可能是后台进程已停止。请重新生成。")
        stage["message"] = _("排队超时")
    elif registry.sources_pending(document, since=timezone.now() - stuck_after()):
        stage.update(percent=40, message=_("等待案卷所列文书生成完成"))
    elif document.attempts:
        stage.update(percent=60, message=_("正在重新生成"))
    else:
        stage.update(percent=20, message=_("排队生成中"))
    return stage


@never_cache
@staff_member_required
def case_file_progress(request, case_pk, pk):
    case, document = _case_file_for(request, case_pk, pk)
    stage = case_file_stage(document, request.user)
    context = {
        "case": case,
        "document": document,
        "stage": stage,
        "running": not stage["finished"],
        "refresh_seconds": REFRESH_SECONDS,
        "case_url": reverse("admin:cases_case_change", args=[case.pk]),
    }
    return render(request, "cases/case_file_progress.html", context)


@never_cache
@staff_member_required
def case_file_status(request, case_pk, pk):
    _case, document = _case_file_for(request, case_pk, pk)
    return JsonResponse(case_file_stage(document, request.user))


@require_POST
@staff_member_required
def case_file_retry(request, case_pk, pk):
    case, document = _case_file_for(request, case_pk, pk)
    try:
        document_retry(document=document, by=request.user)
    except ValidationError as exc:
        messages.warning(request, "；".join(exc.messages))
    else:
        messages.info(request, _("已重新排队生成案卷。"))
    return redirect("cases:case_file_progress", case_pk=case.pk, pk=document.pk)
