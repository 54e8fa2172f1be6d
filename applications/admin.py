"""Staff triage of applications in the admin: filter, search, read the application with its
evidence and versions, and accept, return for correction or decline it (each through a service)."""

import threading

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services
from applications.choices import DisputeType, RightType
from applications.countries import ALL_COUNTRY_CHOICES
from applications.forms import DecisionForm
from applications.models import (
    Applicant,
    ApplicantAccount,
    Application,
    ApplicationVersion,
    Attachment,
    Feedback,
    MembershipRequest,
    Message,
)
from applications.permissions import visible_applications, visible_membership_requests
from applications.selectors import display_value, version_diff
from portal.admin_filters import DateHierarchyGuardMixin, ValidatedListFilter
from portal.audit import entries_for
from portal.fields import ChoiceListField
from portal.roles import is_center_member
from portal.workdays import add_working_days


class ApplicantAccountInline(admin.TabularInline):
    """The users who act for the organisation (they join by registering or by a join request)."""

    model = ApplicantAccount
    extra = 0
    fields = ["user", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "category", "created_at"]
    list_filter = ["category"]
    search_fields = ["name", "credit_code", "name_en", "accounts__user__email", "accounts__user__full_name"]
    inlines = [ApplicantAccountInline]


class _ChoiceListFilter(ValidatedListFilter):
    """Filter on one tick of a multi-select answer (stored as "|a|b|")."""

    field_name = ""
    options = ()

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field_name}__contains": ChoiceListField.contains(self.value())})
        return queryset


class DisputeTypeFilter(_ChoiceListFilter):
    title = gettext_lazy("涉及纠纷类型")
    parameter_name = "dispute_type"
    field_name = "dispute_types"
    options = DisputeType.choices


class RightTypeFilter(_ChoiceListFilter):
    title = gettext_lazy("涉及权利类别")
    parameter_name = "right_type"
    field_name = "right_types"
    options = RightType.choices


class CountryFilter(_ChoiceListFilter):
    title = gettext_lazy("纠纷国家/地区")
    parameter_name = "country"
    field_name = "countries"
    options = ALL_COUNTRY_CHOICES


class DeadlineFilter(ValidatedListFilter):
    """Review and correction deadlines (working days, kept on the application by the services)."""

    title = gettext_lazy("期限")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", gettext_lazy("受理审查已逾期")),
            ("soon", gettext_lazy("受理审查即将到期")),
            ("correcting", gettext_lazy("补正期内")),
            ("lapsed", gettext_lazy("逾期未补正（待确认关闭）")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        soon = _reminder_window_end(today)
        submitted, returned = Application.Status.SUBMITTED, Application.Status.RETURNED
        return {
            "overdue": lambda: queryset.filter(status=submitted, review_due__lt=today),
            "soon": lambda: queryset.filter(status=submitted, review_due__gte=today, review_due__lte=soon),
            "correcting": lambda: queryset.filter(status=returned, correction_due__gte=today),
            "lapsed": lambda: queryset.filter(status=returned, correction_due__lt=today),
        }.get(self.value(), lambda: queryset)()


# The last day of the reminder window, computed once per list page (one calendar query).
_window = threading.local()


def _reminder_window_end(today):
    cached = getattr(_window, "value", None)
    if cached is None or cached[0] != today:
        cached = (today, add_working_days(today, services.REMIND_WORKING_DAYS_BEFORE))
        _window.value = cached
    return cached[1]


DEADLINE_WORDS = {"overdue": gettext_lazy("已逾期"), "soon": gettext_lazy("即将到期")}


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["category", "download", "content_type", "size", "uploaded_at", "submitted_in"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("文件"))
    def download(self, obj):
        url = reverse("applications:attachment_download", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class VersionInline(admin.StackedInline):
    model = ApplicationVersion
    extra = 0
    fields = ["number", "submitted_at", "submitted_by", "changes"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = gettext_lazy("历次提交的版本及差异")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("与上一版相比"))
    def changes(self, obj):
        previous = (
            ApplicationVersion.objects.filter(application_id=obj.application_id, number__lt=obj.number)
            .order_by("-number")
            .first()
        )
        if previous is None:
            return _("首次提交")
        diff = version_diff(previous, obj)
        if not (diff["changes"] or diff["added"] or diff["removed"]):
            return _("内容无变化")
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td><del>{}</del></td><td><ins>{}</ins></td></tr>',
            ((label, old or "—", new or "—") for label, old, new in diff["changes"]),
        )
        files = format_html_join(
            "",
            "<li>{}{}</li>",
            [(_("新增材料："), name) for name in diff["added"]] + [(_("移除材料："), name) for name in diff["removed"]],
        )
        return format_html(
            '<table class="version-diff"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table><ul>{}</ul>",
            _("栏目"),
            _("原内容"),
            _("补正后"),
            rows,
            files,
        )


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "author", "from_center", "body"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = gettext_lazy("与申请人的沟通（在申请详情页回复）")

    def has_add_permission(self, request, obj=None):
        return False


DECISIONS = {
    "accept": (gettext_lazy("受理"), services.application_accept, "note"),
    "return": (gettext_lazy("退回补正"), services.application_return, "reason"),
    "decline": (gettext_lazy("不予受理"), services.application_decline, "reason"),
}


@admin.register(Application)
class ApplicationAdmin(DateHierarchyGuardMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "applicant_name",
        "credit_code",
        "status",
        "deadline_display",
        "level",
        "countries_display",
        "submitted_at",
    ]
    list_filter = [
        "status",
        DeadlineFilter,
        "applicant_category",
        DisputeTypeFilter,
        RightTypeFilter,
        CountryFilter,
        "level",
        "submitted_at",
    ]
    search_fields = ["number", "applicant_name", "credit_code", "applicant__name", "applicant__credit_code"]
    list_select_related = ["applicant"]
    inlines = [AttachmentInline, VersionInline, MessageInline]
    date_hierarchy = "submitted_at"
    actions = ["accept_selected", "return_selected", "decline_selected", "close_lapsed_selected"]
    change_form_template = "applications/admin/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "status",
                    "case_link",
                    "applicant",
                    "created_by",
                    "submitted_at",
                    "review_due",
                    "decided_at",
                    "correction_due",
                    "decision_reason",
                    "front_end",
                ]
            },
        ),
        (
            gettext_lazy("申请人信息"),
            {
                "fields": [
                    "applicant_category",
                    "applicant_category_other",
                    "applicant_name",
                    "credit_code",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "contact_address",
                ]
            },
        ),
        (
            gettext_lazy("纠纷基本情况"),
            {
                "fields": [
                    "dispute_types_display",
                    "dispute_type_other",
                    "right_types_display",
                    "right_type_other",
                    "countries_display",
                    "country_other",
                    "opponent_types_display",
                    "opponent_type_other",
                    "opponent_name",
                    "technical_fields_display",
                    "technical_field_other",
                ]
            },
        ),
        (gettext_lazy("申请事项"), {"fields": ["request", "impact", "level", "other_requests"]}),
    ]

    def get_queryset(self, request):
        return visible_applications(request.user)

    def changelist_view(self, request, extra_context=None):
        _window.value = None  # the calendar may have changed since the last page
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: applications change only through the decision actions

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("纠纷国家/地区"))
    def countries_display(self, obj):
        return display_value("countries", obj.countries)

    @admin.display(description=gettext_lazy("期限"))
    def deadline_display(self, obj):
        if obj.status == Application.Status.SUBMITTED and obj.review_due:
            label, due = _("受理审查"), obj.review_due
        elif obj.status == Application.Status.RETURNED and obj.correction_due:
            label, due = _("补正"), obj.correction_due
        else:
            return "—"
        today = timezone.localdate()
        state = services.review_deadline_state(obj, today, _reminder_window_end(today))
        if state:
            return format_html(
                '{} {} <strong class="deadline-{}">{}</strong>', label, due.isoformat(), state, DEADLINE_WORDS[state]
            )
        return f"{label} {due.isoformat()}"

    @admin.display(description=gettext_lazy("涉及纠纷类型"))
    def dispute_types_display(self, obj):
        return display_value("dispute_types", obj.dispute_types)

    @admin.display(description=gettext_lazy("涉及权利类别"))
    def right_types_display(self, obj):
        return display_value("right_types", obj.right_types)

    @admin.display(description=gettext_lazy("纠纷对象类型"))
    def opponent_types_display(self, obj):
        return display_value("opponent_types", obj.opponent_types)

    @admin.display(description=gettext_lazy("纠纷领域"))
    def technical_fields_display(self, obj):
        return display_value("technical_fields", obj.technical_fields)

    @admin.display(description=gettext_lazy("案件"))
    def case_link(self, obj):
        case = getattr(obj, "case", None)  # once accepted, the application has its case
        if case is None:
            return _("尚未立案")
        return format_html('<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[case.pk]), case.number)

    @admin.display(description=gettext_lazy("申请人页面"))
    def front_end(self, obj):
        url = reverse("applications:detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看进度、留言与回复申请人"))

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def get_urls(self):
        return [
            path(
                "decide/<str:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]

    def _redirect_to_decision(self, decision, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        url = reverse("admin:applications_application_decide", args=[decision])
        return HttpResponseRedirect(f"{url}?ids={ids}")

    @admin.action(description=gettext_lazy("受理所选申请（立案并发出受理通知书）"))
    def accept_selected(self, request, queryset):
        return self._redirect_to_decision("accept", queryset)

    @admin.action(description=gettext_lazy("退回补正（需填写理由）"))
    def return_selected(self, request, queryset):
        return self._redirect_to_decision("return", queryset)

    @admin.action(description=gettext_lazy("不予受理（需填写理由）"))
    def decline_selected(self, request, queryset):
        return self._redirect_to_decision("decline", queryset)

    @admin.action(description=gettext_lazy("逾期未补正，确认关闭（发出不予受理通知书）"))
    def close_lapsed_selected(self, request, queryset):
        done = 0
        for application in queryset:
            try:
                services.application_close_lapsed(application=application, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{application}：{'；'.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(
                request, _("已关闭 %(n)d 份逾期未补正的申请，并已通知申请人。") % {"n": done}, messages.SUCCESS
            )

    def decision_view(self, request, decision):
        if decision not in DECISIONS or not is_center_member(request.user):
            raise Http404
        label, service, argument = DECISIONS[decision]
        raw_ids = request.POST.get("ids") or request.GET.get("ids") or ""
        ids = [int(part) for part in raw_ids.split(",") if part.strip().isdigit()]
        applications = list(self.get_queryset(request).filter(pk__in=ids).order_by("submitted_at"))
        if not applications:
            raise Http404
        form = DecisionForm(request.POST or None)
        if argument == "note":
            form.fields["reason"].required = False
            form.fields["reason"].label = _("受理说明（可不填；填写的内容会写入受理通知书）")
        elif decision == "return":
            form.fields["reason"].label = _("需要补正的内容（将发给申请人并写入补正通知书）")
        else:
            form.fields["reason"].label = _("不予受理的理由（将发给申请人并写入不予受理通知书）")
        if request.method == "POST" and form.is_valid():
            done = 0
            for application in applications:
                try:
                    service(application=application, by=request.user, **{argument: form.cleaned_data["reason"]})
                    done += 1
                except ValidationError as exc:
                    self.message_user(request, f"{application}：{'；'.join(exc.messages)}", messages.ERROR)
            if done:
                self.message_user(
                    request,
                    _("已%(action)s %(n)d 份申请，并已通知申请人。") % {"action": label, "n": done},
                    messages.SUCCESS,
                )
            if len(applications) == 1:
                return HttpResponseRedirect(reverse("admin:applications_application_change", args=[applications[0].pk]))
            return HttpResponseRedirect(reverse("admin:applications_application_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(action)s申请") % {"action": label},
            "decision": decision,
            "label": label,
            "applications": applications,
            "ids": ",".join(str(a.pk) for a in applications),
            "form": form,
        }
        return TemplateResponse(request, "applications/admin/decision.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)  # None for an unknown or malformed id
        if application is None:
            raise Http404
        extra_context = {
            **(extra_context or {}),
            "decisions": [
                (key, label)
                for key, (label, _service, _arg) in DECISIONS.items()
                if application.status == Application.Status.SUBMITTED
            ],
            "case": getattr(application, "case", None),
            "history": entries_for(application),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "applicant", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__full_name", "applicant__name", "applicant__credit_code"]
    readonly_fields = ["user", "applicant", "note", "status", "created_at", "decided_by", "decided_at"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return visible_membership_requests(request.user).select_related("user", "applicant", "decided_by")

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, approve):
        for item in queryset:
            try:
                services.membership_decide(request=item, by=request.user, approve=approve)
            except ValidationError as exc:
                self.message_user(request, f"{item}：{'；'.join(exc.messages)}", messages.ERROR)

    @admin.action(description=gettext_lazy("同意所选加入申请"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("拒绝所选加入申请"))
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["application", "satisfaction", "timeliness", "usefulness", "submitted_at"]
    list_filter = ["satisfaction", "timeliness", "usefulness"]
    search_fields = ["application__number", "application__applicant_name", "comment"]
    readonly_fields = [
        "application",
        "satisfaction",
        "timeliness",
        "usefulness",
        "outcome",
        "comment",
        "submitted_by",
        "submitted_at",
    ]

    def has_add_permission(self, request):
        return False
