"""The partner agency's side of the information exchange: its submissions of every kind with their
state (and the reason of a return or a decline), a form to submit one item, and the correction of a
returned one. Also the applicant's answer to a request for consent to publish a typical case.

An agency user sees only its own agency's items (knowledge.permissions); another agency's id is a
404. The second factor is enforced for agency users by portal.twofactor's middleware, as on every
agency page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from knowledge.forms import FORMS, KIND_TITLES
from knowledge.models import Publication, TypicalCase
from knowledge.permissions import (
    SUBMISSION_KINDS,
    can_edit_submission,
    can_submit,
    model_of_kind,
    visible_submissions,
)
from knowledge.services.publication import submission_save
from knowledge.services.typical_cases import typical_case_by_consent_token, typical_case_consent_answer
from portal.audit import entries_for
from portal.permissions import require_role
from portal.roles import Role

S = Publication.Status
STATUS_BADGES = {
    S.DRAFT: "text-bg-secondary",
    S.SUBMITTED: "text-bg-info",
    S.RETURNED: "text-bg-warning",
    S.DECLINED: "text-bg-danger",
    S.PUBLISHED: "text-bg-success",
    S.WITHDRAWN: "text-bg-light",
}


def _agency_only(request):
    require_role(request.user, Role.AGENCY)
    if not can_submit(request.user):
        raise Http404


@login_required
def agency_submissions(request):
    """Everything the user's agency has sent, newest first, with its state."""
    _agency_only(request)
    rows = []
    for kind, model in SUBMISSION_KINDS.items():
        for item in visible_submissions(request.user, model).only(
            "pk",
            "agency_id",
            "status",
            "submitted_at",
            "created_at",
            "review_reason",
            "published_at",
            TITLE_FIELDS.get(kind, "title"),
        ):
            rows.append(
                {
                    "kind": kind,
                    "kind_label": model._meta.verbose_name,
                    "item": item,
                    "title": str(item),
                    "badge": STATUS_BADGES.get(item.status, "text-bg-secondary"),
                    "editable": can_edit_submission(request.user, item),
                    "public_url": item.get_absolute_url() if item.status == S.PUBLISHED else "",
                    "sort": item.submitted_at or item.created_at,
                }
            )
    rows.sort(key=lambda row: row["sort"], reverse=True)
    return render(
        request,
        "knowledge/agency/submissions.html",
        {"rows": rows, "agency": request.user.agency, "kinds": KIND_TITLES},
    )


# The field each kind's list shows as its title.
TITLE_FIELDS = {"law": "title_zh", "institution": "name"}


def _save(request, form, *, model, item=None):
    """Hand the form to the service; a refusal is shown on the form, nothing typed is lost."""
    submit = request.POST.get("action") != "draft"
    try:
        item = submission_save(model=model, by=request.user, values=form.values(), item=item, submit=submit)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None
    if submit:
        messages.success(request, _("已提交指导中心审核。审核结果会通知您，也可在“我的报送”中查看。"))
    else:
        messages.success(request, _("草稿已保存，可稍后修改并提交。"))
    return item


@login_required
def agency_submit(request, kind):
    _agency_only(request)
    model = model_of_kind(kind)
    form_class = FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid() and _save(request, form, model=model) is not None:
            return redirect("knowledge:agency_submissions")
        status = 400
    else:
        form = form_class()
        status = 200
    return render(
        request,
        "knowledge/agency/form.html",
        {"form": form, "kind": kind, "title": KIND_TITLES[kind], "item": None},
        status=status,
    )


@login_required
def agency_edit(request, kind, pk):
    """A submission of the user's agency: corrected and submitted again while it is a draft or was
    returned; read-only otherwise."""
    _agency_only(request)
    model = model_of_kind(kind)
    item = get_object_or_404(visible_submissions(request.user, model), pk=pk)
    editable = can_edit_submission(request.user, item)
    form_class = FORMS[kind]
    status = 200
    if request.method == "POST":
        if not editable:
            messages.error(
                request, _("该信息当前状态为“%(status)s”，不能修改。") % {"status": item.get_status_display()}
            )
            return redirect("knowledge:agency_edit", kind=kind, pk=item.pk)
        form = form_class(request.POST, request.FILES, instance=model._default_manager.get(pk=item.pk))
        if form.is_valid() and _save(request, form, model=model, item=item) is not None:
            return redirect("knowledge:agency_submissions")
        status = 400
    else:
        form = form_class(instance=item) if editable else None
    history = [entry for entry in entries_for(item) if entry.action_type.startswith("knowledge.item.")]
    return render(
        request,
        "knowledge/agency/form.html",
        {
            "form": form,
            "kind": kind,
            "title": KIND_TITLES[kind],
            "item": item,
            "editable": editable,
            "history": history,
            "badge": STATUS_BADGES.get(item.status),
            "public_url": item.get_absolute_url() if item.status == S.PUBLISHED else "",
        },
        status=status,
    )


def consent(request, token):
    """The applicant organisation's answer to "may we publish this typical case?" (the e-mailed link)."""
    item = typical_case_by_consent_token(token)
    if item is None:
        raise Http404
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("agree", "refuse"):
            messages.error(request, _("请选择同意或不同意。"))
        else:
            by = request.user if request.user.is_authenticated else None
            try:
                item = typical_case_consent_answer(item=item, agree=answer == "agree", by=by)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已收到您的答复，谢谢。"))
                return redirect("knowledge:consent", token=token)
    return render(
        request,
        "knowledge/agency/consent.html",
        {"item": item, "answered": item.consent != TypicalCase.Consent.REQUESTED},
    )


urlpatterns = [
    path("submissions/", agency_submissions, name="agency_submissions"),
    path("submissions/new/<slug:kind>/", agency_submit, name="agency_submit"),
    path("submissions/<slug:kind>/<id:pk>/", agency_edit, name="agency_edit"),
    path("consent/<slug:token>/", consent, name="consent"),
]
