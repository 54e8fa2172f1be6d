from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from documents.forms import ReasonForm, ReviewForm, RevokeForm
from documents.models import Document, GuidanceOpinion, OpinionEvent, ResponseOption
from documents.permissions import can_revoke, staff_documents, visible_opinions
from documents.services import (
    OPINION_TEXT_FIELDS,
    can_review,
    document_retry,
    document_revoke,
    is_stuck,
    opinion_create,
    opinion_preview,
    opinion_quote_experts,
    opinion_reopen,
    opinion_review,
    opinion_sign,
    opinion_submit,
    opinion_update,
)
from portal.access import require
from portal.admin_filters import DateHierarchyGuardMixin
from portal.audit import entries_for
from portal.roles import can_sign, is_center_member


@admin.register(Document)
class DocumentAdmin(DateHierarchyGuardMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "number",
        "version",
        "status",
        "validity",
        "digitally_signed",
        "created_at",
        "attempts",
        "download_link",
    ]
    list_filter = ["kind", "status", "digitally_signed", ("superseded_by", admin.EmptyFieldListFilter)]
    list_select_related = ["superseded_by"]
    search_fields = ["number", "title", "verification_code", "sha256"]
    date_hierarchy = "created_at"
    actions = ["retry_render"]
    readonly_fields = [
        *[field.name for field in Document._meta.fields if field.name not in {"revocation_reason", "context"}],
        "download_link",
        "verify_link",
        "history",
    ]
    exclude = ["context", "agencies", "recipients"]

    def get_queryset(self, request):
        # Staff see pending and failed renders too, so that they can retry them.
        return staff_documents(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # nothing issued is ever deleted; revoke or supersede instead

    @admin.display(description=_("效力"))
    def validity(self, document):
        if document.revoked_at:
            return _("已撤销")
        if document.superseded_by_id:
            return _("已被 %(n)s 取代") % {"n": document.superseded_by.number or document.superseded_by_id}
        if is_stuck(document):
            return _("生成超时，可重新生成")
        return _("现行")

    @admin.display(description=_("下载"))
    def download_link(self, document):
        if document.status != Document.Status.READY:
            return document.last_error[:80] if document.status == Document.Status.FAILED else "—"
        return format_html('<a href="{}">{}</a>', reverse("documents:download", args=[document.pk]), _("下载 PDF"))

    @admin.display(description=_("公开核验页"))
    def verify_link(self, document):
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', document.verify_path)

    @admin.display(description=_("操作记录"))
    def history(self, document):
        """The document's entries in the audit log: requested, rendered, retried, downloaded…"""
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(entry.created).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.action_label,
                    entry.status_change or "",
                    entry.actor or _("系统"),
                    entry.client_address or "",
                    entry.note,
                )
                for entry in entries_for(document)
            ),
        )
        return format_html(
            '<table data-testid="document-history"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            _("时间"),
            _("事项"),
            _("状态"),
            _("操作人"),
            _("客户端地址"),
            _("说明"),
            rows,
        )

    @admin.action(description=_("重新生成所选的未完成文书（生成失败或排队超时）"))
    def retry_render(self, request, queryset):
        queued = 0
        for document in queryset:
            try:
                document_retry(document=document, by=request.user)
                queued += 1
            except ValidationError as exc:
                self.message_user(request, f"{document}: {exc.message}", messages.ERROR)
        if queued:
            self.message_user(request, _("已重新排队 %(n)d 份文书，生成后即可下载。") % {"n": queued}, messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<id:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="documents_document_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, pk):
        document = get_object_or_404(staff_documents(request.user).filter(status=Document.Status.READY), pk=pk)
        require(can_revoke(request.user, document), _("只有主任或副主任可以撤销文书。"))
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                document_revoke(document=document, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("文书 %(d)s 已撤销。") % {"d": document}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("撤销文书：%(d)s") % {"d": document},
            "document": document,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "documents/admin/revoke.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, object_id)
        allowed = document is not None and can_revoke(request.user, document)
        extra_context = {**(extra_context or {}), "can_revoke": allowed}
        return super().change_view(request, object_id, form_url, extra_context)

    change_form_template = "documents/admin/document_change_form.html"


class OpinionEventInline(admin.TabularInline):
    model = OpinionEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class GuidanceOpinionForm(forms.ModelForm):
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = GuidanceOpinion
        fields = ["case", *OPINION_TEXT_FIELDS]
        widgets = {
            name: forms.Textarea(attrs={"rows": 6, "cols": 90})
            for name in (
                "dispute_summary",
                "analysis",
                "responses_detail",
                "risks",
                "next_steps",
                "expert_opinions",
                "referenced_laws",
                "service_providers",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_revision"].initial = self.instance.revision
        if "addressee" in self.fields:
            self.fields["addressee"].required = False

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            seen = data.get("seen_revision")
            current = GuidanceOpinion.objects.filter(pk=self.instance.pk).values_list("revision", "status").first()
            if current and seen is not None and seen != current[0]:
                raise forms.ValidationError(
                    _("该意见书已被他人修改，您看到的是旧版本。请复制您的修改，刷新页面后再保存。")
                )
            if current and current[1] != GuidanceOpinion.Status.DRAFT:
                raise forms.ValidationError(_("只有起草中的指导意见书可以修改。"))
        return data


@admin.register(GuidanceOpinion)
class GuidanceOpinionAdmin(admin.ModelAdmin):
    form = GuidanceOpinionForm
    list_display = ["__str__", "case", "status", "drafted_by", "reviewed_by", "signed_by", "signed_at"]
    list_filter = ["status"]
    list_select_related = ["case", "document", "drafted_by", "reviewed_by", "signed_by"]
    search_fields = ["case__number", "addressee", "document__number"]
    autocomplete_fields = []
    raw_id_fields = ["case"]
    inlines = [OpinionEventInline]
    change_form_template = "documents/admin/opinion_change_form.html"
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
    ]
    base_readonly = ["status", "drafted_by", "reviewed_by", "reviewed_at", "review_note", "signed_by", "document"]

    def get_queryset(self, request):
        return visible_opinions(request.user).select_related("case__application", "document")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.base_readonly
        locked = ["case"]
        if obj.status != GuidanceOpinion.Status.DRAFT:
            locked += [*OPINION_TEXT_FIELDS, "responses_labels"]
        return [*self.base_readonly, *locked]

    def get_fieldsets(self, request, obj=None):
        # A locked opinion shows its recommended responses by their labels (the admin's own
        # read-only display does not understand a list of choices and shows "-").
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status == GuidanceOpinion.Status.DRAFT:
            return fieldsets
        return [
            (name, {**options, "fields": ["responses_labels" if f == "responses" else f for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=GuidanceOpinion._meta.get_field("responses").verbose_name)
    def responses_labels(self, opinion):
        labels = dict(ResponseOption.choices)
        return "、".join(str(labels.get(value, value)) for value in opinion.responses) or "—"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        case_id = request.GET.get("case")
        if case_id and str(case_id).isdigit():
            from cases.models import Case

            case = Case.objects.select_related("application").filter(pk=case_id).first()
            if case is not None:
                initial["addressee"] = case.application.applicant_name
        return initial

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
            target = request.get_full_path()
            return HttpResponseRedirect(target)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        opinion = self.get_object(request, object_id)
        extra = {}
        if opinion is not None:
            extra = {
                "opinion": opinion,
                "can_submit": opinion.status == GuidanceOpinion.Status.DRAFT,
                "can_review": opinion.status == GuidanceOpinion.Status.IN_REVIEW and can_review(request.user, opinion),
                "can_sign": opinion.status == GuidanceOpinion.Status.APPROVED and can_sign(request.user),
                "awaiting_signer": opinion.status == GuidanceOpinion.Status.APPROVED and not can_sign(request.user),
                "can_reopen": opinion.status == GuidanceOpinion.Status.SIGNED,
                "review_form": ReviewForm(),
                "reason_form": ReasonForm(),
                "case_file_url": reverse("documents:case_file", args=[opinion.case_id]),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        def view(name, func):
            return path(
                f"<id:pk>/{name}/",
                self.admin_site.admin_view(require_POST(func)),
                name=f"documents_guidanceopinion_{name.replace('-', '_')}",
            )

        return [
            path(
                "<id:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="documents_guidanceopinion_preview",
            ),
            view("submit", self.submit_view),
            view("review", self.review_view),
            view("sign", self.sign_view),
            view("reopen", self.reopen_view),
            view("quote-experts", self.quote_view),
            *super().get_urls(),
        ]

    def _opinion(self, request, pk):
        if not is_center_member(request.user):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back(self, pk):
        return HttpResponseRedirect(reverse("admin:documents_guidanceopinion_change", args=[pk]))

    def _run(self, request, pk, action, success):
        try:
            action()
        except ValidationError as exc:
            self.message_user(request, "；".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return self._back(pk)

    def preview_view(self, request, pk):
        opinion = self._opinion(request, pk)
        pdf = opinion_preview(opinion=opinion)
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
