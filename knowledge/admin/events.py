"""Training sessions, salons and trade fairs in the staff workplace.

The event's page lists its registrations and materials and counts the places taken; its own pages
record attendance, export the registration list (CSV, opens in Excel) and upload materials. The
fair desk's requests have their own list (new ones first, urgent ones marked) where staff answer a
request or turn it into an application; either way the request is also recorded as a consultation
(channel: the fair's desk) in the consultations app. Every button calls a service in knowledge.services.events.
"""

import csv

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.admin.publications import REVIEW_FIELDS, PublicationReviewAdmin
from knowledge.forms_events import HelpAnswerForm, HelpEscalateForm, MaterialForm
from knowledge.models import Event, EventMaterial, FairHelpRequest, Registration
from knowledge.services import events as services
from portal.admin_filters import DateHierarchyGuardMixin
from portal.admin_lists import FastListMixin, cached_filter, year_filter
from portal.audit import entries_for, log_action
from portal.converters import get_by_id_or_404

R = Registration.Status


def _errors(exc):
    return " ".join(exc.messages)


class _StaffOnly:
    """The center's roles work here (the model permissions of the groups come on top)."""

    def has_module_permission(self, request):
        return services.can_manage_events(request.user)

    def has_view_permission(self, request, obj=None):
        return services.can_manage_events(request.user)

    def has_change_permission(self, request, obj=None):
        return services.can_manage_events(request.user)

    def has_add_permission(self, request, *args):
        return services.can_manage_events(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return services.can_manage_events(request.user)


class RegistrationInline(_ReadOnlyInline):
    model = Registration
    fields = ["organisation", "contact_name", "email", "phone", "attendees", "status", "created_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("报名名单")


class MaterialInline(_ReadOnlyInline):
    model = EventMaterial
    fields = ["title", "file", "created_at"]
    readonly_fields = fields


@admin.register(Event)
class EventAdmin(FastListMixin, DateHierarchyGuardMixin, PublicationReviewAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "status_badge", "starts_at", "place", "places_display", "new_help_display"]
    list_filter = [year_filter("starts_at"), "kind", "status"]
    search_fields = ["title", "place", "trainer"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "description", "starts_at", "ends_at", "place", "online_link"]}),
        (gettext_lazy("报名"), {"fields": ["capacity", "registration_closes_at", "trainer", "country", "industry"]}),
        (
            gettext_lazy("展会服务"),
            {"fields": ["pre_fair_briefing", "desk_location", "desk_hours", "post_fair_follow_up"]},
        ),
        (gettext_lazy("报送与审核"), {"fields": REVIEW_FIELDS}),
    ]
    inlines = [RegistrationInline, MaterialInline]
    change_form_template = "knowledge/events/admin/event_change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                taken=services.places_taken_column(),
                # The new help requests of each fair, in the same query as the rows (not one per row).
                new_help=Subquery(
                    FairHelpRequest.objects.filter(event=OuterRef("pk"), status=FairHelpRequest.Status.NEW)
                    .order_by()
                    .values("event")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
            )
        )

    @admin.display(description=gettext_lazy("已报名/名额"))
    def places_display(self, obj):
        if obj.kind == Event.Kind.TRADE_FAIR:
            return "—"
        taken = getattr(obj, "taken", None)
        taken = services.places_taken(obj) if taken is None else taken
        return f"{taken}/{obj.capacity}" if obj.capacity is not None else f"{taken}/{_('不限')}"

    @admin.display(description=gettext_lazy("待处理求助"))
    def new_help_display(self, obj):
        if obj.kind != Event.Kind.TRADE_FAIR:
            return "—"
        count = getattr(obj, "new_help", None)
        if count is None and not hasattr(obj, "new_help"):
            count = obj.help_requests.filter(status=FairHelpRequest.Status.NEW).count()
        count = count or 0
        url = reverse("admin:knowledge_fairhelprequest_changelist") + f"?event__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self._event(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "taken": services.places_taken(event),
            "left": services.places_left(event),
            "is_fair": event.kind == Event.Kind.TRADE_FAIR,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<id:pk>/registrations/",
                wrap(self.registrations_view),
                name="knowledge_event_registrations",
            ),
            path(
                "<id:pk>/registrations.csv",
                wrap(self.registrations_csv),
                name="knowledge_event_registrations_csv",
            ),
            path("<id:pk>/materials/", wrap(self.materials_view), name="knowledge_event_materials"),
            *super().get_urls(),
        ]

    # --- helpers ---

    def _event(self, request, pk):
        if not services.can_manage_events(request.user):
            raise Http404
        return get_by_id_or_404(Event.objects.all(), pk)

    def _context(self, request, event, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "event": event,
            "original": event,
            **extra,
        }

    # --- views ---

    def registrations_view(self, request, pk):
        """The registration list with attendance: one select per registration, saved together."""
        event = self._event(request, pk)
        registrations = list(event.registrations.order_by("created_at"))
        errors = []
        started = timezone.now() >= event.starts_at
        if request.method == "POST":
            changed = 0
            for registration in registrations:
                value = request.POST.get(f"attendance_{registration.pk}")
                if value not in {R.ATTENDED, R.ABSENT} or value == registration.status:
                    continue
                try:
                    services.registration_attendance(
                        registration=registration, attended=value == R.ATTENDED, by=request.user
                    )
                    changed += 1
                except ValidationError as exc:
                    errors.append(f"{registration.organisation}: {_errors(exc)}")
            if not errors:
                self.message_user(request, _("出席情况已保存（%(n)s 条）。") % {"n": changed}, messages.SUCCESS)
                return redirect("admin:knowledge_event_registrations", event.pk)
        taken = services.places_taken(event)
        return TemplateResponse(
            request,
            "knowledge/events/admin/registrations.html",
            self._context(
                request,
                event,
                _("报名名单与出席登记：%(title)s") % {"title": event.title},
                registrations=registrations,
                taken=taken,
                left=services.places_left(event, taken=taken),
                started=started,
                errors=errors,
                attended_total=sum(r.attendees for r in registrations if r.status == R.ATTENDED),
            ),
        )

    def registrations_csv(self, request, pk):
        event = self._event(request, pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registrations-{event.pk}.csv"'
        response.write("\ufeff")  # so that Excel reads the Chinese text as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("序号"),
                _("单位名称"),
                _("联系人"),
                _("电子邮箱"),
                _("联系电话"),
                _("参加人数"),
                _("状态"),
                _("报名时间"),
            ]
        )
        for number, registration in enumerate(event.registrations.order_by("created_at"), start=1):
            writer.writerow(
                [
                    number,
                    *(
                        _safe_cell(value)
                        for value in (
                            registration.organisation,
                            registration.contact_name,
                            registration.email,
                            registration.phone,
                        )
                    ),
                    registration.attendees,
                    registration.get_status_display(),
                    timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        log_action(event, "knowledge.registration.exported", by=request.user)
        return response

    def materials_view(self, request, pk):
        event = self._event(request, pk)
        form = MaterialForm()
        if request.method == "POST" and "remove" in request.POST:
            material = get_by_id_or_404(event.materials.all(), request.POST["remove"])
            services.material_remove(material=material, by=request.user)
            self.message_user(request, _("已删除资料“%(title)s”。") % {"title": material.title}, messages.SUCCESS)
            return redirect("admin:knowledge_event_materials", event.pk)
        if request.method == "POST":
            form = MaterialForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    services.material_add(
                        event=event, title=form.cleaned_data["title"], upload=form.cleaned_data["file"], by=request.user
                    )
                except ValidationError as exc:
                    form.add_error("file", exc)
                else:
                    self.message_user(request, _("资料已上传。"), messages.SUCCESS)
                    return redirect("admin:knowledge_event_materials", event.pk)
        return TemplateResponse(
            request,
            "knowledge/events/admin/materials.html",
            self._context(
                request,
                event,
                _("活动资料：%(title)s") % {"title": event.title},
                form=form,
                materials=list(event.materials.all()),
                visible=services.materials_visible(event),
            ),
        )


def _safe_cell(value):
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


class UrgentFirst(admin.SimpleListFilter):
    title = gettext_lazy("紧急程度")
    parameter_name = "urgent"

    def lookups(self, request, model_admin):
        return [("1", _("紧急")), ("0", _("一般"))]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1"}:
            return queryset.filter(urgent=self.value() == "1")
        return queryset


@admin.register(FairHelpRequest)
class FairHelpRequestAdmin(FastListMixin, _StaffOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "urgent_badge",
        "status",
        "event",
        "organisation",
        "booth",
        "phone",
        "question_excerpt",
    ]
    list_keep = ["question"]  # read by question_excerpt
    list_display_links = ["created_at", "organisation"]
    list_filter = ["status", UrgentFirst, cached_filter("event", only_related=True)]
    search_fields = ["organisation", "contact_name", "phone", "booth", "question"]
    list_select_related = ["event"]
    fields = [
        "event",
        "organisation",
        "contact_name",
        "phone",
        "email",
        "booth",
        "question",
        "urgent",
        "status",
        "requester_display",
        "answer",
        "handled_by_display",
        "application",
        "created_at",
    ]
    readonly_fields = fields
    change_form_template = "knowledge/events/admin/help_change_form.html"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing is edited in place: the answer and the escalation are buttons of their own.
        return False

    @admin.display(description=gettext_lazy("求助人账号"))
    def requester_display(self, obj):
        if obj.user_id is None:
            return _("未登录")
        applicant = services.requester_applicant(obj)
        return f"{obj.user}（{applicant}）" if applicant else str(obj.user)

    @admin.display(description=gettext_lazy("办理人"))
    def handled_by_display(self, obj):
        return str(obj.handled_by) if obj.handled_by_id else "—"

    def get_queryset(self, request):
        # New requests first, urgent ones at their top; then the most recent.
        return (
            self.model._default_manager.annotate(
                is_new=Case(
                    When(status=FairHelpRequest.Status.NEW, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .select_related("event")
            .order_by("is_new", "-urgent", "-created_at")
        )

    def get_ordering(self, request):
        return ["is_new", "-urgent", "-created_at"]

    @admin.display(description=gettext_lazy("紧急"), ordering="urgent")
    def urgent_badge(self, obj):
        if obj.urgent:
            return format_html(
                '<strong style="color:#fff;background:#ba2121;padding:1px 6px;border-radius:3px">{}</strong>', _("紧急")
            )
        return ""

    @admin.display(description=gettext_lazy("遇到的问题"))
    def question_excerpt(self, obj):
        return obj.question if len(obj.question) <= 40 else obj.question[:40] + "…"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/answer/", wrap(self.answer_view), name="knowledge_fairhelprequest_answer"),
            path("<id:pk>/escalate/", wrap(self.escalate_view), name="knowledge_fairhelprequest_escalate"),
            *super().get_urls(),
        ]

    def _request(self, request, pk):
        if not services.can_manage_events(request.user):
            raise Http404
        return get_by_id_or_404(FairHelpRequest.objects.select_related("event", "user", "application"), pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        help_request = self._request(request, object_id)
        extra_context = {
            **(extra_context or {}),
            **self._action_context(help_request),
            "history": list(entries_for(help_request)),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _action_context(self, help_request, *, answer_form=None, escalate_form=None):
        return {
            "answer_form": answer_form or HelpAnswerForm(initial={"answer": help_request.answer}),
            "escalate_form": escalate_form or HelpEscalateForm(),
            "requester_applicant": services.requester_applicant(help_request),
            "can_answer": help_request.status == FairHelpRequest.Status.NEW,
            "can_escalate": help_request.status != FairHelpRequest.Status.ESCALATED,
        }

    def answer_view(self, request, pk):
        help_request = self._request(request, pk)
        if request.method != "POST":
            return redirect("admin:knowledge_fairhelprequest_change", help_request.pk)
        form = HelpAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.help_request_answer(
                    help_request=help_request, answer=form.cleaned_data["answer"], by=request.user
                )
            except ValidationError as exc:
                form.add_error("answer", exc)
            else:
                self.message_user(request, _("已答复。"), messages.SUCCESS)
                return redirect("admin:knowledge_fairhelprequest_change", help_request.pk)
        return self._form_page(request, help_request, answer_form=form)

    def escalate_view(self, request, pk):
        help_request = self._request(request, pk)
        if request.method != "POST":
            return redirect("admin:knowledge_fairhelprequest_change", help_request.pk)
        form = HelpEscalateForm(request.POST)
        if form.is_valid():
            try:
                services.help_request_escalate(
                    help_request=help_request, by=request.user, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                help_request.refresh_from_db()
                if help_request.application_id:
                    self.message_user(
                        request,
                        _("已为%(org)s生成申请草稿，并通知其补充后提交。") % {"org": help_request.organisation},
                        messages.SUCCESS,
                    )
                else:
                    self.message_user(
                        request,
                        _("已向 %(email)s 发送注册并申请的邀请邮件。") % {"email": help_request.email},
                        messages.SUCCESS,
                    )
                return redirect("admin:knowledge_fairhelprequest_change", help_request.pk)
        return self._form_page(request, help_request, escalate_form=form)

    def _form_page(self, request, help_request, **forms):
        return TemplateResponse(
            request,
            "knowledge/events/admin/help_action.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": str(help_request),
                "original": help_request,
                "help_request": help_request,
                **self._action_context(help_request, **forms),
            },
            status=400,
        )
