"""The register of key export enterprises in the staff workplace.

Center staff register enterprises, their markets, brands and liaison officers (the officers inline);
each enterprise's page also shows its consultations, applications, training attendance and the
warnings sent to its officers. A workstation's staff see the enterprises of their workstations,
read-only; any other id is a 404 for them, on every admin page of an enterprise. Every change goes
through enterprises.services (checked, recorded in the audit log).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from applications.countries import country_name, country_namer
from enterprises import services
from enterprises.models import KeyEnterprise, LiaisonOfficer, WarningDelivery
from enterprises.permissions import (
    can_manage_enterprises,
    can_see_register,
    can_view_enterprise,
    visible_deliveries,
    visible_enterprises,
)
from enterprises.resources import KeyEnterpriseResource
from enterprises.selectors import enterprise_page, markets_in_use
from knowledge.models import Industry
from portal.admin_cells import per_page
from portal.admin_filters import ValidatedListFilter
from portal.admin_lists import CachedLookupsMixin, FastListMixin, cached_filter, joined_subquery
from portal.admin_scope import NotFoundOutsideQuerysetMixin
from portal.fields import ChoiceListField
from portal.jobs_imports import JobImportMixin
from portal.validators import normalise_credit_code


def admin_link(url_name, pk):
    """The admin page of a row of another app, or "" where that app has none (yet)."""
    try:
        return reverse(url_name, args=[pk])
    except NoReverseMatch:
        return ""


class IndustryFilter(ValidatedListFilter):
    title = _("所属行业")
    parameter_name = "industry"

    def lookups(self, request, model_admin):
        return Industry.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(industries__contains=ChoiceListField.contains(self.value()))
        return queryset


class MarketFilter(CachedLookupsMixin, ValidatedListFilter):
    """Only the markets that occur in the register (not every country of the world)."""

    title = _("出口市场")
    parameter_name = "market"

    def lookups(self, request, model_admin):
        codes = markets_in_use(model_admin.get_queryset(request))
        return sorted(((code, country_name(code)) for code in codes), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(markets__contains=ChoiceListField.contains(self.value()))
        return queryset


class KeyEnterpriseForm(forms.ModelForm):
    class Meta:
        model = KeyEnterprise
        fields = [
            "name",
            "credit_code",
            "service_point",
            "listed_on",
            "active",
            "industries",
            "products",
            "markets",
            "annual_exports",
            "brands_abroad",
            "patents_abroad",
            "note",
        ]

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data.get("credit_code"))
        other = services.duplicate_of(code, exclude_pk=self.instance.pk)
        if other is not None:
            raise ValidationError(services.duplicate_message(other), code="duplicate")
        return code

    def validate_unique(self):
        # The credit code's uniqueness is checked (with a clearer message) in clean_credit_code.
        try:
            self.instance.validate_unique(exclude=[*self._get_validation_exclusions(), "credit_code"])
        except ValidationError as exc:
            self._update_errors(exc)


class LiaisonOfficerInline(admin.TabularInline):
    model = LiaisonOfficer
    fields = ["name", "title", "phone", "email", "appointed_on", "active"]
    extra = 1
    can_delete = False
    verbose_name = _("知识产权联络员")
    verbose_name_plural = _("知识产权联络员（离任的取消“在任”，保留其收到的预警记录）")

    def has_view_permission(self, request, obj=None):
        return can_view_enterprise(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return can_manage_enterprises(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_enterprises(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_extra(self, request, obj=None, **kwargs):
        if obj is not None and obj.liaison_officers.exists():
            return 0
        return 1


@admin.register(KeyEnterprise)
class KeyEnterpriseAdmin(
    FastListMixin, NotFoundOutsideQuerysetMixin, JobImportMixin, ImportExportMixin, admin.ModelAdmin
):
    form = KeyEnterpriseForm
    # The register as a spreadsheet (enterprises.resources): preview with the reason beside each bad row.
    resource_classes = [KeyEnterpriseResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    skip_admin_log = True
    change_form_template = "admin/enterprises/keyenterprise/change_form.html"
    inlines = [LiaisonOfficerInline]
    ordering = ["name", "id"]  # the index on both reads the page (as the applicants' list)
    list_display = [
        "name",
        "industry_list",
        "market_list",
        "service_point",
        "officer_list",
        "active",
    ]
    list_keep = ["industries", "markets"]  # read by industry_list and market_list
    list_filter = [IndustryFilter, MarketFilter, cached_filter("service_point", only_related=True), "active"]
    search_fields = ["name", "credit_code", "brands_abroad"]
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ["applicant_link", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "credit_code", "applicant_link", "service_point", "listed_on", "active"]}),
        (_("行业与市场"), {"fields": ["industries", "products", "markets", "annual_exports"]}),
        (_("境外知识产权"), {"fields": ["brands_abroad", "patents_abroad"]}),
        (_("备注与登记"), {"fields": ["note", "created_by", "created_at", "updated_at"]}),
    ]

    # --- Access -----------------------------------------------------------------------------------

    def get_queryset(self, request):
        serving = LiaisonOfficer.objects.filter(enterprise=OuterRef("pk"), active=True)
        return (
            visible_enterprises(request.user)
            .select_related("service_point", "applicant")
            .annotate(serving_names=joined_subquery(serving, "enterprise", "name"))
        )

    def has_module_permission(self, request):
        return can_see_register(request.user)

    def has_view_permission(self, request, obj=None):
        return can_view_enterprise(request.user, obj)

    def has_add_permission(self, request):
        return can_manage_enterprises(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_enterprises(request.user, obj)

    def has_import_permission(self, request):
        return can_manage_enterprises(request.user)

    def has_export_permission(self, request):
        return can_see_register(request.user)

    def has_delete_permission(self, request, obj=None):
        # An enterprise leaves the register by unticking "在册": its history stays.
        return False

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        # Read-only (a workstation): the ticked lists in words rather than the form's check boxes.
        shown = {"industries": "industry_list", "markets": "market_list"}
        return [
            (title, {**options, "fields": [shown.get(name, name) for name in options["fields"]]})
            for title, options in fieldsets
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        enterprise = self.object_or_404(request, object_id)
        extra_context = {**(extra_context or {}), **self.page_context(request, enterprise)}
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service_point":
            kwargs["queryset"] = db_field.related_model.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Saving through the services ----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # A duplicate credit code was refused at its field by the form (KeyEnterpriseForm).
        if change:
            services.key_enterprise_update(enterprise=obj, by=request.user, changed=form.changed_data)
        else:
            services.key_enterprise_register(enterprise=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not LiaisonOfficer:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for officer_form in formset.forms:
            if not officer_form.has_changed():
                continue
            data = {name: officer_form.cleaned_data.get(name) for name in LiaisonOfficerInline.fields}
            if officer_form.instance.pk is None:
                officer = services.liaison_officer_add(enterprise=form.instance, by=request.user, **data)
                formset.new_objects.append(officer)
            else:
                changes = {name: data[name] for name in officer_form.changed_data if name in data}
                officer = services.liaison_officer_change(officer=officer_form.instance, by=request.user, **changes)
                formset.changed_objects.append((officer, officer_form.changed_data))
        return None

    # --- The list ---------------------------------------------------------------------------------

    # The industries' and the countries' names translated once per page (admin_cells), not per row.

    @admin.display(description=_("所属行业"))
    @per_page
    def industry_list(self):
        labels = {code: str(label) for code, label in Industry.choices}
        return lambda obj: "、".join(labels.get(code, str(code)) for code in obj.industries)

    @admin.display(description=_("主要出口市场"))
    @per_page
    def market_list(self):
        name = country_namer()
        return lambda obj: "、".join(name(code) for code in obj.markets)

    @admin.display(description=_("知识产权联络员"))
    def officer_list(self, obj):
        if hasattr(obj, "serving_names"):
            # Sorted here: the database joins them in the order it reads them.
            return "、".join(sorted(filter(None, (obj.serving_names or "").split("、")))) or "—"
        return "、".join(officer.name for officer in obj.liaison_officers.filter(active=True).order_by("name")) or "—"

    @admin.display(description=_("平台申请人"))
    def applicant_link(self, obj):
        applicant = obj.applicant if obj is not None and obj.applicant_id else None
        note = ""
        if applicant is None and obj is not None and obj.pk:
            # Registered on the platform after the enterprise was listed: linked at the next save.
            applicant = services.applicant_with_code(obj.credit_code, enterprise_pk=obj.pk)
            note = _("（按统一社会信用代码找到，保存后关联）")
        if applicant is None:
            return _("尚未在平台登记（登记后按统一社会信用代码自动关联）")
        url = admin_link("admin:applications_applicant_change", applicant.pk)
        if not url:
            return format_html("{}{}", applicant.name, note)
        return format_html('<a href="{}">{}</a>{}', url, applicant.name, note)

    # --- The enterprise's page ---------------------------------------------------------------------

    def page_context(self, request, enterprise):
        tables = enterprise_page(enterprise, user=request.user)
        for consultation in tables["consultations"]["items"]:
            consultation.admin_url = admin_link("admin:consultations_consultation_change", consultation.pk)
        for application in tables["applications"]["items"]:
            application.admin_url = admin_link("admin:applications_application_change", application.pk)
        for registration in tables["registrations"]["items"]:
            registration.event_url = registration.event.get_absolute_url()
        return {"enterprise_tables": tables, "can_manage": can_manage_enterprises(request.user)}


@admin.register(WarningDelivery)
class WarningDeliveryAdmin(FastListMixin, NotFoundOutsideQuerysetMixin, admin.ModelAdmin):
    """What was sent to whom, read-only: the record that each officer got each warning once."""

    list_display = ["warning", "officer_name", "enterprise", "reason", "sent_at"]
    list_select_related = ["warning", "officer", "officer__enterprise"]
    search_fields = ["warning__title", "officer__name", "officer__email", "officer__enterprise__name"]
    list_filter = [cached_filter("officer__enterprise__service_point", only_related=True)]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return visible_deliveries(request.user).select_related("warning", "officer", "officer__enterprise")

    def has_module_permission(self, request):
        return can_see_register(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return can_see_register(request.user)
        return can_view_enterprise(request.user, obj.officer.enterprise)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("联络员"), ordering="officer__name")
    def officer_name(self, obj):
        return format_html("{} &lt;{}&gt;", obj.officer.name, obj.officer.email)

    @admin.display(description=_("企业"), ordering="officer__enterprise__name")
    def enterprise(self, obj):
        return obj.officer.enterprise
