"""The case list and the case page: every button posts to a small view that calls one service."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.admin.filters import PointScopeFilter
from applications.choices import DisputeLevel
from applications.selectors import display_value
from applications.selectors import timeline as application_timeline
from applications.services.deadlines import foreign_deadline_bounds, foreign_deadline_level
from cases import services
from cases.admin._common import STATUS_COLOURS, _add_errors, _error_text, badge
from cases.admin.filters import (
    AgencyFilter,
    ApplicantCategoryFilter,
    CountryFilter,
    DeadlineFilter,
    DisputeTypeFilter,
    EndedFilter,
    ForeignDeadlineFilter,
    HandlerFilter,
    OpenedFilter,
    OpponentTypeFilter,
    RightTypeFilter,
    ServicePointFilter,
)
from cases.forms import AssignForm, LetterForm, RegradeForm, ReportForm, TerminateForm
from cases.models import (
    OPEN_STATUSES,
    Case,
)
from cases.permissions import can_read_case_in_admin, is_service_point_user, visible_cases
from cases.selectors import DEADLINE_LABELS, deadline_state, due_soon_limit, list_windows
from documents.selectors import case_documents
from portal.admin_filters import (
    DateHierarchyGuardMixin,
    with_periods_from_range,
)
from portal.admin_lists import FastListMixin
from portal.audit import entries_for
from portal.converters import get_by_id_or_404
from portal.roles import is_center_member


@admin.register(Case)
class CaseAdmin(FastListMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    """The staff's main workplace, at a hundred thousand cases and more: every column comes from the
    case row (with its copies of the application's answers) and its handler, the deadline windows and the filters'
    choices from a one-minute cache, the count from the planner's estimate beyond 1,000 rows ("约 N",
    portal.admin_filters.ApproximateCountPaginator), the date hierarchy's years from MIN/MAX, and
    the search from the trigram index (get_search_results). tests/cases/test_admin_list_queries.py
    pins the number of queries; tests/bench/bench_admin.py times it."""

    list_display = [
        "number",
        "applicant_name",
        "status_badge",
        "level_badge",
        "handler",
        "deadline_badge",
        "foreign_deadline_badge",
        "opened_at",
    ]
    list_display_links = ["number"]
    list_filter = [
        "status",
        "level",
        HandlerFilter,
        AgencyFilter,
        CountryFilter,
        DisputeTypeFilter,
        RightTypeFilter,
        "technical_field",
        DeadlineFilter,
        ForeignDeadlineFilter,
        # The statistics page's drill-down (shown only while in use, the workstation on its own).
        OpenedFilter,
        EndedFilter,
        OpponentTypeFilter,
        ApplicantCategoryFilter,
        ServicePointFilter,
        PointScopeFilter,
    ]
    search_fields = ["search_text"]
    search_help_text = _("按案件编号、申请编号、申请人、统一社会信用代码或申请事项检索")
    date_hierarchy = "opened_at"
    list_select_related = ["handler"]
    list_per_page = 50
    list_max_show_all = 500
    show_full_result_count = False
    actions = ["assign_handler"]

    def get_queryset(self, request):
        # The list's columns are all on the case row (its copies of the application's answers).
        return with_periods_from_range(visible_cases(request.user).select_related("handler"))

    def get_object(self, request, object_id, from_field=None):
        # Django's, with the application read in the same query: the case page shows its answers.
        queryset = self.get_queryset(request).select_related("application")
        field = Case._meta.pk if from_field is None else Case._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Case.DoesNotExist, ValidationError, ValueError):
            return None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Workstation staff read the cases of their workstation (visible_cases); only the center changes them.
        return can_read_case_in_admin(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_center_member(request.user) and super().has_change_permission(request, obj)

    def get_actions(self, request):
        return super().get_actions(request) if is_center_member(request.user) else {}

    def get_list_filter(self, request):
        # Who at the center handles a case, and which agencies were asked, is the center's business.
        if is_center_member(request.user):
            return self.list_filter
        return [item for item in self.list_filter if item not in (HandlerFilter, AgencyFilter)]

    def get_search_results(self, request, queryset, search_term):
        """Every word must appear in the case's search text (numbers, applicant, credit code,
        request); the text is stored upper-cased so a plain LIKE serves (trigram-indexed on
        PostgreSQL)."""
        for word in search_term.upper().split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    def changelist_view(self, request, extra_context=None):
        self._today = timezone.localdate()
        windows = list_windows(self._today)
        self._soon, self._foreign_bounds = windows["soon"], windows["foreign"]
        return super().changelist_view(request, extra_context)

    def _badges(self):
        """Every badge of the list (status, level, deadlines), rendered once per language instead of
        once per row."""
        language = get_language()
        cached = getattr(self, "_badge_cache", None)
        if cached is None or cached[0] != language:
            statuses = {
                value: badge(label, STATUS_COLOURS.get(value, "#6c757d")) for value, label in Case.Status.choices
            }
            levels = {value: str(label) for value, label in DisputeLevel.choices}
            levels[DisputeLevel.MAJOR] = badge(_("重大/疑难"), "#dc3545")
            deadlines = {
                "overdue": badge(DEADLINE_LABELS["overdue"], "#dc3545"),
                "soon": badge(DEADLINE_LABELS["soon"], "#ffc107"),
            }
            foreign = {
                "passed": badge(_("已届满 紧急"), "#dc3545"),
                "urgent": badge(_("紧急"), "#dc3545"),
                "soon": badge(_("临近"), "#ffc107"),
            }
            cached = self._badge_cache = (language, statuses, levels, deadlines, foreign)
        return cached

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, case):
        statuses = self._badges()[1]
        if case.status in statuses:
            return statuses[case.status]
        return badge(case.get_status_display(), STATUS_COLOURS.get(case.status, "#6c757d"))

    @admin.display(description=_("级别"), ordering="level")
    def level_badge(self, case):
        levels = self._badges()[2]
        return levels[case.level] if case.level in levels else case.get_level_display()

    @admin.display(description=_("当前期限"), ordering="due_date")
    def deadline_badge(self, case):
        if case.due_date is None:
            return "—"
        today = getattr(self, "_today", None) or timezone.localdate()
        soon = getattr(self, "_soon", None) or due_soon_limit(today)
        state = deadline_state(case.due_date, today, soon) if case.status in OPEN_STATUSES else ""
        if not state:
            return case.due_date.isoformat()
        return format_html("{} {}", case.due_date.isoformat(), self._badges()[3][state])

    @admin.display(
        description=_("境外期限"),
        ordering=F("foreign_deadline").asc(nulls_last=True),
    )
    def foreign_deadline_badge(self, case):
        """The applicant's own deadline abroad: red 紧急 within 10 working days or once passed (or
        when the applicant marked it urgent), amber within 20."""
        due = case.foreign_deadline
        foreign = self._badges()[4]
        if due is None:
            return foreign["urgent"] if case.urgent else "—"
        bounds = getattr(self, "_foreign_bounds", None)
        if bounds is None:
            bounds = self._foreign_bounds = foreign_deadline_bounds(
                getattr(self, "_today", None) or timezone.localdate()
            )
        level = foreign_deadline_level(due, bounds) if case.status in OPEN_STATUSES else None
        title = " · ".join(part for part in (case.foreign_deadline_what, case.foreign_deadline_where) if part)
        text = format_html('<span title="{}">{}</span>', title, due.isoformat()) if title else due.isoformat()
        if level == "passed":
            return format_html("{} {}", text, foreign["passed"])
        if level == "alert" or (case.urgent and level is not None):
            return format_html("{} {}", text, foreign["urgent"])
        if level == "soon":
            return format_html("{} {}", text, foreign["soon"])
        return text

    # -------------------------------------------------------------- bulk assign

    @admin.action(description=_("指定承办人（批量）"))
    def assign_handler(self, request, queryset):
        if "apply" in request.POST:
            form = AssignForm(request.POST)
            if form.is_valid():
                done, failed = 0, []
                for case in queryset:
                    try:
                        services.case_assign(case=case, handler=form.cleaned_data["handler"], by=request.user)
                        done += 1
                    except ValidationError as exc:
                        failed.append(f"{case.number}：{_error_text(exc)}")
                self.message_user(request, _("已为 %(n)d 个案件指定承办人。") % {"n": done}, messages.SUCCESS)
                for line in failed:
                    self.message_user(request, line, messages.ERROR)
                return None
        else:
            form = AssignForm()
        return render(
            request,
            "admin/cases/case/assign.html",
            {
                **self.admin_site.each_context(request),
                "title": _("指定承办人"),
                "cases": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    # -------------------------------------------------------------- the case page

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = "cases_case_"
        return [
            path("<id:pk>/transition/", wrap(self.transition_view), name=name + "transition"),
            path("<id:pk>/assign/", wrap(self.assign_view), name=name + "assign"),
            path("<id:pk>/contact/", wrap(self.contact_view), name=name + "contact"),
            path("<id:pk>/input/", wrap(self.input_view), name=name + "input"),
            path("<id:pk>/note/", wrap(self.note_view), name=name + "note"),
            path("<id:pk>/regrade/", wrap(self.regrade_view), name=name + "regrade"),
            path("<id:pk>/terminate/", wrap(self.terminate_view), name=name + "terminate"),
            path("<id:pk>/letter/", wrap(self.letter_view), name=name + "letter"),
            path("<id:pk>/report/", wrap(self.report_view), name=name + "report"),
            *super().get_urls(),
        ]

    def _case(self, request, pk):
        if not is_center_member(request.user):
            raise Http404
        return get_object_or_404(visible_cases(request.user), pk=pk)

    def _back(self, case):
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not can_read_case_in_admin(request.user):
            raise Http404
        case = get_by_id_or_404(
            visible_cases(request.user).select_related("handler", "application", "application__applicant"),
            object_id,
        )
        if not is_center_member(request.user):
            return TemplateResponse(request, "admin/cases/case/read_only.html", self.read_only_context(request, case))
        return TemplateResponse(request, "admin/cases/case/change_form.html", self.case_page_context(request, case))

    def history_view(self, request, object_id, extra_context=None):
        # A case outside the user's view is a 404 here too, not the admin's "may have been deleted" redirect.
        if not can_read_case_in_admin(request.user):
            raise Http404
        get_by_id_or_404(visible_cases(request.user), object_id)
        return super().history_view(request, object_id, extra_context)

    def read_only_context(self, request, case):
        """What a workstation's staff read about a case of their workstation: where it stands, its
        deadlines, the application as filed and the steps the applicant also sees (no internal
        notes, letters or documents; no buttons)."""
        application = case.application
        today = timezone.localdate()
        windows = list_windows(today)  # the calendar's windows, read at most once a minute
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("案件 %(number)s") % {"number": case.number},
            "case": case,
            "application": application,
            "summary": services.case_summary(case),
            "steps": application_timeline(application),
            "deadline_state": deadline_state(case.due_date, today, windows["soon"]) if case.is_open else "",
            "foreign_level": foreign_deadline_level(application.foreign_deadline, windows["foreign"])
            if case.is_open
            else None,
            "is_service_point_user": is_service_point_user(request.user),
        }

    def case_page_context(self, request, case, **extra):
        application = case.application
        letters = list(
            case.letters.select_related("drafted_by", "signed_by")
            .prefetch_related("recipients__agency", "recipients__attachments", "recipients__nominations")
            .order_by("-created_at")
        )
        reports = list(case.upward_reports.order_by("-created_at"))
        today = timezone.localdate()
        windows = list_windows(today)  # the calendar's windows, read at most once a minute
        transitions = [
            (status, Case.Status(status).label)
            for status in sorted(services.CASE_TRANSITIONS.get(case.status, ()), key=list(Case.Status).index)
            if status != Case.Status.TERMINATED
        ]
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("案件 %(number)s") % {"number": case.number},
            "case": case,
            "application": application,
            "summary": services.case_summary(case),
            # The paper form's check boxes: every type and field ticked, as labels.
            "opponent_types": display_value("opponent_types", application.opponent_types),
            "technical_fields": display_value("technical_fields", application.technical_fields),
            "attachments": list(application.attachments.all()),
            # The case's whole history from the audit log: its letters, reports, documents and
            # opinion included; staff read the internal notes too.
            "events": list(entries_for(case, with_scope=True).select_related("content_type")),
            "letters": letters,
            "notes": list(case.notes.select_related("author")),
            "reports": reports,
            # Every document of the case, old versions and renders in progress included.
            "documents": list(
                case_documents(request.user, case, include_superseded=True, include_unready=True).reverse()
            ),
            "transitions": transitions,
            "can_terminate": Case.Status.TERMINATED in services.CASE_TRANSITIONS.get(case.status, ()),
            "is_open": case.is_open,
            "deadline_state": deadline_state(case.due_date, today, windows["soon"]) if case.is_open else "",
            "deadline_labels": DEADLINE_LABELS,
            "foreign_level": foreign_deadline_level(application.foreign_deadline, windows["foreign"])
            if case.is_open
            else None,
            "assign_form": AssignForm(initial={"handler": case.handler_id}),
            "regrade_form": RegradeForm(initial={"level": case.level}),
            "report_form": ReportForm(),
            "expert_nomination_url": "/admin/experts/expertnomination/",
            "guidance_opinion_url": f"/admin/cases/guidanceopinion/add/?case={case.pk}",
            **extra,
        }

    def _run(self, request, case, call, success):
        try:
            call()
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            return False
        self.message_user(request, success, messages.SUCCESS)
        return True

    def transition_view(self, request, pk):
        case = self._case(request, pk)
        if request.method != "POST":
            return self._back(case)
        target = request.POST.get("to_status", "")
        label = Case.Status(target).label if target in Case.Status.values else target
        self._run(
            request,
            case,
            lambda: services.case_transition(
                case=case,
                to_status=target,
                by=request.user,
                note=request.POST.get("note", ""),
                public_note=request.POST.get("public_note", ""),
                seen_revision=request.POST.get("seen_revision"),
            ),
            _("案件已变更为“%(status)s”。") % {"status": label},
        )
        return self._back(case)

    def assign_view(self, request, pk):
        case = self._case(request, pk)
        if request.method == "POST":
            form = AssignForm(request.POST)
            if form.is_valid():
                self._run(
                    request,
                    case,
                    lambda: services.case_assign(
                        case=case,
                        handler=form.cleaned_data["handler"],
                        by=request.user,
                        seen_revision=request.POST.get("seen_revision"),
                    ),
                    _("已指定承办人。"),
                )
            else:
                self.message_user(request, _("请选择承办人。"), messages.ERROR)
        return self._back(case)

    def contact_view(self, request, pk):
        case = self._case(request, pk)
        if request.method == "POST":
            self._run(
                request,
                case,
                lambda: services.case_record_contact(case=case, by=request.user, note=request.POST.get("note", "")),
                _("已记录首次联系。"),
            )
        return self._back(case)

    def input_view(self, request, pk):
        """Ask the applicant for input (the opinion deadline pauses), or record the answer."""
        case = self._case(request, pk)
        if request.method == "POST":
            if request.POST.get("action") == "resume":
                self._run(
                    request,
                    case,
                    lambda: services.case_resume(case=case, by=request.user, note=request.POST.get("note", "")),
                    _("已记录申请人的答复，期限恢复计算。"),
                )
            else:
                self._run(
                    request,
                    case,
                    lambda: services.case_request_input(
                        case=case,
                        by=request.user,
                        request=request.POST.get("request", ""),
                        seen_revision=request.POST.get("seen_revision"),
                    ),
                    _("已请申请人补充材料，指导意见期限暂停计算。"),
                )
        return self._back(case)

    def note_view(self, request, pk):
        case = self._case(request, pk)
        if request.method == "POST":
            self._run(
                request,
                case,
                lambda: services.case_add_note(case=case, text=request.POST.get("text", ""), by=request.user),
                _("备注已保存。"),
            )
        return self._back(case)

    def regrade_view(self, request, pk):
        case = self._case(request, pk)
        if request.method == "POST":
            form = RegradeForm(request.POST)
            if form.is_valid():
                self._run(
                    request,
                    case,
                    lambda: services.case_regrade(
                        case=case,
                        level=form.cleaned_data["level"],
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                        seen_revision=request.POST.get("seen_revision"),
                    ),
                    _("纠纷级别已调整。"),
                )
            else:
                self.message_user(request, _("请选择级别并填写调整理由。"), messages.ERROR)
        return self._back(case)

    def _form_page(self, request, case, form, title, template, **extra):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "case": case,
                "form": form,
                **extra,
            },
        )

    def terminate_view(self, request, pk):
        case = self._case(request, pk)
        form = TerminateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.case_transition(
                    case=case,
                    to_status=Case.Status.TERMINATED,
                    by=request.user,
                    note=form.cleaned_data["reason"],
                    public_note=form.cleaned_data["public_note"],
                    seen_revision=request.POST.get("seen_revision"),
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                self.message_user(request, _("案件已终止，终止办理通知书正在生成。"), messages.SUCCESS)
                return self._back(case)
        return self._form_page(request, case, form, _("终止案件"), "admin/cases/case/terminate.html")

    def letter_view(self, request, pk):
        case = self._case(request, pk)
        form = LetterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                letter = services.letter_draft(
                    case=case,
                    subject=data["subject"],
                    body=data["body"],
                    agencies=list(data["agencies"]),
                    help_kinds=data["help_kinds"],
                    due_date=data["due_date"],
                    share_contact=data["share_contact"],
                    by=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                self.message_user(request, _("协助办理函草稿已保存。"), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cases_assistanceletter_change", args=[letter.pk]))
        return self._form_page(request, case, form, _("起草协助办理函"), "admin/cases/letter_form.html")

    def report_view(self, request, pk):
        case = self._case(request, pk)
        if request.method == "POST":
            form = ReportForm(request.POST)
            if form.is_valid():
                try:
                    report = services.report_draft(case=case, recipient=form.cleaned_data["recipient"], by=request.user)
                except ValidationError as exc:
                    self.message_user(request, _error_text(exc), messages.ERROR)
                else:
                    self.message_user(request, _("已生成情况报告草稿，请核对正文后提交签发。"), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:cases_upwardreport_change", args=[report.pk]))
        return self._back(case)
