"""The knowledge platform's content in the staff workplace: review what agencies send, edit, import.

`PublicationReviewAdmin` gives any admin of a Publication model (laws, typical cases, warnings,
institutions, events) the review: the state, the submitting agency and the reason on the change
page, buttons to publish, return or decline with a reason, and withdraw; the same steps as list
actions for several items at once. Every step calls knowledge.services.publication; a refusal is
shown as a message, never a 500.

Laws, typical cases and institutions import from CSV or XLSX (django-import-export, as the expert
pool does): the upload is previewed row by row with the reason beside each bad row, nothing is
saved before staff confirm a file without errors, and the import form asks what new rows become:
drafts (reviewed and published one by one) or published at once.
"""

import functools

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from knowledge.forms import (
    CaseChoiceForm,
    LawRepealForm,
    LawVersionForm,
    PublicationConfirmImportForm,
    PublicationImportForm,
    ReasonForm,
    WithdrawForm,
)
from knowledge.models import CountryGuide, Law, OfficialFee, Publication, ServiceInstitution, TypicalCase, Warning
from knowledge.permissions import can_review, visible_submissions
from knowledge.redaction import KIND_NAMES, leaks_in
from knowledge.resources import LawResource, ServiceInstitutionResource, TypicalCaseResource
from knowledge.services import publication as services
from knowledge.services import typical_cases
from portal.admin_lists import CachedLookupsMixin, FastListMixin, cached_filter
from portal.audit import entries_for
from portal.choices import labels_of
from portal.converters import get_by_id_or_404
from portal.jobs_imports import JobImportMixin
from portal.transitions import allowed_targets

S = Publication.Status
REVIEW_FIELDS = ["status", "agency", "submitted_by", "submitted_at", "reviewed_by", "review_reason", "published_at"]
STATUS_COLOURS = {
    S.DRAFT: "#6c757d",
    S.SUBMITTED: "#0d6efd",
    S.RETURNED: "#fd7e14",
    S.DECLINED: "#dc3545",
    S.PUBLISHED: "#198754",
    S.WITHDRAWN: "#adb5bd",
}


@functools.lru_cache(maxsize=128)
def _status_badge(model, status, language):
    """A status's badge in a language: the same few on every row of a list, made once each
    (get_status_display translates every label of the field's choices at each call)."""
    label = labels_of(model._meta.get_field("status")).get(status, status)
    return format_html(
        '<span style="background:{};color:#fff;padding:1px 6px;border-radius:8px;white-space:nowrap">{}</span>',
        STATUS_COLOURS.get(status, "#6c757d"),
        label,
    )


# The review steps: (name in the address, target status, needs a reason, button label).
STEPS = {
    "publish": (S.PUBLISHED, False, _("发布")),
    "return": (S.RETURNED, True, _("退回修改")),
    "decline": (S.DECLINED, True, _("不予采用")),
    "withdraw": (S.WITHDRAWN, False, _("撤回发布")),
}


def _https(db_field, kwargs):
    """Links typed without a scheme are read as https (Django 6's default, without its warning)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return kwargs


def _error_text(exc):
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


class PresentChoicesFilter(CachedLookupsMixin, admin.SimpleListFilter):
    """A filter listing only the values present (a country list of 200 names otherwise)."""

    field_name = ""

    def lookups(self, request, model_admin):
        labels = dict(model_admin.model._meta.get_field(self.field_name).flatchoices)
        values = model_admin.get_queryset(request).order_by().values_list(self.field_name, flat=True).distinct()
        return sorted(((value, labels.get(value, value)) for value in values if value), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field_name: self.value()}) if self.value() else queryset


def present(field_name, title):
    return type(
        f"{field_name.title()}PresentFilter",
        (PresentChoicesFilter,),
        {"field_name": field_name, "title": title, "parameter_name": field_name},
    )


COUNTRY_FILTER = present("country", _("国家/地区"))


class PublicationReviewAdmin:
    """Mixin for the admin of a Publication model: access for center staff only, the review steps
    on the change page and as list actions, edits recorded and re-indexed through the services."""

    change_form_template = "admin/knowledge/change_form.html"
    change_list_template = "admin/knowledge/change_list.html"
    actions = ["publish_selected", "return_selected", "decline_selected", "withdraw_selected"]
    list_per_page = 50
    show_full_result_count = False
    # The review panel links to the public page once the item is published (a draft's would be a 404).
    view_on_site = False

    # --- Access ----------------------------------------------------------------------------------

    def get_queryset(self, request):
        return visible_submissions(request.user, self.model).select_related("agency")

    def has_module_permission(self, request):
        return can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return can_review(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return can_review(request.user, obj)

    def has_add_permission(self, request):
        return can_review(request.user)

    def has_delete_permission(self, request, obj=None):
        # Only a draft nobody sent may be deleted; anything else is withdrawn or declined instead.
        return can_review(request.user) and obj is not None and obj.status == S.DRAFT and obj.agency_id is None

    def has_import_permission(self, request):
        return can_review(request.user)

    def has_export_permission(self, request):
        return can_review(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [*REVIEW_FIELDS, *super().get_readonly_fields(request, obj)]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return super().formfield_for_dbfield(db_field, request, **_https(db_field, kwargs))

    # --- Saving ----------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.item_staff_save(item=obj, by=request.user, changed=form.changed_data, created=not change)

    # --- The change page ---------------------------------------------------------------------------

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj):
        return _status_badge(type(obj), obj.status, get_language())

    def review_context(self, request, obj):
        targets = allowed_targets(obj)
        steps = [(name, label, needs_reason) for name, (to, needs_reason, label) in STEPS.items() if to in targets]
        problems = services.publish_problems(obj) if S.PUBLISHED in targets else []
        history = [e for e in entries_for(obj).select_related("actor") if e.action_type.startswith("knowledge.")]
        return {"review_steps": steps, "publish_problems": problems, "review_history": history}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context.update(self.review_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        meta = self.model._meta
        name = f"{meta.app_label}_{meta.model_name}_"
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/review/<slug:step>/", wrap(self.review_view), name=name + "review"),
            *super().get_urls(),
        ]

    def _change_url(self, obj):
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])

    def review_view(self, request, pk, step):
        """One review step on one item: publish and withdraw are a button; return and decline ask
        for the reason on a page of their own."""
        if not can_review(request.user):
            raise PermissionDenied
        obj = get_by_id_or_404(self.get_queryset(request), pk)
        if step not in STEPS:
            return HttpResponseRedirect(self._change_url(obj))
        _to, needs_reason, label = STEPS[step]
        form_class = ReasonForm if needs_reason else WithdrawForm
        if request.method != "POST":
            if not needs_reason and step == "publish":
                return HttpResponseRedirect(self._change_url(obj))
            return self._reason_page(request, obj, step, label, form_class())
        form = form_class(request.POST)
        if step == "publish":
            form = None
        elif not form.is_valid():
            return self._reason_page(request, obj, step, label, form, status=400)
        reason = form.cleaned_data.get("reason", "") if form is not None else ""
        try:
            self._run_step(request, obj, step, reason)
        except (ValidationError, PermissionDenied) as exc:
            if form is not None and needs_reason:
                form.add_error(None, _error_text(exc))
                return self._reason_page(request, obj, step, label, form, status=400)
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(request, _t("《%(title)s》：%(step)s完成。") % {"title": obj, "step": label})
        return HttpResponseRedirect(self._change_url(obj))

    def _run_step(self, request, obj, step, reason=""):
        if step == "publish":
            return services.item_publish(item=obj, by=request.user)
        if step == "return":
            return services.item_return(item=obj, by=request.user, reason=reason)
        if step == "decline":
            return services.item_decline(item=obj, by=request.user, reason=reason)
        return services.item_withdraw(item=obj, by=request.user, reason=reason)

    def _reason_page(self, request, obj, step, label, form, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _t("%(step)s：%(title)s") % {"step": label, "title": obj},
            "form": form,
            "step": step,
            "step_label": label,
            "change_url": self._change_url(obj),
        }
        return TemplateResponse(request, "admin/knowledge/reason.html", context, status=status)

    # --- List actions ------------------------------------------------------------------------------

    def _bulk(self, request, queryset, step, reason=""):
        done = 0
        for obj in queryset:
            try:
                self._run_step(request, obj, step, reason)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"《{obj}》：{_error_text(exc)}", messages.WARNING)
        label = STEPS[step][2]
        self.message_user(request, _t("%(step)s：%(n)d 条。") % {"step": label, "n": done}, messages.SUCCESS)

    def _bulk_with_reason(self, request, queryset, step):
        label = STEPS[step][2]
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                self._bulk(request, queryset, step, form.cleaned_data["reason"])
                return None
        else:
            form = ReasonForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _t("%(step)s（%(n)d 条）") % {"step": label, "n": queryset.count()},
            "form": form,
            "items": queryset,
            "action": f"{step}_selected",
            "step_label": label,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/knowledge/bulk_reason.html", context)

    @admin.action(description=_("发布所选条目"))
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description=_("退回所选条目修改（填写理由）"))
    def return_selected(self, request, queryset):
        return self._bulk_with_reason(request, queryset, "return")

    @admin.action(description=_("不予采用所选条目（填写理由）"))
    def decline_selected(self, request, queryset):
        return self._bulk_with_reason(request, queryset, "decline")

    @admin.action(description=_("撤回所选已发布条目"))
    def withdraw_selected(self, request, queryset):
        self._bulk(request, queryset, "withdraw")


class ImportAsChosenMixin(JobImportMixin, ImportExportMixin):
    """django-import-export with CSV and XLSX, and the choice of what new rows become; the
    confirmed import runs as a job with row progress (portal.jobs_imports)."""

    formats = [base_formats.CSV, base_formats.XLSX]
    import_form_class = PublicationImportForm
    confirm_form_class = PublicationConfirmImportForm
    skip_admin_log = True

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["publish"] = import_form.cleaned_data.get("publish", "draft")
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        if form is not None and hasattr(form, "cleaned_data"):
            kwargs["publish"] = form.cleaned_data.get("publish") == "published"
        return kwargs


# --- The models ---------------------------------------------------------------------------------


@admin.register(Law)
class LawAdmin(FastListMixin, PublicationReviewAdmin, ImportAsChosenMixin, admin.ModelAdmin):
    resource_classes = [LawResource]
    list_display = [
        "title_zh",
        "country",
        "doc_type",
        "ip_type",
        "legal_status",
        "status_badge",
        "agency",
        "published_at",
    ]
    list_filter = [
        "status",
        COUNTRY_FILTER,
        "ip_type",
        "doc_type",
        "legal_status",
        cached_filter("agency", only_related=True),
    ]
    search_fields = ["title_zh", "title_original", "issuing_body"]
    raw_id_fields = ["supersedes"]
    fieldsets = [
        (None, {"fields": ["country", "ip_type", "doc_type", "title_zh", "title_original", "issuing_body"]}),
        (_("日期与效力"), {"fields": ["promulgated_on", "effective_on", "legal_status", "supersedes", "versions"]}),
        (_("内容"), {"fields": ["summary", "full_text", "attachment", "source_url"]}),
        (_("报送与审核"), {"fields": REVIEW_FIELDS}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "versions"]
        if obj is not None:
            fields += ["supersedes", "legal_status"]  # changed by a new version or a repeal, not by hand
        return fields

    @admin.display(description=_("版本"))
    def versions(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        parts = []
        if obj.supersedes_id:
            parts.append(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _t("取代："),
                    reverse("admin:knowledge_law_change", args=[obj.supersedes_id]),
                    obj.supersedes,
                )
            )
        newer = Law.objects.filter(supersedes=obj).first()
        if newer is not None:
            parts.append(
                format_html(
                    '{} <a href="{}">{}</a>（{}）',
                    _t("已被新版本取代："),
                    reverse("admin:knowledge_law_change", args=[newer.pk]),
                    newer,
                    newer.get_status_display(),
                )
            )
        return format_html("<br>".join(["{}"] * len(parts)), *parts) if parts else "—"

    def review_context(self, request, obj):
        context = super().review_context(request, obj)
        context["law_tools"] = True
        context["law_has_new_version"] = Law.objects.filter(supersedes=obj).exists()
        return context

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/new-version/", wrap(self.new_version_view), name="knowledge_law_new_version"),
            path("<id:pk>/repeal/", wrap(self.repeal_view), name="knowledge_law_repeal"),
            *super().get_urls(),
        ]

    def new_version_view(self, request, pk):
        law = get_by_id_or_404(self.get_queryset(request), pk)
        if request.method == "POST":
            form = LawVersionForm(request.POST)
            if form.is_valid():
                try:
                    new = services.law_new_version(law=law, by=request.user, **form.cleaned_data)
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error(None, _error_text(exc))
                else:
                    self.message_user(
                        request, _t("已建立新版本草稿；发布后旧版本将标记为“已修订”，并通知订阅该国家的用户。")
                    )
                    return HttpResponseRedirect(reverse("admin:knowledge_law_change", args=[new.pk]))
        else:
            form = LawVersionForm(initial={"title_zh": law.title_zh})
        return self._form_page(
            request, law, form, _t("修订：建立新版本"), status=400 if request.method == "POST" else 200
        )

    def repeal_view(self, request, pk):
        law = get_by_id_or_404(self.get_queryset(request), pk)
        if request.method == "POST":
            form = LawRepealForm(request.POST)
            if form.is_valid():
                try:
                    services.law_repeal(law=law, by=request.user, note=form.cleaned_data["note"])
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error(None, _error_text(exc))
                else:
                    self.message_user(request, _t("已标记为废止，并通知订阅该国家的用户。"))
                    return HttpResponseRedirect(reverse("admin:knowledge_law_change", args=[law.pk]))
        else:
            form = LawRepealForm()
        return self._form_page(request, law, form, _t("标记为废止"), status=400 if request.method == "POST" else 200)

    def _form_page(self, request, obj, form, title, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{title}：{obj}",
            "form": form,
            "change_url": self._change_url(obj),
        }
        return TemplateResponse(request, "admin/knowledge/form_page.html", context, status=status)


@admin.register(TypicalCase)
class TypicalCaseAdmin(FastListMixin, PublicationReviewAdmin, ImportAsChosenMixin, admin.ModelAdmin):
    resource_classes = [TypicalCaseResource]
    change_list_template = "admin/knowledge/typicalcase/change_list.html"
    list_display = ["title", "ip_type", "country", "forum", "year", "status_badge", "consent", "agency", "published_at"]
    list_filter = [
        "status",
        "ip_type",
        COUNTRY_FILTER,
        "forum",
        "industry",
        "consent",
        cached_filter("agency", only_related=True),
    ]
    search_fields = ["title", "facts"]
    fieldsets = [
        (None, {"fields": ["title", "ip_type", "country", "industry", "forum", "year"]}),
        (_("案例内容"), {"fields": ["facts", "response", "outcome", "lessons"]}),
        (_("来源与同意"), {"fields": ["source_case", "consent"]}),
        (_("报送与审核"), {"fields": REVIEW_FIELDS}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "source_case", "consent"]

    def review_context(self, request, obj):
        context = super().review_context(request, obj)
        if obj.source_case_id:
            context["redaction"] = {
                "replacements": [
                    {**r, "kind_name": KIND_NAMES.get(r["kind"], r["kind"])}
                    for r in typical_cases.drafting_replacements(obj)
                ],
                "leaks": leaks_in(obj, obj.source_case),
                "case": obj.source_case,
                "can_request_consent": obj.consent in (TypicalCase.Consent.NOT_NEEDED, TypicalCase.Consent.REQUESTED)
                and obj.status not in (S.PUBLISHED, S.DECLINED),
            }
        return context

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("from-case/", wrap(self.from_case_view), name="knowledge_typicalcase_from_case"),
            path("from-case/<id:case_pk>/", wrap(self.from_case_view), name="knowledge_typicalcase_from_case"),
            path("<id:pk>/consent/", wrap(require_POST(self.consent_view)), name="knowledge_typicalcase_consent"),
            *super().get_urls(),
        ]

    def from_case_view(self, request, case_pk=None):
        """Pick a closed case (or come from its page) and draft the typical case from it."""
        if not can_review(request.user):
            raise PermissionDenied
        initial = {"case": case_pk} if case_pk else {}
        form = CaseChoiceForm(request.POST or None, initial=initial)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    item = typical_cases.typical_case_draft_from_case(case=form.cleaned_data["case"], by=request.user)
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error(None, _error_text(exc))
                else:
                    self.message_user(
                        request,
                        _t("已由案件生成典型案例草稿。请核对下方列出的隐去内容和正文，确认无误后发布。"),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self._change_url(item))
            status = 400
        elif case_pk and not form.fields["case"].queryset.filter(pk=case_pk).exists():
            form.add_error(None, _t("该案件尚未结案，或已整理为典型案例。"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _t("从已结案案件生成典型案例"),
            "form": form,
            "change_url": reverse("admin:knowledge_typicalcase_changelist"),
        }
        return TemplateResponse(request, "admin/knowledge/form_page.html", context, status=status)

    def consent_view(self, request, pk):
        item = get_by_id_or_404(self.get_queryset(request), pk)
        try:
            typical_cases.typical_case_request_consent(item=item, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(request, _t("已通过邮件和站内通知征求申请人意见；答复后方可发布。"), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(item))


@admin.register(Warning)
class WarningAdmin(FastListMixin, PublicationReviewAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "risk_level", "country", "issued_on", "status_badge", "agency", "published_at"]
    list_filter = [
        "status",
        "kind",
        "risk_level",
        COUNTRY_FILTER,
        "ip_type",
        "industry",
        cached_filter("agency", only_related=True),
    ]
    search_fields = ["title", "body", "mark", "filing_number"]
    raw_id_fields = ["law"]
    fieldsets = [
        (None, {"fields": ["kind", "risk_level", "title", "country", "industry", "ip_type", "issued_on", "body"]}),
        (_("商标抢注预警"), {"fields": ["mark", "filing_number", "filing_date", "opposition_deadline"]}),
        (_("法律变化"), {"fields": ["law"]}),
        (_("报送与审核"), {"fields": REVIEW_FIELDS}),
    ]


@admin.register(ServiceInstitution)
class ServiceInstitutionAdmin(FastListMixin, PublicationReviewAdmin, ImportAsChosenMixin, admin.ModelAdmin):
    resource_classes = [ServiceInstitutionResource]
    list_display = ["serial", "name", "nature", "scope", "region", "country", "status_badge", "agency"]
    list_display_links = ["name"]
    list_filter = ["status", "scope", COUNTRY_FILTER, cached_filter("agency", only_related=True)]
    search_fields = ["name", "head", "address", "services", "listed_in"]
    raw_id_fields = ["partner"]
    fieldsets = [
        (None, {"fields": ["serial", "name", "nature", "head", "address", "listed_in"]}),
        (_("服务范围"), {"fields": ["scope", "region", "country", "services", "countries_covered", "languages"]}),
        (_("联系方式"), {"fields": ["phone", "email", "website"]}),
        (_("“1+1”结对"), {"fields": ["partner"]}),
        (_("报送与审核"), {"fields": REVIEW_FIELDS}),
    ]


class CenterOnlyAdmin(admin.ModelAdmin):
    """Reference data the center keeps itself (no review): guides and fees."""

    def has_module_permission(self, request):
        return can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return can_review(request.user)

    def has_change_permission(self, request, obj=None):
        return can_review(request.user)

    def has_add_permission(self, request):
        return can_review(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_review(request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return super().formfield_for_dbfield(db_field, request, **_https(db_field, kwargs))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.reference_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.reference_changed()


@admin.register(CountryGuide)
class CountryGuideAdmin(FastListMixin, CenterOnlyAdmin):
    list_display = ["country", "updated_at"]
    search_fields = ["overview", "enforcement", "tips"]


@admin.register(OfficialFee)
class OfficialFeeAdmin(FastListMixin, CenterOnlyAdmin):
    list_display = ["country", "ip_type", "item", "amount", "currency", "as_of"]
    list_filter = [COUNTRY_FILTER, "ip_type", cached_filter("currency")]
    search_fields = ["item"]
