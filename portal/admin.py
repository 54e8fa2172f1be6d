import base64

from axes import admin as _axes_admin  # noqa: F401  registers first
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth import admin as _auth_admin  # noqa: F401  registers first
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import admin as _otp_static_admin  # noqa: F401  registers first
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: F401  registers first
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.admin_cells import html_link, per_page
from portal.admin_filters import DateHierarchyGuardMixin
from portal.admin_lists import CachedLookupsMixin, FastListMixin, cached_filter, row_uuid_urls, year_filter
from portal.jobs import visible_jobs
from portal.models import (
    CalendarDay,
    DeputyDirector,
    EmailDelivery,
    Job,
    LogEntry,
    Notification,
    PartnerAgency,
    ServicePoint,
    SiteConfiguration,
    User,
)
from portal.models.audit import action_label
from portal.notifications import email_resend
from portal.roles import Role
from portal.twofactor.core import two_factor_reset
from portal.workdays import renumbering_once

# Authenticators and recovery codes are never edited by hand (their secrets would show); a lost
# device is reset with the action on users below.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


def _status_once_per_count(axes_status):
    """axes' column of the attempts left ("3 Attempt Remaining", "Locked Out"), which follows from
    the count of failures alone: worked out once per count on a page, not translated on every row."""

    @per_page
    def status(model_admin):
        made = {}

        def status_of(attempt):
            count = attempt.failures_since_start
            if count not in made:
                made[count] = axes_status(model_admin, attempt)
            return made[count]

        return status_of

    return status


# The login records (django-axes) and the groups: the same lists, without what reads the whole table
# on every page (portal.admin_lists): the second count, the paths seen (read a minute late instead),
# the date hierarchy's years (the records' own date filter stays).
for _model in (AccessAttempt, AccessLog, AccessFailureLog, Group):
    _stock = type(admin.site._registry[_model])
    _lighter = {
        "__module__": __name__,
        "date_hierarchy": None,
        "list_filter": [cached_filter(name) if name == "path_info" else name for name in _stock.list_filter],
    }
    if "status" in getattr(_stock, "list_display", ()):
        _lighter["status"] = _status_once_per_count(_stock.status)
    admin.site.unregister(_model)
    admin.site.register(_model, type(_stock.__name__, (FastListMixin, _stock), _lighter))


class PortalUserChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if groups is not None and any(group.name == Role.SERVICE_POINT for group in groups):
            # A workstation's staff work in the admin, scoped to their workstation.
            if not cleaned.get("service_point"):
                self.add_error("service_point", _("服务工作站工作人员须选择所属服务工作站。"))
            if not cleaned.get("is_staff"):
                self.add_error("is_staff", _("服务工作站工作人员在工作台办理业务，须勾选“工作人员状态”。"))
        return cleaned


@admin.register(User)
class UserAdmin(FastListMixin, DjangoUserAdmin):
    form = PortalUserChangeForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "agency", "service_point", "is_active", "is_staff"]
    list_filter = [
        cached_filter("groups"),
        "is_active",
        "is_staff",
        cached_filter("agency"),
        cached_filter("service_point"),
    ]
    list_select_related = ["agency", "service_point"]
    search_fields = ["full_name", "email"]
    autocomplete_fields = ["agency", "service_point"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "title", "agency", "service_point")}),
        (_("角色与权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    actions = ["reset_two_factor"]

    @admin.action(description=_("重置两步验证"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """A lost phone: remove the users' authenticators and recovery codes (audited); they enrol
        again at their next request."""
        users = list(queryset)
        for user in users:
            two_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            _("已重置 %(n)d 个用户的两步验证；需要两步验证的用户下次访问时须重新绑定身份验证器。") % {"n": len(users)},
        )


@admin.register(SiteConfiguration)
class SiteConfigurationAdmin(FastListMixin, admin.ModelAdmin):
    fieldsets = (
        (_("中心信息"), {"fields": ("center_name", "center_name_en", "issuing_body", "region", "address", "postcode")}),
        (_("联系方式"), {"fields": ("hotline", "email", "office_hours")}),
        (_("编号"), {"fields": ("doc_number_prefix", "application_number_prefix")}),
        (_("印章"), {"fields": ("seal", "seal_preview")}),
        (
            _("时限（工作日）"),
            {
                "fields": (
                    "first_contact_days",
                    "acceptance_days",
                    "agency_answer_days",
                    "opinion_days",
                    "correction_days",
                    "escalate_overdue_days",
                )
            },
        ),
    )

    readonly_fields = ("seal_preview",)

    def has_add_permission(self, request):
        return not SiteConfiguration.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("印章预览"))
    def seal_preview(self, obj):
        """The configured seal as documents print it (40 mm), inline: the file itself lies with the
        private media and is not served. Its content was checked on upload (no scripts, no outside
        references), and an image never runs scripts in any case."""
        if obj is None or not obj.seal:
            return _("未配置印章：文书不能加盖印章。")
        try:
            with obj.seal.open("rb") as handle:
                data = handle.read()
        except OSError:
            return _("印章文件无法读取，请重新上传。")
        mime = "image/svg+xml" if obj.seal.name.lower().endswith(".svg") else "image/png"
        uri = f"data:{mime};base64,{base64.b64encode(data).decode()}"
        return format_html('<img src="{}" alt="{}" style="width: 40mm; height: 40mm;">', uri, _("印章"))


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "contact_person", "contact_phone", "active", "display_order"]
    list_filter = ["kind", "active"]
    list_editable = ["display_order"]
    search_fields = ["name", "short_name", "code"]


# Which level of workstation may sit under which: a park under a district or the city, a district
# under the city, the city at the top.
ALLOWED_PARENT_LEVELS = {
    ServicePoint.Level.CITY: set(),
    ServicePoint.Level.DISTRICT: {ServicePoint.Level.CITY},
    ServicePoint.Level.PARK: {ServicePoint.Level.DISTRICT, ServicePoint.Level.CITY},
}


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = [
            "name",
            "level",
            "parent",
            "region",
            "host_organisation",
            "active",
            "display_order",
            "address",
            "hotline",
            "email",
            "office_hours",
        ]

    def clean(self):
        cleaned = super().clean()
        level, parent = cleaned.get("level"), cleaned.get("parent")
        if not level:
            return cleaned
        allowed = ALLOWED_PARENT_LEVELS[level]
        if not allowed and parent is not None:
            self.add_error("parent", _("市级工作站是最高一级，不能有上级工作站。"))
        elif allowed and parent is None:
            self.add_error(
                "parent",
                _("县（区）级工作站须选择市级工作站作为上级。")
                if level == ServicePoint.Level.DISTRICT
                else _("园区工作站须选择县（区）级或市级工作站作为上级。"),
            )
        elif parent is not None and parent.level not in allowed:
            self.add_error(
                "parent",
                _("县（区）级工作站的上级只能是市级工作站。")
                if level == ServicePoint.Level.DISTRICT
                else _("园区工作站的上级只能是县（区）级或市级工作站。"),
            )
        elif parent is not None and self.instance.pk is not None and parent.pk == self.instance.pk:
            self.add_error("parent", _("工作站不能以自己为上级。"))
        if self.instance.pk is not None:
            # The workstations under this one must still fit under it at its new level.
            children_levels = set(self.instance.children.values_list("level", flat=True))
            if any(level not in ALLOWED_PARENT_LEVELS[child] for child in children_levels):
                self.add_error("level", _("该工作站下设的工作站不能隶属于这一层级，请先调整下设工作站。"))
        return cleaned


@admin.register(ServicePoint)
class ServicePointAdmin(FastListMixin, admin.ModelAdmin):
    """The center registers the workstations of the three-level network; the public directory
    (knowledge:service_points) lists the active ones."""

    form = ServicePointForm
    list_display = ["name", "level", "parent", "region", "hotline", "active", "display_order"]
    list_filter = ["level", cached_filter("region"), "active"]
    list_editable = ["display_order"]
    list_select_related = ["parent"]
    search_fields = ["name", "region", "address", "host_organisation"]
    ordering = ["level", "region", "display_order", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["staff_list", "created_at"]
    fieldsets = (
        (None, {"fields": ("name", "level", "parent", "region", "host_organisation", "active", "display_order")}),
        (_("联系方式"), {"fields": ("address", "hotline", "email", "office_hours")}),
        (_("工作人员"), {"fields": ("staff_list", "created_at")}),
    )

    @admin.display(description=_("工作人员"))
    def staff_list(self, obj):
        if obj is None or obj.pk is None:
            return _("保存后，在“用户”中为工作人员选择所属服务工作站。")
        users = list(obj.staff.order_by("full_name"))
        if not users:
            return _("暂无工作人员。在“用户”中为工作人员选择所属服务工作站并加入“服务工作站工作人员”组。")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> · {} · {}{}</li>',
                (
                    (
                        reverse("admin:portal_user_change", args=[user.pk]),
                        user.full_name,
                        user.email,
                        user.phone or "—",
                        "" if user.is_active else format_html(" · {}", _("已停用")),
                    )
                    for user in users
                ),
            ),
        )


@admin.register(DeputyDirector)
class DeputyDirectorAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["rotation_order", "user", "post_title", "active", "joined_on", "left_on"]
    list_display_links = ["user"]
    list_editable = ["rotation_order", "active"]
    autocomplete_fields = ["user"]


@admin.register(CalendarDay)
class CalendarDayAdmin(FastListMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note", "source"]
    list_filter = [year_filter("date"), "is_working_day", "source"]
    search_fields = ["note"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        # A day staff entered or corrected wins over the library's arrangements from now on.
        obj.source = CalendarDay.Source.MANUAL
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        with renumbering_once():  # the days chosen, renumbered once rather than once each
            super().delete_queryset(request, queryset)


@admin.register(Notification)
class NotificationAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "read_at"]
    list_select_related = ["recipient"]
    search_fields = ["subject", "recipient__email"]
    raw_id_fields = ["recipient"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(FastListMixin, admin.ModelAdmin):
    """Outgoing e-mail, read-only: staff see what failed and why, and send it again."""

    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [field.name for field in EmailDelivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送所选的发送失败邮件"), permissions=["view"])
    def resend(self, request, queryset):
        count = email_resend(deliveries=queryset, by=request.user)
        self.message_user(request, _("已重新安排发送 %(n)d 封邮件。") % {"n": count})


class ActionTypeFilter(CachedLookupsMixin, admin.SimpleListFilter):
    """The action types in the log, by what they read as (签发协助函), not by their codes."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = LogEntry.objects.order_by().values_list("action_type", flat=True).distinct()
        return sorted(((code, action_label(code)) for code in codes), key=lambda item: item[0])

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # Only a type the log holds is looked up: anything else (a NUL byte, say) names no entry.
        known = {code for code, _label in self.lookup_choices}
        return queryset.filter(action_type=self.value()) if self.value() in known else queryset.none()


@admin.register(LogEntry)
class LogEntryAdmin(FastListMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    """The audit log, read-only: entries are written by the services and never edited or deleted."""

    list_display = ["created", "action_display", "content_object_display", "actor", "client_address", "note"]
    list_filter = [year_filter("created"), ActionTypeFilter, cached_filter("content_type")]
    search_fields = ["note", "public_note", "actor__full_name", "actor__email", "client_address"]
    list_select_related = ["actor", "content_type"]
    # The newest first, as a log is read (the model's own order, oldest first, is the history's).
    ordering = ["-created", "-pk"]

    @admin.display(description=_("操作"), ordering="action_type")
    def action_display(self, entry):
        return entry.action_label

    @admin.display(description=_("对象"))
    def content_object_display(self, entry):
        return f"{entry.content_type.name} #{entry.object_id}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(FastListMixin, admin.ModelAdmin):
    """Every long job, for superusers (what ran, for whom, what failed); read-only. Everyone else
    sees their own jobs on the jobs' pages; a job is run again from its page."""

    list_display = ["label", "kind", "status", "created_by", "created_at", "finished_at", "page_link"]
    list_filter = ["status", cached_filter("kind")]
    list_select_related = ["created_by"]
    search_fields = ["label", "created_by__full_name", "created_by__email"]
    date_hierarchy = None
    readonly_fields = [
        "label",
        "kind",
        "status",
        "params",
        "done",
        "total",
        "message",
        "result_name",
        "result_url",
        "result_data",
        "last_error",
        "attempts",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "page_link",
    ]
    exclude = ["result_file", "result_content_type"]

    def get_queryset(self, request):
        return visible_jobs(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("任务页面"))
    @per_page
    def page_link(self):
        url_of, label = row_uuid_urls("jobs:detail"), str(_("打开"))
        return lambda job: html_link(url_of(job.pk), label)
