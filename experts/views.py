"""The expert's workspace (front-end) and the center's expert pages (matching, invitations,
seminars, pool health). Views parse input, call one service, and render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.choices import EvidenceCategory
from applications.models import Attachment
from cases.models import Case
from cases.permissions import visible_cases
from documents.selectors import case_documents
from experts import services
from experts.forms import (
    AttendanceForm,
    ConcludeForm,
    DeclarationForm,
    DeclineForm,
    InviteForm,
    OpinionForm,
    RateForm,
    SeminarForm,
    UnavailabilityForm,
    ViewForm,
)
from experts.models import (
    Expert,
    ExpertAssignment,
    ExpertInvitation,
    SeminarInvitee,
)
from experts.permissions import (
    case_visible_assignments,
    expert_profile,
    seats_awaiting_declaration,
    visible_assignments,
    visible_invitations,
    visible_matchings,
    visible_opinion_attachments,
    visible_seminar_materials,
    visible_seminar_seats,
    visible_seminars,
    visible_unavailabilities,
)
from experts.selectors import (
    expert_entries_for_case,
    next_ranked_expert,
    opinions_for_case,
    pool_health,
    seminar_entries,
)
from portal.converters import get_by_id_or_404
from portal.page_cache import viewer_page
from portal.permissions import require_role
from portal.roles import CENTER_ROLES, Role
from portal.storage import private_file_response
from portal.uploads import UploadRefused


def _messages_of(exc):
    return list(exc.messages) if hasattr(exc, "messages") else [str(exc)]


def _file_response(field_file, name, content_type=None):
    return private_file_response(field_file, filename=name, content_type=content_type)


# --- The expert's side ---------------------------------------------------------------------------


def _workspace_context(request, expert, unavailability_form=None):
    context = {"expert": expert}
    if expert is None:
        return context
    # The pending invitations and the last twenty answered ones, from one query.
    invitations = list(visible_invitations(request.user).select_related("case__application").order_by("-invited_at"))
    pending = ExpertInvitation.Status.PENDING
    context["invitations"] = sorted((i for i in invitations if i.status == pending), key=lambda i: i.deadline)
    context["assignments"] = visible_assignments(request.user).select_related("case").order_by("-assigned_at")
    context["seats"] = (
        visible_seminar_seats(request.user).select_related("seminar__case").order_by("-seminar__starts_at")
    )
    context["seats_awaiting_declaration"] = (
        seats_awaiting_declaration(request.user).select_related("seminar__case").order_by("seminar__starts_at")
    )
    context["past_invitations"] = [i for i in invitations if i.status != pending][:20]
    context["periods"] = expert.unavailabilities.filter(ends_on__gte=timezone.localdate()).order_by("starts_on")
    context["unavailability_form"] = unavailability_form or UnavailabilityForm()
    return context


@login_required
@viewer_page
def workspace(request):
    """The expert's workspace: invitations, assigned cases, seminars and periods away."""
    require_role(request.user, Role.EXPERT)
    expert = expert_profile(request.user)
    return render(request, "experts/workspace.html", _workspace_context(request, expert))


@login_required
@require_POST
def unavailability_add(request):
    """The expert records a period in which they cannot take cases."""
    require_role(request.user, Role.EXPERT)
    expert = expert_profile(request.user)
    if expert is None:
        raise Http404
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.unavailability_record(
                expert=expert,
                by=request.user,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                for message in _messages_of(exc):
                    form.add_error(None, message)
        else:
            messages.success(request, _("已登记不可承接期间，期间内不会向您推荐新的案件。"))
            return redirect("experts:workspace")
    context = _workspace_context(request, expert, unavailability_form=form)
    return render(request, "experts/workspace.html", context)


@login_required
@require_POST
def unavailability_delete(request, pk):
    require_role(request.user, Role.EXPERT)
    expert = expert_profile(request.user)
    if expert is None:
        raise Http404
    period = get_object_or_404(visible_unavailabilities(request.user).select_related("expert"), pk=pk, expert=expert)
    services.unavailability_delete(period=period, by=request.user)
    messages.success(request, _("已删除该不可承接期间。"))
    return redirect("experts:workspace")


@login_required
@require_http_methods(["GET", "POST"])
def invitation_detail(request, pk):
    require_role(request.user, Role.EXPERT)
    invitation = get_object_or_404(
        visible_invitations(request.user).select_related("case__application", "expert"), pk=pk
    )
    form = DeclineForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                assignment = services.invitation_accept(invitation=invitation, by=request.user)
                messages.success(request, _("已接受邀请。请先声明是否存在利益冲突，声明后可查看案件材料。"))
                return redirect("experts:assignment", pk=assignment.pk)
            if action == "decline" and form.is_valid():
                services.invitation_decline(invitation=invitation, by=request.user, reason=form.cleaned_data["reason"])
                messages.info(request, _("已谢绝邀请，感谢您的答复。"))
                return redirect("experts:workspace")
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
            return redirect("experts:invitation", pk=invitation.pk)
    return render(request, "experts/invitation.html", {"invitation": invitation, "form": form})


def _expert_attachments(assignment):
    """Evidence an expert may read. Proof of the applicant's standing (licence, ID card) carries
    personal and contact data: it is shown only once staff release the applicant's contact details."""
    attachments = Attachment.objects.filter(application_id=assignment.case.application_id)
    if not assignment.contact_released:
        attachments = attachments.exclude(category=EvidenceCategory.STANDING)
    return attachments


def _case_material(assignment):
    return {"application": assignment.case.application, "attachments": _expert_attachments(assignment)}


@login_required
@require_http_methods(["GET", "POST"])
@viewer_page
def assignment_detail(request, pk):
    """Before the declaration: the parties (to check conflicts) and the declaration form.
    After it: the case material and the opinion form (or the submitted opinion)."""
    require_role(request.user, Role.EXPERT)
    assignment = get_object_or_404(
        visible_assignments(request.user).select_related("case__application__applicant", "expert"), pk=pk
    )
    context = {"assignment": assignment, "case": assignment.case}
    if assignment.status == ExpertAssignment.Status.AWAITING_DECLARATION:
        form = DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            no_conflict = form.cleaned_data["decision"] == "none"
            try:
                services.assignment_declare(
                    assignment=assignment,
                    by=request.user,
                    no_conflict=no_conflict,
                    statement="" if no_conflict else form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                for message in _messages_of(exc):
                    form.add_error(None, message)
            else:
                if no_conflict:
                    messages.success(request, _("已声明无利益冲突，现在可以查看案件材料。"))
                    return redirect("experts:assignment", pk=assignment.pk)
                messages.info(request, _("已记录利益冲突声明，您已退出本案。"))
                return redirect("experts:workspace")
        context["form"] = form
        return render(request, "experts/declaration.html", context)

    context.update(_case_material(assignment))
    if assignment.status == ExpertAssignment.Status.ACTIVE:
        form = OpinionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.opinion_submit(
                    assignment=assignment,
                    by=request.user,
                    analysis=data["analysis"],
                    recommendations=data["recommendations"],
                    risks=data["risks"],
                    references=data["references"],
                    files=data["files"],
                )
            except ValidationError as exc:
                for message in _messages_of(exc):
                    form.add_error("files" if isinstance(exc, UploadRefused) else None, message)
            else:
                messages.success(request, _("专家意见已提交，感谢您的支持。"))
                return redirect("experts:assignment", pk=assignment.pk)
        context["form"] = form
    else:
        context["opinion"] = getattr(assignment, "opinion", None)
    return render(request, "experts/assignment.html", context)


@login_required
def evidence_download(request, pk, attachment_pk):
    assignment = get_object_or_404(case_visible_assignments(request.user), pk=pk)
    attachment = get_object_or_404(_expert_attachments(assignment), pk=attachment_pk)
    response = _file_response(attachment.file, attachment.original_name, attachment.content_type)
    services.evidence_downloaded(assignment=assignment, attachment=attachment, by=request.user)
    return response


@login_required
def opinion_file_download(request, pk):
    attachment = get_object_or_404(visible_opinion_attachments(request.user).select_related("opinion__case"), pk=pk)
    response = _file_response(attachment.file, attachment.original_name, attachment.content_type)
    services.opinion_attachment_downloaded(attachment=attachment, by=request.user)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def seminar_seat(request, pk):
    require_role(request.user, Role.EXPERT)
    seat = get_object_or_404(visible_seminar_seats(request.user).select_related("seminar__case"), pk=pk)
    form = ViewForm(request.POST or None, initial={"view": seat.view})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in {"confirm", "decline"}:
                services.seminar_respond(invitee=seat, by=request.user, attend=action == "confirm")
                messages.success(request, _("已回复。"))
                return redirect("experts:seminar_seat", pk=seat.pk)
            if action == "view" and form.is_valid():
                services.seminar_record_view(invitee=seat, by=request.user, view=form.cleaned_data["view"])
                messages.success(request, _("观点已记录。"))
                return redirect("experts:seminar_seat", pk=seat.pk)
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
    return render(
        request,
        "experts/seminar_seat.html",
        {
            "seat": seat,
            "seminar": seat.seminar,
            "form": form,
            "materials": seat.seminar.materials.all(),
            # The case's documents delivered to this expert: the minutes of seminars attended.
            "documents": case_documents(request.user, seat.seminar.case),
        },
    )


@login_required
def seminar_material_download(request, pk):
    material = get_object_or_404(visible_seminar_materials(request.user).select_related("seminar__case"), pk=pk)
    response = _file_response(material.file, material.original_name)
    services.seminar_material_downloaded(material=material, by=request.user)
    return response


# --- The center's side ---------------------------------------------------------------------------


def _require_center(request):
    require_role(request.user, *CENTER_ROLES)


@login_required
def center_index(request):
    """The center's entry to expert work: open cases with their invitations, experts and opinions."""
    _require_center(request)
    cases = (
        Case.objects.exclude(status__in=[Case.Status.CLOSED, Case.Status.TERMINATED])
        .select_related("application", "handler")
        .annotate(
            pending_count=Count(
                "expert_invitations",
                filter=Q(expert_invitations__status=ExpertInvitation.Status.PENDING),
                distinct=True,
            ),
            working_count=Count(
                "expert_assignments",
                filter=Q(expert_assignments__status__in=ExpertAssignment.OPEN_STATUSES),
                distinct=True,
            ),
            opinion_count=Count("expert_opinions", distinct=True),
            seminar_count=Count("seminars", distinct=True),
        )
        .order_by("-opened_at")[:200]
    )
    return render(request, "experts/center/index.html", {"cases": cases})


@login_required
def case_panel(request, case_pk):
    """Everything about experts on one case: invitations, assignments, opinions, seminars."""
    _require_center(request)
    case = get_object_or_404(visible_cases(request.user).select_related("application"), pk=case_pk)
    invitations = list(case.expert_invitations.select_related("expert", "invited_by").order_by("-invited_at"))
    suggestion = None
    last_open = next(
        (
            i
            for i in invitations
            if i.status in {ExpertInvitation.Status.DECLINED, ExpertInvitation.Status.EXPIRED} and i.matching_id
        ),
        None,
    )
    if last_open is not None and not any(i.status == ExpertInvitation.Status.PENDING for i in invitations):
        expert = next_ranked_expert(last_open)
        if expert is not None:
            suggestion = {"expert": expert, "matching_id": last_open.matching_id, "after": last_open}
    return render(
        request,
        "experts/center/case_panel.html",
        {
            "case": case,
            "suggestion": suggestion,
            "default_deadline": timezone.localtime(timezone.now() + timezone.timedelta(days=3)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "invitations": invitations,
            "assignments": case.expert_assignments.select_related("expert").order_by("-assigned_at"),
            "opinions": opinions_for_case(case),
            "seminars": case.seminars.order_by("-starts_at"),
            "matchings": case.expert_matchings.select_related("run_by")[:5],
            "rate_form": RateForm(),
            "history": expert_entries_for_case(case),
        },
    )


@login_required
@require_POST
def match_run(request, case_pk):
    _require_center(request)
    case = get_object_or_404(visible_cases(request.user), pk=case_pk)
    run = services.matching_run(case=case, by=request.user)
    return redirect("experts:match", pk=run.pk)


@login_required
@require_http_methods(["GET", "POST"])
def match(request, pk):
    """The ranking as recorded, with the reasons; staff tick experts and invite them."""
    _require_center(request)
    run = get_object_or_404(visible_matchings(request.user).select_related("case__application"), pk=pk)
    form = InviteForm(request.POST or None, ranking=run.ranking)
    if request.method == "POST" and form.is_valid():
        experts = Expert.objects.in_bulk(form.cleaned_data["experts"])
        invited = []
        for expert_id in form.cleaned_data["experts"]:
            try:
                services.expert_invite(
                    case=run.case,
                    expert=experts[expert_id],
                    by=request.user,
                    deadline=form.cleaned_data["deadline"],
                    matching=run,
                    message=form.cleaned_data["message"],
                )
                invited.append(experts[expert_id].name)
            except ValidationError as exc:
                for message in _messages_of(exc):
                    messages.error(request, message)
        if invited:
            messages.success(request, _("已邀请：%(names)s。") % {"names": "、".join(invited)})
        return redirect("experts:case_panel", case_pk=run.case_id)
    return render(request, "experts/center/match.html", {"run": run, "case": run.case, "form": form})


@login_required
@require_POST
def invitation_withdraw(request, pk):
    _require_center(request)
    invitation = get_object_or_404(visible_invitations(request.user), pk=pk)
    try:
        services.invitation_withdraw(invitation=invitation, by=request.user)
        messages.success(request, _("邀请已撤回。"))
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect("experts:case_panel", case_pk=invitation.case_id)


@login_required
@require_POST
def assignment_action(request, pk, action):
    _require_center(request)
    assignment = get_object_or_404(visible_assignments(request.user), pk=pk)
    try:
        if action == "release":
            services.assignment_release_contact(assignment=assignment, by=request.user)
            messages.success(request, _("已向专家提供申请人联系方式。"))
        elif action == "withdraw":
            services.assignment_withdraw(assignment=assignment, by=request.user)
            messages.success(request, _("已撤销指派。"))
        elif action == "rate":
            form = RateForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("评分应为 1 至 5 分。"))
            services.assignment_rate(assignment=assignment, by=request.user, rating=form.cleaned_data["rating"])
            messages.success(request, _("评分已保存。"))
        else:
            raise Http404
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect("experts:case_panel", case_pk=assignment.case_id)


@login_required
@require_http_methods(["GET", "POST"])
def seminar_new(request, case_pk):
    _require_center(request)
    case = get_object_or_404(visible_cases(request.user).select_related("application"), pk=case_pk)
    form = SeminarForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            seminar = services.seminar_convene(
                case=case,
                by=request.user,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                online_link=data["online_link"],
                agenda=data["agenda"],
                experts=list(data["experts"]),
                agencies=list(data["agencies"]),
                staff_users=list(data["staff_users"]),
                materials=data["materials"],
            )
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error("materials" if isinstance(exc, UploadRefused) else None, message)
        else:
            messages.success(request, _("研讨会已召集，邀请已发出。"))
            return redirect("experts:seminar_manage", pk=seminar.pk)
    elif request.method == "GET":
        form.initial.setdefault("title", _("案件 %(case)s 专家研讨会") % {"case": case.number})
    return render(request, "experts/center/seminar_new.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def seminar_manage(request, pk):
    """Staff run the seminar: responses, attendance on the day, views, the collegial opinion."""
    _require_center(request)
    seminar = get_object_or_404(
        visible_seminars(request.user)
        .select_related("case", "minutes")
        .prefetch_related(
            Prefetch("invitees", queryset=SeminarInvitee.objects.select_related("expert", "agency", "user"))
        ),
        pk=pk,
    )
    invitees = list(seminar.invitees.all())
    experts_present = [i for i in invitees if i.kind == SeminarInvitee.Kind.EXPERT and i.attended]
    action = request.POST.get("action") if request.method == "POST" else None
    attendance_form = AttendanceForm(
        request.POST if action == "attendance" else None,
        invitees=invitees,
        initial={"present": [i.pk for i in invitees if i.response == SeminarInvitee.Response.CONFIRMED]},
    )
    conclude_form = ConcludeForm(request.POST if action == "conclude" else None, experts=experts_present)
    try:
        if action == "attendance" and attendance_form.is_valid():
            services.seminar_record_attendance(
                seminar=seminar, by=request.user, present_ids=attendance_form.cleaned_data["present"]
            )
            messages.success(request, _("出席情况已记录。"))
            return redirect("experts:seminar_manage", pk=seminar.pk)
        if action in {"confirm", "decline"}:
            # Agency representatives and staff answer by telephone or e-mail; staff record it.
            invitee = get_by_id_or_404(seminar.invitees.all(), request.POST.get("invitee"))
            services.seminar_respond(invitee=invitee, by=request.user, attend=action == "confirm")
            messages.success(request, _("已记录回复。"))
            return redirect("experts:seminar_manage", pk=seminar.pk)
        if action == "view":
            invitee = get_by_id_or_404(seminar.invitees.all(), request.POST.get("invitee"))
            services.seminar_record_view(invitee=invitee, by=request.user, view=request.POST.get("view", ""))
            messages.success(request, _("观点已记录。"))
            return redirect("experts:seminar_manage", pk=seminar.pk)
        if action == "conclude" and conclude_form.is_valid():
            data = conclude_form.cleaned_data
            services.seminar_conclude(
                seminar=seminar,
                by=request.user,
                analysis=data["analysis"],
                recommendations=data["recommendations"],
                risks=data["risks"],
                references=data["references"],
                agreement=data["agreement"],
                positions=conclude_form.positions(),
            )
            messages.success(request, _("合议意见已形成，会议纪要正在生成。"))
            return redirect("experts:seminar_manage", pk=seminar.pk)
        if action == "cancel":
            services.seminar_cancel(seminar=seminar, by=request.user)
            messages.success(request, _("研讨会已取消。"))
            return redirect("experts:seminar_manage", pk=seminar.pk)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        if action in {"view", "cancel", "confirm", "decline"}:
            return redirect("experts:seminar_manage", pk=seminar.pk)
    return render(
        request,
        "experts/center/seminar_manage.html",
        {
            "seminar": seminar,
            "case": seminar.case,
            "invitees": invitees,
            "attendance_form": attendance_form,
            "conclude_form": conclude_form,
            "materials": seminar.materials.all(),
            "history": seminar_entries(seminar),
        },
    )


@login_required
def health(request):
    _require_center(request)
    return render(request, "experts/center/health.html", pool_health())
