"""Staff triage of applications in the admin: filter, search, read the application with its evidence
and versions, and accept, return for correction or decline it (each through a service); enter a paper or
e-mail application; a workstation's first check."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services
from applications.admin.entry import (
    ENTRY_ERROR_FIELDS,
    ENTRY_INVITE_FIELDS,
    ENTRY_RECEIPT_FIELDS,
    EntryForm,
    FirstCheckForm,
    answer_sections,
    search_applicants,
    spread_errors,
)
from applications.admin.filters import (
    DEADLINE_WORDS,
    CountryFilter,
    DeadlineFilter,
    DecidedFilter,
    DisputeTypeFilter,
    ForeignDeadlineFilter,
    OpponentTypeFilter,
    PointScopeFilter,
    ReceivedFilter,
    ReturnedFilter,
    RightTypeFilter,
    ServicePointFilter,
    TechnicalFieldFilter,
    WithdrawnFilter,
    foreign_bounds,
    forget_reminder_window,
    reminder_window_end,
)
from applications.admin.scope import ScopedAdminMixin, ScopedInlineMixin, workstation_only
from applications.choices import Channel, EvidenceCategory
from applications.forms import FORM_FIELDS, ApplicationForm, DecisionForm
from applications.models import (
    Applicant,
    Application,
    ApplicationVersion,
    Attachment,
    Message,
)
from applications.permissions import (
    can_enter_application,
    can_first_check,
    visible_applicants,
    visible_applications,
)
from applications.selectors import (
    display_value,
    version_diff,
)
from applications.services.deadlines import foreign_deadline_level
from applications.services.entry import duplicate_applicant_errors
from portal.admin_filters import (
    DateHierarchyGuardMixin,
    with_periods_from_range,
)
from portal.admin_lists import FastListMixin, row_url
from portal.audit import entries_for
from portal.roles import is_center_member
from portal.validators import mask_id_number


class AttachmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["category", "download", "content_type", "size", "uploaded_at", "submitted_in"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("文件"))
    def download(self, obj):
        url = row_url("applications:attachment_download", obj.application_id, obj.pk)
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class VersionInline(ScopedInlineMixin, admin.StackedInline):
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


class MessageInline(ScopedInlineMixin, admin.TabularInline):
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


FOREIGN_DEADLINE_WORDS = {
    "passed": gettext_lazy("已过期"),
    "alert": gettext_lazy("10 个工作日内"),
}
CENTER_ACTIONS = ["accept_selected", "return_selected", "decline_selected", "close_lapsed_selected"]


def foreign_deadline_badge(application):
    """The deadline abroad with its badge: red within the alert window or passed, and 紧急 when urgent."""
    due = application.foreign_deadline
    urgent = format_html(' <span class="badge-urgent">{}</span>', _("紧急")) if application.urgent else ""
    if due is None:
        return format_html("—{}", urgent) if urgent else "—"
    level = foreign_deadline_level(due, foreign_bounds(timezone.localdate()))
    if level in FOREIGN_DEADLINE_WORDS:
        return format_html(
            '{} <strong class="foreign-deadline-{}">{}</strong>{}',
            due.isoformat(),
            level,
            FOREIGN_DEADLINE_WORDS[level],
            urgent,
        )
    return format_html("{}{}", due.isoformat(), urgent)


@admin.register(Application)
class ApplicationAdmin(FastListMixin, ScopedAdminMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    list_keep = ["countries"]  # read by countries_display
    list_display = [
        "__str__",
        "applicant_name",
        "credit_code",
        "status",
        "deadline_display",
        "foreign_deadline_display",
        "source_display",
        "level",
        "countries_display",
        "submitted_at",
    ]
    list_filter = [
        "status",
        DeadlineFilter,
        ForeignDeadlineFilter,
        "urgent",
        "channel",
        ServicePointFilter,
        "applicant_category",
        DisputeTypeFilter,
        RightTypeFilter,
        CountryFilter,
        OpponentTypeFilter,
        TechnicalFieldFilter,
        "level",
        "submitted_at",
        # The statistics page's drill-down (shown only while in use).
        ReceivedFilter,
        DecidedFilter,
        ReturnedFilter,
        WithdrawnFilter,
        PointScopeFilter,
    ]
    search_fields = ["number", "applicant_name", "credit_code", "applicant__name", "applicant__credit_code"]
    list_select_related = ["applicant", "service_point"]
    show_full_result_count = False
    inlines = [AttachmentInline, VersionInline, MessageInline]
    date_hierarchy = "submitted_at"
    actions = CENTER_ACTIONS
    change_form_template = "admin/applications/application/change_form.html"
    change_list_template = "admin/applications/application/change_list.html"
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
                    "id_type",
                    "masked_id_number",
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
        (
            gettext_lazy("境外期限"),
            {"fields": ["foreign_deadline_display", "foreign_deadline_what", "foreign_deadline_where", "urgent"]},
        ),
        (
            gettext_lazy("来源与初审"),
            {
                "fields": [
                    "channel",
                    "service_point",
                    "entered_by",
                    "first_checked_by",
                    "first_checked_at",
                    "first_check_note",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return with_periods_from_range(visible_applications(request.user))

    def get_search_results(self, request, queryset, search_term):
        """Every word in the number, the applicant's name or credit code as filed, or the applicant
        organisation's current ones. On PostgreSQL each of these is one trigram-indexed LIKE
        (applications/migrations/0011), united by id, instead of one OR over a join that reads
        every row."""
        if connection.vendor != "postgresql" or any(len(word) < 3 for word in search_term.split()):
            # One or two characters make no trigram: Django's own OR of LIKEs, correct and unindexed.
            return super().get_search_results(request, queryset, search_term)
        for word in search_term.split():
            applicants = Applicant.objects.filter(Q(name__icontains=word) | Q(credit_code__icontains=word))
            matches = (
                Application.objects.filter(number__icontains=word)
                .values("pk")
                .union(
                    Application.objects.filter(applicant_name__icontains=word).values("pk"),
                    Application.objects.filter(credit_code__icontains=word).values("pk"),
                    Application.objects.filter(applicant__in=applicants).values("pk"),
                )
            )
            queryset = queryset.filter(pk__in=matches)
        return queryset, False

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
        state = services.review_deadline_state(obj, today, reminder_window_end(today))
        if state:
            return format_html(
                '{} {} <strong class="deadline-{}">{}</strong>', label, due.isoformat(), state, DEADLINE_WORDS[state]
            )
        return f"{label} {due.isoformat()}"

    @admin.display(description=gettext_lazy("证件号码"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number) if obj.id_number else "—"

    @admin.display(description=gettext_lazy("来源"), ordering="channel")
    def source_display(self, obj):
        """How it came, and through which workstation."""
        channel = dict(Channel.choices).get(obj.channel, obj.channel)  # get_channel_display's, a tenth of its cost
        if obj.service_point_id:
            return format_html("{}<br><small>{}</small>", channel, obj.service_point.name)
        return channel

    @admin.display(description=gettext_lazy("境外期限"), ordering="foreign_deadline")
    def foreign_deadline_display(self, obj):
        return foreign_deadline_badge(obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_center_member(request.user):
            for name in CENTER_ACTIONS:
                actions.pop(name, None)
        return actions

    def changelist_view(self, request, extra_context=None):
        forget_reminder_window()
        extra_context = {**(extra_context or {}), "can_enter": can_enter_application(request.user)}
        return super().changelist_view(request, extra_context)

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
            path("enter/", self.admin_site.admin_view(self.enter_view), name="applications_application_enter"),
            path(
                "<id:pk>/answers/",
                self.admin_site.admin_view(self.answers_view),
                name="applications_application_answers",
            ),
            path(
                "<id:pk>/first-check/",
                self.admin_site.admin_view(self.first_check_view),
                name="applications_application_first_check",
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
        application = self.object_or_404(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "decisions": [
                (key, label)
                for key, (label, _service, _arg) in DECISIONS.items()
                if application.status == Application.Status.SUBMITTED and is_center_member(request.user)
            ],
            "case": getattr(application, "case", None),
            "history": entries_for(application),
            "first_check_form": FirstCheckForm() if can_first_check(request.user, application) else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def answers_view(self, request, pk):
        """A workstation corrects the answers of a draft it entered, before its first check."""
        application = self.get_queryset(request).filter(pk=pk).select_related("applicant").first()
        if application is None or not can_first_check(request.user, application):
            raise Http404
        form = ApplicationForm(request.POST or None, instance=application, organisation=application.applicant)
        if request.method == "POST":
            form.is_valid()
            try:
                services.application_save_draft(
                    application=application,
                    data=form.draft_data(),
                    by=request.user,
                    seen_revision=form.cleaned_data.get("revision"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if not form.errors:
                    self.message_user(request, _("申请书内容已保存。"), messages.SUCCESS)
                    url = reverse("admin:applications_application_change", args=[application.pk])
                    return HttpResponseRedirect(f"{url}#first-check")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("修改申请书内容：%(application)s") % {"application": application},
            "application": application,
            "answers_form": form,
            "answer_sections": answer_sections(form),
        }
        return TemplateResponse(request, "admin/applications/application/answers.html", context)

    def first_check_view(self, request, pk):
        """The workstation's first check: forward to the center, or keep it with a note. Errors show on this
        page with what was typed."""
        application = self.get_queryset(request).filter(pk=pk).select_related("applicant").first()
        if application is None or not can_first_check(request.user, application):
            raise Http404
        form = FirstCheckForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                for upload in data["more_files"]:
                    services.attachment_add(
                        application=application, category=data["more_category"], upload=upload, by=request.user
                    )
                application = services.application_first_check(
                    application=application,
                    by=request.user,
                    complete=data["complete"],
                    standing_verified=data["standing_verified"],
                    note=data["note"],
                )
            except ValidationError as exc:
                spread_errors(exc, [form], fallback=form, mapping={"attachments": "more_files"})
            else:
                if application.status == Application.Status.SUBMITTED:
                    self.message_user(
                        request,
                        _("初审通过，申请 %(number)s 已转报指导中心。") % {"number": application.number},
                        messages.SUCCESS,
                    )
                else:
                    self.message_user(
                        request,
                        _("初审未通过：意见已记录，申请仍由本工作站处理。补齐材料后请再次初审。"),
                        messages.WARNING,
                    )
                return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("初审：%(application)s") % {"application": application},
            "application": application,
            "attachments": application.attachments.all(),
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/application/first_check.html", context)

    def enter_view(self, request):
        """录入纸质/邮件申请: find the applicant (or register a new one), then the form's answers, the scanned
        signed form and evidence, and optionally an invitation to follow it online."""
        user = request.user
        if not can_enter_application(user):
            raise Http404
        source = request.POST if request.method == "POST" else request.GET
        raw = source.get("applicant", "")
        applicant = None
        if raw:
            valid = raw.isdigit() and len(raw) <= 9  # an id beyond any row is a 404, not a database error
            applicant = visible_applicants(user).filter(pk=int(raw)).first() if valid else None
            if applicant is None:
                raise Http404
        elif not source.get("new"):
            q = request.GET.get("q", "")
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("录入纸质/邮件申请"),
                "q": q,
                "results": search_applicants(user, q),
            }
            return TemplateResponse(request, "admin/applications/application/enter_search.html", context)
        workstation = workstation_only(user)
        initial = {}
        if applicant is not None:
            initial = {
                "applicant_category": applicant.category,
                "applicant_category_other": applicant.category_other,
                "applicant_name": applicant.name,
                "credit_code": applicant.credit_code or "",
                "contact_address": applicant.address,
            }
        bound = request.method == "POST"
        answers_form = ApplicationForm(
            request.POST if bound else None, complete=not workstation, organisation=applicant, initial=initial
        )
        entry_form = EntryForm(request.POST if bound else None, request.FILES if bound else None)
        valid = bound and all([answers_form.is_valid(), entry_form.is_valid()])
        if bound and applicant is None:
            # A registered credit code or ID is named at once, whatever else still needs fixing.
            for name, message in duplicate_applicant_errors(answers_form.cleaned_data, user).items():
                if name in answers_form.fields and name not in answers_form.errors:
                    answers_form.add_error(name, message)
                    valid = False
        if valid:
            answers = {
                name: answers_form.cleaned_data[name] for name in FORM_FIELDS if name in answers_form.cleaned_data
            }
            data = entry_form.cleaned_data
            evidence = [(EvidenceCategory.STANDING, upload) for upload in data["standing_files"]] + [
                (data["other_category"], upload) for upload in data["other_files"]
            ]
            try:
                application = services.application_enter(
                    by=user,
                    answers=answers,
                    applicant=applicant,
                    paper_form=data["paper_form"],
                    channel=data["channel"],
                    evidence=evidence,
                    invite_email=data["invite_email"] if data["invite"] else "",
                    invite_name=data["invite_name"],
                    invite_phone=data["invite_phone"],
                    note=data["note"],
                )
            except ValidationError as exc:
                spread_errors(exc, [answers_form, entry_form], fallback=entry_form, mapping=ENTRY_ERROR_FIELDS)
            else:
                if application.status == Application.Status.SUBMITTED:
                    text = _("已录入并提交申请 %(number)s，受理审查期限 %(due)s。") % {
                        "number": application.number,
                        "due": application.review_due.isoformat(),
                    }
                else:
                    text = _("已录入申请（草稿），请完成初审后转报指导中心。")
                self.message_user(request, text, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("录入纸质/邮件申请"),
            "applicant": applicant,
            "workstation": workstation,
            "answers_form": answers_form,
            "entry_form": entry_form,
            "answer_sections": answer_sections(answers_form),
            "receipt_fields": [entry_form[name] for name in ENTRY_RECEIPT_FIELDS],
            "invite_fields": [entry_form[name] for name in ENTRY_INVITE_FIELDS],
            "files_lost": bound and bool(request.FILES),
        }
        return TemplateResponse(request, "admin/applications/application/enter.html", context)
