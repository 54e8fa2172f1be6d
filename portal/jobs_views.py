"""The pages of long jobs (portal.jobs): a job's progress, its status as JSON for the progress
bar, its result file, running it again, and the list of one's own jobs.

Who may open them is one rule, `portal.jobs.visible_jobs`: the person who started the job (and
superusers); any other id is a 404, and a visitor who is not logged in is sent to log in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import jobs
from portal.models import Job
from portal.storage import private_file_response

# While a job runs, the page without JavaScript reloads itself this often (seconds).
REFRESH_SECONDS = 3


def _job_for(request, pk):
    return get_object_or_404(jobs.visible_jobs(request.user).select_related("created_by"), pk=pk)


def result_link(job):
    """Where the finished job's result is: its file's download, or the page it names."""
    if job.status != Job.Status.SUCCEEDED:
        return ""
    if job.result_file:
        return reverse("jobs:download", args=[job.pk])
    return job.result_url


def error_text(job, user):
    """What failed, as the person may read it: the exception's text is for staff; anyone else
    reads a general sentence with the job's reference (staff find the details by it). A runner's
    own message (JobFailed: an import's rows) is meant for everyone."""
    if job.status != Job.Status.FAILED:
        return ""
    if job.message:
        return job.message
    if user.is_staff:
        return job.last_error or _("任务失败。")
    return _("%(label)s失败，请稍后重试或联系工作人员（参考编号 %(ref)s）。") % {
        "label": job.label,
        "ref": str(job.pk)[:8],
    }


def _status_payload(job, user):
    progress = jobs.progress_of(job)
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.is_finished,
        "done": progress["done"],
        "total": progress["total"],
        "percent": progress["percent"],
        "message": progress["message"],
        "result_url": result_link(job),
        "error": error_text(job, user),
        "retry_url": reverse("jobs:retry", args=[job.pk]) if job.status == Job.Status.FAILED else "",
    }


@never_cache
@login_required
def detail(request, pk):
    job = _job_for(request, pk)
    progress = jobs.progress_of(job)
    context = {
        "job": job,
        "progress": progress,
        # A failure is said once, in its box below the bar.
        "progress_message": "" if job.status == Job.Status.FAILED else progress["message"],
        "running": not job.is_finished,
        "result_link": result_link(job),
        "error": error_text(job, request.user),
        "show_details": request.user.is_staff and job.status == Job.Status.FAILED and job.last_error,
        "refresh_seconds": REFRESH_SECONDS,
        "summary": job.result_data or {},
    }
    return render(request, "portal/job_detail.html", context)


@never_cache
@login_required
def status(request, pk):
    job = _job_for(request, pk)
    return JsonResponse(_status_payload(job, request.user))


@login_required
def download(request, pk):
    job = _job_for(request, pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    return private_file_response(
        job.result_file,
        filename=job.result_name or "result",
        content_type=job.result_content_type or "application/octet-stream",
    )


@require_POST
@login_required
def retry(request, pk):
    job = _job_for(request, pk)
    try:
        again = jobs.retry(job=job, by=request.user)
    except (jobs.NotRetryable, jobs.UnknownJobKind):
        messages.warning(request, _("该任务不能重新运行。"))
        return redirect("jobs:detail", pk=job.pk)
    messages.info(request, _("已重新开始运行。"))
    return redirect("jobs:detail", pk=again.pk)


@login_required
def job_list(request):
    items = jobs.visible_jobs(request.user).filter(created_by=request.user)[:50]
    return render(request, "portal/job_list.html", {"jobs": items})
