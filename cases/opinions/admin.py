"""The guidance opinion in the admin: drafting, review, signature and correction, each a
button that calls one service. A refused action (Forbidden) is the 403 page with its reason;
a wrong state or missing text comes back as a message on the opinion's page."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases.opinions.forms import GuidanceOpinionForm, ReasonForm, ReviewForm
from cases.opinions.models import GuidanceOpinion, ResponseOption
from cases.opinions.permissions import (
    can_edit_opinion,
    can_reopen_opinion,
    can_review_opinion,
    can_sign_opinion,
    visible_opinions,
)
from cases.opinions.services import (
    OPINION_TEXT_FIELDS,
    opinion_create,
    opinion_preview,
    opinion_quote_experts,
    opinion_reopen,
    opinion_review,
    opinion_sign,
    opinion_submit,
    opinion_update,
)
from cases.permissions import visible_cases
from documents.formatting import person_name
from portal.admin_lists import FastListMixin
from portal.audit import entries_for
from portal.twofactor import require_fresh_factor

S = GuidanceOpinion.Status


@admin.register(GuidanceOpinion)
class GuidanceOpinionAdmin(FastListMixin, admin.ModelAdmin):
    form = GuidanceOpinionForm
    list_display = ["__str__", "case", "status", "drafted_by", "reviewed_by", "signed_by", "signed_at"]
    list_filter = ["status"]
    list_select_related = ["case", "document", "drafted_by", "reviewed_by", "signed_by"]
    search_fields = ["case__number", "addressee", "document__number"]
    raw_id_fields = ["case"]
    change_form_template = "cases/admin/opinion_change_form.html"
    fieldsets = [
        (None, {"fields": ["case", "title", "addressee", "seen_revision"]}),
        (
            _("正文"),
            {"fields": ["dispute_summary", "analysis", "responses", "responses_detail", "risks", "next_steps"]},
        ),
        (_("专家意见与参考"), {"fields": ["expert_opinions", "referenced_laws", "service_providers", "copy_to"]}),
        (
            _("审核与签发"),
            {"fields": ["status", "drafted_by", "reviewed_by", "reviewed_at", "review_note", "signed_by", "document"]},
        ),
        (_("流转记录"), {"fields": ["history"]}),
    ]
    base_readonly = [
        "status",
        "drafted_by",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "signed_by",
        "document",
        "history",
    ]

    def get_queryset(self, request):
        # The list's columns (a case shows its number): with a select_related of its own the change
        # list adds none. Not the case's application: a join more made planning the list's query
        # slower than running it.
        return visible_opinions(request.user).select_related(
            "case", "document", "drafted_by", "reviewed_by", "signed_by"
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.base_readonly
        locked = ["case"]
        if obj.status != S.DRAFT:
            locked += [*OPINION_TEXT_FIELDS, "responses_labels"]
        return [*self.base_readonly, *locked]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return [(name, options) for name, options in fieldsets if "history" not in options["fields"]]
        if obj.status == S.DRAFT:
            return fieldsets
        # A locked opinion shows its recommended responses by their labels (the admin's own
        # read-only display does not understand a list of choices and shows "-").
        return [
            (name, {**options, "fields": ["responses_labels" if f == "responses" else f for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=GuidanceOpinion._meta.get_field("responses").verbose_name)
    def responses_labels(self, opinion):
        labels = dict(ResponseOption.choices)
        return "、".join(str(labels.get(value, value)) for value in opinion.responses) or "—"

    @admin.display(description=_("流转记录"))
    def history(self, opinion):
        """The opinion's entries in the audit log, internal notes included (staff only)."""
        entries = list(entries_for(opinion))
        if not entries:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry.created.strftime("%Y-%m-%d %H:%M"),
                    entry.action_label,
                    entry.status_change,
                    person_name(entry.actor) if entry.actor_id else "—",
                    entry.note,
                )
                for entry in entries
            ),
        )
        return format_html('<table data-testid="opinion-history"><tbody>{}</tbody></table>', rows)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        case_id = request.GET.get("case")
        if case_id and str(case_id).isdigit():
            case = visible_cases(request.user).select_related("application").filter(pk=case_id).first()
            if case is not None:
                initial["addressee"] = case.application.applicant_name
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = visible_cases(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in OPINION_TEXT_FIELDS if name in form.cleaned_data}
        if not data.get("addressee"):
            data.pop("addressee", None)
        if change:
            saved = opinion_update(
                opinion=obj, by=request.user, data=data, seen_revision=form.cleaned_data.get("seen_revision")
            )
        else:
            saved = opinion_create(case=form.cleaned_data["case"], by=request.user, **data)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "；".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        opinion = self.get_object(request, object_id)
        extra = {}
        if opinion is not None:
            user = request.user
            extra = {
                "opinion": opinion,
                "can_submit": opinion.status == S.DRAFT and can_edit_opinion(user, opinion),
                "can_review": opinion.status == S.IN_REVIEW and can_review_opinion(user, opinion),
                "can_sign": opinion.status == S.APPROVED and can_sign_opinion(user, opinion),
                "awaiting_signer": opinion.status == S.APPROVED and not can_sign_opinion(user, opinion),
                "can_reopen": opinion.status == S.SIGNED and can_reopen_opinion(user, opinion),
                "review_form": ReviewForm(),
                "reason_form": ReasonForm(),
                "case_file_url": reverse("cases:case_file", args=[opinion.case_id]),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        def view(name, func):
            return path(
                f"<id:pk>/{name}/",
                self.admin_site.admin_view(require_POST(func)),
                name=f"cases_guidanceopinion_{name.replace('-', '_')}",
            )

        return [
            path(
                "<id:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="cases_guidanceopinion_preview",
            ),
            view("submit", self.submit_view),
            view("review", self.review_view),
            view("sign", self.sign_view),
            view("reopen", self.reopen_view),
            view("quote-experts", self.quote_view),
            *super().get_urls(),
        ]

    def _opinion(self, request, pk):
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back(self, pk):
        return HttpResponseRedirect(reverse("admin:cases_guidanceopinion_change", args=[pk]))

    def _run(self, request, pk, action, success):
        # Forbidden is not caught: the 403 page states why. A wrong state, a stale page or
        # missing text is a message on the opinion's page.
        try:
            action()
        except ValidationError as exc:
            self.message_user(request, "；".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return self._back(pk)

    def preview_view(self, request, pk):
        opinion = self._opinion(request, pk)
        pdf = opinion_preview(opinion=opinion, by=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="opinion-preview-{opinion.pk}.pdf"'
        return response

    def submit_view(self, request, pk):
        opinion = self._opinion(request, pk)
        return self._run(request, pk, lambda: opinion_submit(opinion=opinion, by=request.user), _("已提交承办人审核。"))

    def review_view(self, request, pk):
        opinion = self._opinion(request, pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("请选择审核结论。"), messages.ERROR)
            return self._back(pk)
        approve = form.cleaned_data["decision"] == "approve"
        return self._run(
            request,
            pk,
            lambda: opinion_review(opinion=opinion, by=request.user, approve=approve, note=form.cleaned_data["note"]),
            _("已审核通过，等待主任或副主任签发。") if approve else _("已退回起草人修改。"),
        )

    def sign_view(self, request, pk):
        opinion = self._opinion(request, pk)
        if (confirm := require_fresh_factor(request)) is not None:
            return confirm
        return self._run(
            request,
            pk,
            lambda: opinion_sign(opinion=opinion, by=request.user),
            _("已签发。带数字签名的意见书正在生成，完成后将送达申请人。"),
        )

    def reopen_view(self, request, pk):
        opinion = self._opinion(request, pk)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return self._run(
            request,
            pk,
            lambda: opinion_reopen(opinion=opinion, by=request.user, reason=reason),
            _("已重新打开更正。更正后重新签发将取得新文号，原文书标记为已被取代。"),
        )

    def quote_view(self, request, pk):
        opinion = self._opinion(request, pk)
        return self._run(
            request,
            pk,
            lambda: opinion_quote_experts(opinion=opinion, by=request.user),
            _("已引用本案专家意见，请在“专家意见摘要”中修改。"),
        )
