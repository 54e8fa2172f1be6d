"""The work reports in the admin: the list with the draft form (a period → a job that computes the
figures), the report's page with the commentary, the figures as the PDF will print them, and the
steps (refresh figures, submit, return, sign, link the meeting, download the signed PDF)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from documents.formatting import chinese_date
from documents.selectors import subject_documents
from portal import jobs
from portal.admin_lists import FastListMixin, cached_filter
from portal.admin_scope import NotFoundOutsideQuerysetMixin
from portal.converters import parse_int
from portal.roles import is_center_member
from portal.transitions import check_fresh
from portal.twofactor import require_fresh_factor
from reporting import report_text, services
from reporting.models import WorkReport
from reporting.permissions import can_edit_work_report, can_sign_work_report, visible_work_reports
from reporting.report_registration import DRAFT_JOB


def _error_text(exc):
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class DraftForm(forms.Form):
    """Which period to draft: a quarter, or a whole year."""

    kind = forms.ChoiceField(label=_("报告类型"), choices=WorkReport.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(q, _("第%(q)s季度") % {"q": q}) for q in range(1, 5)]],
    )

    @staticmethod
    def last_quarter(today=None):
        today = today or timezone.localdate()
        quarter = (today.month - 1) // 3 + 1
        return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


class WorkReportForm(forms.ModelForm):
    """The commentary, with the revision the page showed (a change made meanwhile is refused)."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WorkReport
        fields = ["overview", "achievements", "problems", "next_steps"]
        widgets = {name: forms.Textarea(attrs={"rows": 6, "cols": 90}) for name in services.COMMENTARY}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = WorkReport.objects.get(pk=self.instance.pk)
            try:
                check_fresh(stored, cleaned.get("seen_revision"))
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return cleaned


@admin.register(WorkReport)
class WorkReportAdmin(FastListMixin, NotFoundOutsideQuerysetMixin, admin.ModelAdmin):
    form = WorkReportForm
    list_display = ["period_display", "kind", "status", "number", "meeting", "created_by", "signed_by", "signed_at"]
    list_display_links = ["period_display"]
    list_filter = ["kind", "status", cached_filter("year")]
    list_select_related = ["meeting", "created_by", "signed_by"]
    search_fields = ["title", "number"]
    change_form_template = "reporting/report_admin_change_form.html"
    change_list_template = "reporting/report_admin_change_list.html"
    INFO = [
        "title",
        "kind",
        "year",
        "quarter",
        "period_first",
        "period_last",
        "status",
        "number",
        "meeting",
        "figures_at",
        "created_by",
        "signed_by",
        "signed_at",
    ]

    @admin.display(description=_("期间"), ordering="period_first")
    def period_display(self, obj):
        return obj.period_name

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": self.INFO}),
            (_("评述（由中心工作人员撰写）"), {"fields": list(services.COMMENTARY)}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == WorkReport.Status.DRAFT and can_edit_work_report(request.user, obj):
            return self.INFO
        return [*self.INFO, *services.COMMENTARY]

    # Center members work on the reports (the rules are reporting.permissions).
    def get_queryset(self, request):
        return visible_work_reports(request.user).select_related("meeting", "created_by", "signed_by", "document")

    def has_module_permission(self, request):
        return is_center_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_center_member(request.user)

    def has_change_permission(self, request, obj=None):
        # A report past its draft is only viewed here (no save buttons); its steps are below the form.
        editable = obj is None or obj.status == WorkReport.Status.DRAFT
        return editable and can_edit_work_report(request.user, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("draft/", wrap(require_POST(self.draft_view)), name="reporting_workreport_draft"),
            path("<id:pk>/act/", wrap(require_POST(self.act_view)), name="reporting_workreport_act"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        year, quarter = DraftForm.last_quarter()
        form = DraftForm(initial={"kind": WorkReport.Kind.QUARTERLY, "year": year, "quarter": quarter})
        return super().changelist_view(request, {**(extra_context or {}), "draft_form": form})

    def _start_job(self, request, report):
        job = jobs.start(
            kind=DRAFT_JOB,
            label=str(_("起草%(title)s") % {"title": report.title}),
            params={"report_id": report.pk},
            by=request.user,
        )
        return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))

    def draft_view(self, request):
        """起草报告: record the report of the period and start the job that computes its figures."""
        if not can_edit_work_report(request.user):
            raise Http404
        form = DraftForm(request.POST)
        changelist = reverse("admin:reporting_workreport_changelist")
        if not form.is_valid():
            errors = "；".join(
                f"{form.fields[f].label if f in form.fields else ''}{' '.join(e)}" for f, e in form.errors.items()
            )
            self.message_user(request, errors, messages.ERROR)
            return HttpResponseRedirect(changelist)
        try:
            report = services.work_report_draft(
                kind=form.cleaned_data["kind"],
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
                by=request.user,
            )
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            return HttpResponseRedirect(changelist)
        return self._start_job(request, report)

    def act_view(self, request, pk):
        report = self.object_or_404(request, pk)
        action = request.POST.get("action", "")
        # Signing asks for the second factor again, as for letters and reports.
        if action == "sign" and (confirm := require_fresh_factor(request)) is not None:
            return confirm
        seen_revision = request.POST.get("seen_revision")
        here = HttpResponseRedirect(reverse("admin:reporting_workreport_change", args=[report.pk]))
        try:
            if action == "refresh":
                if not can_edit_work_report(request.user, report):
                    raise Http404
                if report.status != WorkReport.Status.DRAFT:
                    raise ValidationError(_("只有草稿可以更新统计数据。"))
                if parse_int(seen_revision) is not None:
                    check_fresh(report, seen_revision)
                return self._start_job(request, report)
            if action == "submit":
                services.work_report_submit(report=report, by=request.user, seen_revision=seen_revision)
                success = _("已提交主任审签，主任已收到通知。")
            elif action == "return":
                services.work_report_return(
                    report=report, by=request.user, reason=request.POST.get("reason", ""), seen_revision=seen_revision
                )
                success = _("已退回修改。")
            elif action == "sign":
                services.work_report_sign(report=report, by=request.user, seen_revision=seen_revision)
                success = _("已签发，文号已生成，PDF 正在生成。")
            elif action == "link_meeting":
                report = services.work_report_link_meeting(report=report, by=request.user)
                success = _("已关联%(meeting)s。") % {"meeting": report.meeting}
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return here

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.object_or_404(request, object_id)
        documents = subject_documents(request.user, report, include_superseded=True, include_unready=True)
        return super().change_view(
            request,
            object_id,
            form_url,
            {
                **(extra_context or {}),
                "report": report,
                "documents": documents,
                "figure_blocks": report_text.figure_blocks(
                    report.figures,
                    period_word=report_text.period_word(report),
                    as_of=chinese_date(timezone.localdate(report.figures_at)) if report.figures_at else "—",
                )
                if report.figures
                else [],
                "can_edit": can_edit_work_report(request.user, report),
                "can_sign": can_sign_work_report(request.user, report),
                "Status": WorkReport.Status,
            },
        )

    def save_model(self, request, obj, form, change):
        # Only the commentary of a draft is edited here, through the service that logs it; the
        # figures, the status and the number change through the steps below the form.
        if obj.status != WorkReport.Status.DRAFT:
            return
        try:
            services.work_report_update(
                report=obj,
                by=request.user,
                seen_revision=form.cleaned_data.get("seen_revision"),
                **{name: form.cleaned_data.get(name, "") for name in services.COMMENTARY},
            )
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
