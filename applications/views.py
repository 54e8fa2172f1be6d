"""The applicant's pages. Thin: parse input, call one service, render or redirect."""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import selectors, services
from applications.choices import FORM_COUNTRIES, EvidenceCategory
from applications.forms import (
    FORM_FIELDS,
    ApplicationForm,
    EvidenceForm,
    FeedbackForm,
    JoinRequestForm,
    MessageForm,
    RegistrationForm,
)
from applications.models import Applicant, Application, Feedback, MembershipRequest
from applications.permissions import (
    can_give_feedback,
    can_join,
    can_post_message,
    decidable_membership_requests,
    editable_applications,
    visible_applications,
    visible_attachments,
    visible_membership_requests,
    visible_message_files,
)
from applications.selectors import applicant_of
from applications.services.submission import standing_hint
from applications.services.thread import FEEDBACK_FROM_APPLICANT
from documents.models import Document
from portal.access import require
from portal.models import ServicePoint
from portal.page_cache import viewer_page
from portal.permissions import require_role
from portal.roles import Role, has_role, is_center_member
from portal.storage import private_file_response
from portal.transitions import StaleObject, TransitionNotAllowed
from portal.uploads import UploadRefused, max_total_bytes
from portal.validators import mask_id_number


def _error_text(exc):
    return "；".join(exc.messages)


@viewer_page
def mine(request):
    """The applicant organisation's applications (and, for a user not yet in one, the way to join)."""
    user = request.user
    if can_join(user, None):
        return _join_page(request, JoinRequestForm())
    if not has_role(user, Role.APPLICANT):
        raise Http404
    applications = list(visible_applications(user).select_related("case", "applicant").order_by("-updated_at"))
    today = timezone.localdate()
    for application in applications:
        # Only an open application's deadline abroad matters (and costs a look at the calendar).
        open_ = application.status in OPEN_STATUSES and not (
            application.status == Application.Status.ACCEPTED
            and getattr(application, "case", None) is not None
            and application.case.closed_at is not None
        )
        application.deadline_state = selectors.foreign_deadline_state(application, today) if open_ else None
    organisation = applicant_of(user)
    return render(
        request,
        "applications/mine.html",
        {
            "applications": applications,
            "organisation": organisation,
            "masked_id": mask_id_number(organisation.id_number) if organisation and organisation.id_number else "",
            "service_point": _service_point_of(organisation),
            "join_requests": decidable_membership_requests(user).select_related("user"),
        },
    )


OPEN_STATUSES = {
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.RETURNED,
    Application.Status.ACCEPTED,
}

# Answers left out of the review and detail pages when empty (the identity fields of the other kind
# of applicant, the details of a deadline abroad that has none).
OPTIONAL_ANSWERS = ["credit_code", "id_type", "id_number", "foreign_deadline_what", "foreign_deadline_where"]


def _service_point_of(organisation):
    """The workstation that helps the applicant, if one does and is still in use."""
    if organisation is None or organisation.service_point_id is None:
        return None
    point = ServicePoint.objects.filter(pk=organisation.service_point_id, active=True).first()
    return point


def _rows(application, user):
    """The answers for the review and detail pages; a person's ID number in full only for the person's
    own account (staff and workstations read it in the workbench)."""
    rows = selectors.application_rows(application)
    own = applicant_of(user)
    if own is not None and own.pk == application.applicant_id:
        return rows
    return [(name, label, mask_id_number(value) if name == "id_number" else value) for name, label, value in rows]


@require_POST
def new(request):
    require_role(request.user, Role.APPLICANT)
    organisation = applicant_of(request.user)
    if organisation is None:
        raise Http404
    application = services.application_create(applicant=organisation, by=request.user)
    return redirect("applications:edit", pk=application.pk)


def _editable(request, pk):
    require_role(request.user, Role.APPLICANT)
    return get_object_or_404(editable_applications(request.user).select_related("applicant"), pk=pk)


def _visible_or_404(request, pk):
    return get_object_or_404(visible_applications(request.user).select_related("applicant"), pk=pk)


def _steps(application, current):
    return {
        "application": application,
        "step": current,
        "max_file_mb": settings.EVIDENCE_MAX_FILE_MB,
        "max_total_mb": settings.EVIDENCE_MAX_TOTAL_MB,
    }


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Step 1: the form itself. Saving keeps what is valid and shows the rest with its error."""
    application = get_object_or_404(visible_applications(request.user), pk=pk)
    if not application.is_editable_by_applicant or not has_role(request.user, Role.APPLICANT):
        return redirect("applications:detail", pk=pk)
    application = _editable(request, pk)
    organisation = application.applicant
    if request.method == "POST":
        # A fresh copy for the form (validation writes into it); the locked one goes to the service.
        fresh = editable_applications(request.user).get(pk=pk)
        form = ApplicationForm(request.POST, instance=fresh, organisation=organisation)
        form.is_valid()
        try:
            application = services.application_save_draft(
                application=application,
                data=form.draft_data(),
                by=request.user,
                seen_revision=form.cleaned_data.get("revision"),
            )
        except StaleObject as exc:
            form.add_error(None, exc)
            return render(request, "applications/edit.html", {**_steps(application, 1), "form": form}, status=409)
        if form.errors:
            # Keep every typed character on screen, the valid part is already saved.
            data = request.POST.copy()
            data["revision"] = application.revision
            form = ApplicationForm(data, instance=application, organisation=organisation)
            form.is_valid()
            return render(
                request, "applications/edit.html", {**_steps(application, 1), "form": form, "saved_partly": True}
            )
        messages.success(request, _("草稿已保存（%(time)s）。") % {"time": timezone.localtime().strftime("%H:%M")})
        if request.POST.get("next") == "evidence":
            return redirect("applications:evidence", pk=pk)
        return redirect("applications:edit", pk=pk)
    form = ApplicationForm(instance=application, organisation=organisation)
    return render(request, "applications/edit.html", {**_steps(application, 1), "form": form})


@require_POST
def autosave(request, pk):
    """Background save of the form every little while, so a closed tab or lost session loses little."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "login": True}, status=401)
    application = _editable(request, pk)
    form = ApplicationForm(
        request.POST, instance=editable_applications(request.user).get(pk=pk), organisation=application.applicant
    )
    form.is_valid()
    try:
        application = services.application_save_draft(
            application=application,
            data=form.draft_data(),
            by=request.user,
            seen_revision=form.cleaned_data.get("revision"),
        )
    except StaleObject as exc:
        return JsonResponse({"ok": False, "stale": True, "message": _error_text(exc)}, status=409)
    return JsonResponse(
        {
            "ok": True,
            "revision": application.revision,
            "saved_at": timezone.localtime(application.updated_at).strftime("%H:%M:%S"),
            "invalid": sorted(form.errors.keys()),
        }
    )


@require_http_methods(["GET", "POST"])
def evidence(request, pk):
    """Step 2: evidence in the four categories of the Shaoguan Qujiang notice of 2022."""
    application = get_object_or_404(visible_applications(request.user), pk=pk)
    if not application.is_editable_by_applicant or not has_role(request.user, Role.APPLICANT):
        return redirect("applications:detail", pk=pk)
    application = _editable(request, pk)
    upload_errors = []
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            stored = 0
            for upload in form.cleaned_data["files"]:
                try:
                    services.attachment_add(
                        application=application,
                        category=form.cleaned_data["category"],
                        upload=upload,
                        by=request.user,
                    )
                    stored += 1
                except ValidationError as exc:
                    upload_errors.append(_error_text(exc))
            if stored:
                messages.success(request, _("已上传 %(n)s 个文件。") % {"n": stored})
            if not upload_errors:
                return redirect("applications:evidence", pk=pk)
            for error in upload_errors:  # shown at the file field, the chosen category kept
                form.add_error("files", error)
    else:
        form = EvidenceForm(initial={"category": request.GET.get("category", EvidenceCategory.STANDING)})
    attachments = list(application.attachments.all())
    used = sum(attachment.size for attachment in attachments)
    groups = [
        (value, label, [a for a in attachments if a.category == value]) for value, label in EvidenceCategory.choices
    ]
    return render(
        request,
        "applications/evidence.html",
        {
            **_steps(application, 2),
            "form": form,
            "groups": groups,
            "upload_errors": upload_errors,
            "used": used,
            "remaining": max(max_total_bytes() - used, 0),
            "standing_hint": standing_hint(application),
        },
        status=400 if upload_errors else 200,
    )


@require_POST
def withdraw(request, pk):
    application = _visible_or_404(request, pk)
    try:
        services.application_withdraw(application=application, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("applications:mine")


@require_POST
def attachment_delete(request, pk, attachment_pk):
    application = _editable(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
        messages.success(request, _("已删除“%(name)s”。") % {"name": attachment.original_name})
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("applications:evidence", pk=pk)


@require_http_methods(["GET", "POST"])
def review(request, pk):
    """Step 3: everything at a glance, what is still missing, and the submit button."""
    application = get_object_or_404(visible_applications(request.user), pk=pk)
    if not application.is_editable_by_applicant or not has_role(request.user, Role.APPLICANT):
        if request.method == "POST" and application.number:
            messages.info(request, _("申请已提交，编号 %(number)s。") % {"number": application.number})
        return redirect("applications:detail", pk=pk)
    application = _editable(request, pk)
    error = None
    if request.method == "POST":
        try:
            application = services.application_submit(
                application=application, by=request.user, seen_revision=request.POST.get("revision")
            )
        except TransitionNotAllowed:
            # A second click on submit: the first one already went through.
            return redirect("applications:detail", pk=pk)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                _("申请已提交，编号 %(number)s。回执正在生成，生成后可在本页下载。") % {"number": application.number},
            )
            return redirect("applications:detail", pk=pk)
    problems = services.submission_problems(application)
    form = ApplicationForm(
        data=_form_data(application), instance=application, complete=True, organisation=application.applicant
    )
    form.is_valid()
    for name, errors in form.errors.items():
        if name not in problems and name != "__all__":
            problems[name] = errors[0]
    attachments = list(application.attachments.all())
    last_version = application.versions.order_by("-number").first()
    changes = None
    if last_version is not None:
        data, files = services.snapshot(application)
        changes = selectors.version_diff(last_version, SimpleNamespace(data=data, attachments=files))
        changes["changes"] = [
            (label, _readable(label, old), _readable(label, new)) for label, old, new in changes["changes"]
        ]
    return render(
        request,
        "applications/review.html",
        {
            **_steps(application, 3),
            "rows": _rows(application, request.user),
            "optional_answers": OPTIONAL_ANSWERS,
            "problems": problems,
            "problem_labels": _problem_labels(problems),
            "attachments": attachments,
            "error": error,
            "last_version": last_version,
            "changes": changes,
        },
        status=400 if error else 200,
    )


def _readable(label, value):
    """A changed answer as the applicant reads it: the urgency flag as 是/否, not True/False."""
    if label == Application._meta.get_field("urgent").verbose_name:
        return _("是") if value else _("否")
    return value


def _form_data(application):
    """The stored answers as the form would post them, to validate them the same way."""
    data = QueryDict(mutable=True)
    for name in FORM_FIELDS:
        value = getattr(application, name)
        if name == "countries":
            data.setlist("countries", [code for code in value if code in FORM_COUNTRIES])
            others = [code for code in value if code not in FORM_COUNTRIES]
            data.setlist("other_country_codes", others)
            if others or application.country_other:
                data["country_is_other"] = "on"
        elif isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    data["revision"] = application.revision
    return data


def _problem_labels(problems):
    labels = []
    for name, message in problems.items():
        if name == "attachments":
            label = _("证明材料")
            url = "evidence"
        else:
            try:
                label = Application._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
            url = "edit"
        labels.append({"field": name, "label": label, "message": message, "url": url})
    return labels


def _detail_context(request, application):
    case = getattr(application, "case", None) if application.status == Application.Status.ACCEPTED else None
    feedback = Feedback.objects.filter(application=application).first()
    feedback_open = (
        case is not None
        and case.closed_at is not None  # the case has ended (closed or terminated)
        and feedback is None
        and can_give_feedback(request.user, application)
    )
    documents = list(selectors.application_documents(application, request.user, include_unready=True))
    return {
        "application": application,
        "case": case,
        "status_words": selectors.status_words(application),
        "timeline": selectors.timeline(application),
        # Ready and still being generated, from one query.
        "documents": [document for document in documents if document.status == Document.Status.READY],
        "pending_documents": [document for document in documents if document.status == Document.Status.PENDING],
        "thread": application.messages.select_related("author").prefetch_related("files"),
        "message_form": MessageForm(),
        "feedback": feedback,
        "feedback_form": FeedbackForm() if feedback_open else None,
        "rows": _rows(application, request.user),
        "optional_answers": OPTIONAL_ANSWERS,
        "deadline_state": selectors.foreign_deadline_state(application),
        "attachments": application.attachments.all(),
        "is_center": is_center_member(request.user),
        "can_write": application.status not in {Application.Status.DRAFT, Application.Status.WITHDRAWN}
        and can_post_message(request.user, application),
    }


@viewer_page
def detail(request, pk):
    """The application and, once accepted, its case: timeline, documents, messages, feedback."""
    application = get_object_or_404(
        visible_applications(request.user).select_related("applicant", "case", "service_point"), pk=pk
    )
    if application.status == Application.Status.DRAFT and has_role(request.user, Role.APPLICANT):
        return redirect("applications:edit", pk=pk)
    return render(request, "applications/detail.html", _detail_context(request, application))


@require_POST
def message_create(request, pk):
    application = _visible_or_404(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_post(
                application=application,
                by=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            form.add_error("files" if isinstance(exc, UploadRefused) else None, exc)
        else:
            messages.success(request, _("留言已发送。"))
            return redirect(reverse("applications:detail", args=[pk]) + "#messages")
    return _detail_with(request, application, message_form=form)


@require_POST
def feedback_create(request, pk):
    application = _visible_or_404(request, pk)
    require(can_give_feedback(request.user, application), FEEDBACK_FROM_APPLICANT)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_submit(application=application, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("感谢您的评价！"))
        return redirect(reverse("applications:detail", args=[pk]) + "#feedback")
    return _detail_with(request, application, feedback_form=form)


def _detail_with(request, application, **forms):
    """The detail page again with a bound form, so that typed text and its errors stay on screen."""
    context = {**_detail_context(request, application), **forms}
    return render(request, "applications/detail.html", context, status=400)


def _file_response(stored, name, content_type):
    return private_file_response(stored, filename=name, content_type=content_type)


def attachment_download(request, pk, attachment_pk):
    attachment = get_object_or_404(
        visible_attachments(request.user).select_related("application"), pk=attachment_pk, application_id=pk
    )
    services.attachment_downloaded(attachment=attachment, by=request.user)
    return _file_response(attachment.file, attachment.original_name, attachment.content_type)


def message_file_download(request, pk, file_pk):
    item = get_object_or_404(
        visible_message_files(request.user).select_related("message__application"),
        pk=file_pk,
        message__application_id=pk,
    )
    services.message_file_downloaded(item=item, by=request.user)
    return _file_response(item.file, item.original_name, item.content_type)


@require_POST
def join(request):
    """A user not yet acting for any organisation asks to join one by its credit code."""
    if not can_join(request.user, None):
        raise Http404
    form = JoinRequestForm(request.POST)
    if form.is_valid():
        organisation = Applicant.objects.filter(credit_code=form.cleaned_data["credit_code"]).first()
        if organisation is None:
            form.add_error("credit_code", _("平台上没有这家单位。请核对代码，或联系中心为单位开通账号。"))
        else:
            try:
                services.membership_request(
                    user=request.user, applicant=organisation, by=request.user, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已提交加入申请，单位已有账号的同事或中心审核后即可使用。"))
                return redirect("applications:mine")
    return _join_page(request, form, status=400)


def _join_page(request, form, status=200):
    pending = request.user.membership_requests.filter(status=MembershipRequest.Status.PENDING).select_related(
        "applicant"
    )
    return render(request, "applications/join.html", {"form": form, "pending": pending}, status=status)


@require_POST
def membership_decide(request, request_pk, decision):
    join_request = get_object_or_404(visible_membership_requests(request.user), pk=request_pk)
    if decision not in {"approve", "reject"}:
        raise Http404
    try:
        services.membership_decide(request=join_request, by=request.user, approve=decision == "approve")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已处理 %(name)s 的加入申请。") % {"name": join_request.user.full_name})
    return redirect("applications:mine")


@require_http_methods(["GET", "POST"])
def register(request):
    """Self-registration of an applicant user together with its organisation (or a request to join it)."""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = form.existing_applicant()
        services.applicant_register(
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            password=data["password1"],
            organisation_name=data["organisation_name"],
            credit_code=data["credit_code"],
            category=data["category"],
            id_type=data["id_type"],
            id_number=data["id_number"],
        )
        return render(request, "registration/register_done.html", {"email": data["email"], "joining": existing})
    return render(request, "registration/register.html", {"form": form})
