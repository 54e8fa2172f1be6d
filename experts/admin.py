"""The center's admin for the expert pool. State changes go through experts.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import SelectableFieldsExportForm

from applications.countries import country_namer
from experts import services
from experts.models import (
    ConflictParty,
    Expert,
    ExpertAssignment,
    ExpertInvitation,
    ExpertNomination,
    ExpertOpinion,
    MatchingRun,
    OpinionAttachment,
    Seminar,
    SeminarInvitee,
    Unavailability,
)
from experts.permissions import (
    visible_assignments,
    visible_invitations,
    visible_matchings,
    visible_nominations,
    visible_opinions,
    visible_seminars,
)
from experts.resources import ExpertResource
from experts.selectors import expert_entries, seminar_entries, with_open_load
from portal.admin_cells import html_link, per_page
from portal.admin_lists import FastListMixin, JSONArrayLength, cached_filter, row_url, row_urls
from portal.jobs_imports import JobImportMixin


class ConflictPartyInline(admin.TabularInline):
    model = ConflictParty
    extra = 1
    fields = ["name", "credit_code", "relation", "note", "until"]


class UnavailabilityInline(admin.TabularInline):
    model = Unavailability
    extra = 1
    fields = ["starts_on", "ends_on", "reason"]
    verbose_name_plural = _("不可承接期间（与案件办理期限重叠时不参与匹配）")


class ExpertExportForm(SelectableFieldsExportForm):
    """The library's export form, with the script that binds its "Select all" box (see experts/admin/export.html)."""

    @property
    def media(self):
        return super().media + forms.Media(js=["js/export-select-all.js"])


@admin.register(Expert)
class ExpertAdmin(FastListMixin, JobImportMixin, ImportExportModelAdmin):
    # The confirmed import runs as a job with row progress (portal.jobs_imports).
    resource_classes = [ExpertResource]
    export_form_class = ExpertExportForm
    export_template_name = "experts/admin/export.html"
    change_list_template = "experts/admin/expert_change_list.html"
    import_export_change_list_template = None  # the import and export buttons are in the template above
    list_display = ["name", "organisation", "title", "country_list", "availability", "load", "active"]
    list_keep = ["countries"]  # read by country_list
    list_filter = ["active", "availability"]
    search_fields = ["name", "name_en", "organisation", "email", "conflicts__name"]
    inlines = [ConflictPartyInline, UnavailabilityInline]
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "organisation", "title", "qualifications", "jurisdictions", "bio"]}),
        (
            _("专业领域（与申请书选项一致）"),
            {"fields": ["right_types", "dispute_types", "technical_fields", "countries", "languages"]},
        ),
        (_("承接能力"), {"fields": ["availability", "max_concurrent_cases", "active", "retired_on"]}),
        (_("联系方式（仅工作人员可见）"), {"fields": ["email", "phone", "user"]}),
        (_("工作记录"), {"fields": ["history"]}),
    ]
    readonly_fields = ["history"]

    actions = ["open_accounts"]

    def get_queryset(self, request):
        # Each shown expert's open work, counted in the rows' query for the page's rows alone.
        return with_open_load(super().get_queryset(request))

    @admin.action(description=_("为所选专家开通登录账号"))
    def open_accounts(self, request, queryset):
        done = 0
        for expert in queryset:
            try:
                services.expert_account_open(expert=expert, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
        self.message_user(request, _("已开通 %(n)d 个账号，设置密码的链接已发送。") % {"n": done}, messages.SUCCESS)

    @admin.display(description=_("工作记录"))
    def history(self, obj):
        return history_table(expert_entries(obj)) if obj.pk else "—"

    @admin.display(description=_("熟悉的国家/地区"))
    @per_page
    def country_list(self):
        name = country_namer()
        return lambda expert: "、".join(name(code) for code in expert.countries)

    @admin.display(description=_("当前承办"))
    def load(self, obj):
        return f"{obj.open_load}/{obj.max_concurrent_cases}"  # counted in get_queryset (with_open_load)


@admin.register(ExpertNomination)
class ExpertNominationAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "agency", "case", "status", "created_at", "expert"]
    list_filter = ["status", cached_filter("agency")]
    search_fields = ["name", "organisation"]
    list_select_related = ["agency", "case", "expert"]
    readonly_fields = ["case", "agency", "letter_recipient", "nominated_by", "status", "expert", "created_at"]
    actions = ["approve", "decline"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=visible_nominations(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("批准所选推荐入库"))
    def approve(self, request, queryset):
        done = 0
        for nomination in queryset:
            try:
                services.nomination_approve(nomination=nomination, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{nomination}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, _("已入库 %(n)d 名专家。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("不予入库"))
    def decline(self, request, queryset):
        done = 0
        for nomination in queryset:
            try:
                services.nomination_decline(nomination=nomination, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{nomination}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, _("已处理 %(n)d 条推荐。") % {"n": done}, messages.SUCCESS)


def history_table(entries):
    """The audit log's entries as rows: time, who, what, status change, note."""
    rows = [
        (
            f"{entry.created:%Y-%m-%d %H:%M}",
            str(entry.actor or _("系统")),
            entry.action_label,
            entry.status_change,
            entry.note or entry.data.get("file", ""),
        )
        for entry in entries
    ]
    if not rows:
        return _("暂无记录。")
    return format_html(
        '<table class="expert-history">{}</table>',
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: staff view them here and act on the experts pages."""

    visible = None  # the permissions.py queryset of the rows a user may see

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.visible is None:
            return queryset
        return queryset.filter(pk__in=type(self).visible(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertInvitation)
class ExpertInvitationAdmin(FastListMixin, ReadOnlyAdmin):
    visible = staticmethod(visible_invitations)
    list_display = ["case", "expert", "status", "rank_shown", "deadline", "invited_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["case__number", "expert__name"]
    list_select_related = ["case", "expert"]


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(FastListMixin, ReadOnlyAdmin):
    visible = staticmethod(visible_assignments)
    list_display = ["case", "expert", "status", "assigned_at", "declared_at", "contact_released", "staff_rating"]
    list_filter = ["status", "contact_released"]
    search_fields = ["case__number", "expert__name"]
    list_select_related = ["case", "expert"]


class OpinionAttachmentInline(admin.TabularInline):
    model = OpinionAttachment
    extra = 0
    fields = ["download", "size", "sha256", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("文件"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', row_url("experts:opinion_file", obj.pk), obj.original_name)


@admin.register(ExpertOpinion)
class ExpertOpinionAdmin(FastListMixin, ReadOnlyAdmin):
    visible = staticmethod(visible_opinions)
    list_display = ["case", "expert", "submitted_at", "summary", "case_panel"]
    list_keep = ["recommendations"]  # read by summary
    list_filter = ["submitted_at"]
    search_fields = ["case__number", "expert__name", "analysis", "recommendations"]
    list_select_related = ["case", "expert"]
    fields = ["case", "expert", "submitted_at", "analysis", "recommendations", "risks", "references"]
    readonly_fields = fields
    inlines = [OpinionAttachmentInline]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"case__id__exact", "case__id", "expert__id__exact"} or super().lookup_allowed(
            lookup, value, request
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening an expert opinion is recorded: it is confidential work for the center."""
        response = super().change_view(request, object_id, form_url, extra_context)
        opinion = self.get_object(request, object_id)
        if opinion is not None and response.status_code == 200:
            services.opinion_viewed(opinion=opinion, by=request.user)
        return response

    @admin.display(description=_("应对建议摘要"))
    def summary(self, obj):
        text = obj.recommendations
        return text[:60] + ("…" if len(text) > 60 else "")

    @admin.display(description=_("案件专家页"))
    @per_page
    def case_panel(self):
        url_of, label = row_urls("experts:case_panel"), str(_("查看"))
        return lambda obj: html_link(url_of(obj.case_id), label)


class SeminarInviteeInline(admin.TabularInline):
    model = SeminarInvitee
    extra = 0
    fields = ["kind", "expert", "agency", "user", "response", "attended", "view", "position", "dissent"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Seminar)
class SeminarAdmin(FastListMixin, ReadOnlyAdmin):
    visible = staticmethod(visible_seminars)
    list_display = ["title", "case", "starts_at", "status", "manage"]
    list_filter = ["status"]
    search_fields = ["title", "case__number"]
    list_select_related = ["case"]
    inlines = [SeminarInviteeInline]
    fields = [
        "case",
        "title",
        "starts_at",
        "ends_at",
        "location",
        "online_link",
        "agenda",
        "status",
        "collegial_analysis",
        "collegial_recommendations",
        "collegial_risks",
        "collegial_references",
        "agreement",
        "concluded_at",
        "minutes",
        "created_by",
        "history",
    ]
    readonly_fields = fields

    @admin.display(description=_("工作记录"))
    def history(self, obj):
        return history_table(seminar_entries(obj))

    @admin.display(description=_("办理"))
    @per_page
    def manage(self):
        url_of, label = row_urls("experts:seminar_manage"), str(_("进入"))
        return lambda obj: html_link(url_of(obj.pk), label)


@admin.register(MatchingRun)
class MatchingRunAdmin(FastListMixin, ReadOnlyAdmin):
    visible = staticmethod(visible_matchings)
    list_display = ["case", "run_by", "run_at", "shown", "chosen_names"]
    list_keep = ["chosen"]  # read by chosen_names
    list_select_related = ["case", "run_by"]
    fields = ["case", "run_by", "run_at", "ranking_table", "chosen_names", "excluded_list"]
    readonly_fields = fields

    def get_queryset(self, request):
        # A ranking holds every candidate with the reasons: the list counts it in the rows' query
        # instead of reading a hundred of them (half the page's time).
        return super().get_queryset(request).annotate(shown_count=JSONArrayLength("ranking"))

    @admin.display(description=_("推荐人数"))
    def shown(self, obj):
        return obj.shown_count

    @admin.display(description=_("选定专家"))
    def chosen_names(self, obj):
        return "、".join(f"{row['name']}（#{row.get('rank') or '—'}）" for row in obj.chosen)

    @admin.display(description=_("推荐排序"))
    def ranking_table(self, obj):
        return format_html_join(
            "",
            "<div>{}. {}（{}）{} 分：{}</div>",
            (
                (i, row["name"], row["organisation"], row["score"], "；".join(row["reasons"]))
                for i, row in enumerate(obj.ranking, start=1)
            ),
        )

    @admin.display(description=_("排除名单"))
    def excluded_list(self, obj):
        return format_html_join("", "<div>{}：{}</div>", ((row["name"], row["reason"]) for row in obj.excluded))
