"""Upward reports and the internal notes of a case."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases import services
from cases.admin._common import _error_text
from cases.models import (
    CaseNote,
    UpwardReport,
)
from cases.permissions import can_sign_report, visible_reports
from documents.selectors import subject_documents
from portal.admin_lists import FastListMixin
from portal.converters import get_by_id_or_404
from portal.roles import is_center_member
from portal.twofactor import require_fresh_factor


@admin.register(UpwardReport)
class UpwardReportAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["title", "case", "recipient", "status", "number", "created_by", "signed_by", "sent_at"]
    list_filter = ["status", "recipient"]
    list_select_related = ["case", "created_by", "signed_by"]
    search_fields = ["title", "number", "case__number"]
    fields = [
        "case",
        "recipient",
        "title",
        "summary",
        "status",
        "number",
        "created_by",
        "signed_by",
        "signed_at",
        "answered_at",
        "answer",
    ]
    change_form_template = "admin/cases/upwardreport/change_form.html"

    def get_queryset(self, request):
        return visible_reports(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return is_center_member(request.user) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        always = ["case", "status", "number", "created_by", "signed_by", "signed_at", "answered_at", "answer"]
        if obj is not None and obj.status != UpwardReport.Status.DRAFT:
            return [*always, "recipient", "title", "summary"]
        return always

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/act/", wrap(require_POST(self.act_view)), name="cases_upwardreport_act"),
            *super().get_urls(),
        ]

    ACTIONS = {
        "submit": (services.report_submit, _("已提交签发，主任和副主任已收到通知。")),
        "sign": (services.report_sign, _("已签发，报告文号已生成，PDF 正在生成。")),
    }

    def act_view(self, request, pk):
        if not is_center_member(request.user):
            raise Http404
        report = get_object_or_404(visible_reports(request.user), pk=pk)
        action = request.POST.get("action", "")
        # Signing asks for the second factor again, as for letters.
        if action == "sign" and (confirm := require_fresh_factor(request)) is not None:
            return confirm
        seen_revision = request.POST.get("seen_revision")
        try:
            if action in self.ACTIONS:
                service, success = self.ACTIONS[action]
                service(report=report, by=request.user, seen_revision=seen_revision)
            elif action == "return":
                services.report_return(
                    report=report, by=request.user, reason=request.POST.get("reason", ""), seen_revision=seen_revision
                )
                success = _("已退回修改。")
            elif action == "answer":
                services.report_record_answer(report=report, answer=request.POST.get("answer", ""), by=request.user)
                success = _("已记录上级回复。")
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cases_upwardreport_change", args=[report.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = get_by_id_or_404(visible_reports(request.user).select_related("created_by", "signed_by"), object_id)
        documents = subject_documents(request.user, report, include_superseded=True, include_unready=True)
        return super().change_view(
            request,
            object_id,
            form_url,
            {
                **(extra_context or {}),
                "report": report,
                "documents": documents,
                "can_sign": can_sign_report(request.user, report),
                "Status": UpwardReport.Status,
            },
        )

    def save_model(self, request, obj, form, change):
        # Only the draft's wording is edited here (recipient, title, body), through the service
        # that logs it; status, number and dates change through the steps below the form.
        if obj.status == UpwardReport.Status.DRAFT:
            services.report_update(
                report=obj,
                recipient=obj.recipient,
                title=obj.title,
                summary=obj.summary,
                by=request.user,
            )


@admin.register(CaseNote)
class CaseNoteAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["case", "author", "created_at", "text"]
    list_select_related = ["case", "author"]
    search_fields = ["case__number", "text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
