"""Consultations in the staff workplace (the Django admin), for the center's staff and a workstation's.

A workstation's staff see only the consultations of their workstation and those under it; any other
id is a 404 (list, change page, history and every button). Adding and changing go through the
services (save_model calls consultation_log / consultation_update); the follow-up, close, reopen and
"转为申请" buttons have their own pages, each calling one service. The statistics page (consultations,
applications and cases by channel and workstation) has its own entry in the app list.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.admin.filters import PointScopeFilter as ApplicationPointScopeFilter
from consultations import selectors, services
from consultations.forms import ApplicantAutocomplete, ConsultationForm, ConvertForm, FollowUpForm, NoteForm
from consultations.models import Consultation, ConsultationStatistics
from consultations.permissions import (
    can_change,
    can_log,
    can_view_statistics,
    scope_of,
    visible_applicants,
    visible_consultations,
)
from portal.admin_cells import per_page
from portal.admin_filters import DateHierarchyGuardMixin, DateRangeFilter, ValidatedListFilter
from portal.admin_lists import CachedLookupsMixin, FastListMixin, year_filter
from portal.admin_scope import NotFoundOutsideQuerysetMixin
from portal.audit import entries_for
from portal.converters import get_by_id_or_404, parse_id
from portal.fields import ChoiceListField
from portal.models import ServicePoint

S = Consultation.Status


class ServicePointFilter(CachedLookupsMixin, ValidatedListFilter):
    title = gettext_lazy("服务工作站")
    parameter_name = "point"

    def lookups(self, request, model_admin):
        scope = scope_of(request.user)
        points = ServicePoint.objects.all() if scope is None else ServicePoint.objects.filter(pk__in=scope or [])
        choices = [("center", _("指导中心"))] if scope is None else []
        return choices + [(str(pk), name) for pk, name in points.values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "center":
            return queryset.filter(service_point__isnull=True)
        if value:
            return queryset.filter(service_point_id=int(value))
        return queryset


class ReceivedFilter(DateRangeFilter):
    """The statistics page's drill-down: received in a period of days."""

    title = gettext_lazy("咨询日期")
    prefix = "received"
    field_name = "received_at"


class PointScopeFilter(ApplicationPointScopeFilter):
    """The statistics page's workstation cut: the workstation and those under it."""

    def lookups(self, request, model_admin):
        if self.value() is None:
            return []  # shown only while in use
        scope = scope_of(request.user)
        points = ServicePoint.objects.all() if scope is None else ServicePoint.objects.filter(pk__in=scope or [])
        return [(str(pk), name) for pk, name in points.values_list("pk", "name")]


class FollowUpFilter(ValidatedListFilter):
    title = gettext_lazy("跟进")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [
            ("due", _("待跟进（今日及逾期）")),
            ("overdue", _("已逾期")),
            ("today", _("今日")),
            ("planned", _("已安排")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "due":
            # The list's own order, not the selector's oldest date first: the list puts its order
            # first and would keep the date as a second key, so that the rows could no longer be
            # read in the order of the received-date index (every due consultation sorted).
            return selectors.follow_ups_due(queryset, today=today).order_by()
        if value == "overdue":
            return queryset.filter(status=S.OPEN, follow_up_on__lt=today)
        if value == "today":
            return queryset.filter(status=S.OPEN, follow_up_on=today)
        if value == "planned":
            return queryset.filter(status=S.OPEN, follow_up_on__gt=today)
        return queryset


BADGE = '<span class="zx-badge zx-{}">{}</span>'


@admin.register(Consultation)
class ConsultationAdmin(FastListMixin, NotFoundOutsideQuerysetMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    form = ConsultationForm
    list_display = [
        "number",
        "received_at",
        "channel",
        "person_name",
        "organisation_display",
        "status",
        "follow_up_badge",
        "service_point",
    ]
    list_display_links = ["number", "person_name"]
    list_filter = [
        "channel",
        "status",
        ServicePointFilter,
        FollowUpFilter,
        ReceivedFilter,
        year_filter("received_at", gettext_lazy("咨询年度")),
        PointScopeFilter,
    ]
    search_fields = [
        "number",
        "person_name",
        "phone",
        "email",
        "organisation_name",
        "credit_code",
        "applicant__name",
        "applicant__credit_code",
        "question",
    ]
    list_select_related = ["applicant", "service_point"]
    list_per_page = 50
    change_form_template = "admin/consultations/consultation/change_form.html"
    change_list_template = "admin/consultations/consultation/change_list.html"
    fieldsets = [
        (gettext_lazy("咨询方式"), {"fields": ["channel", "received_at", "fair_name"]}),
        (
            gettext_lazy("咨询人信息"),
            {"fields": ["person_name", "person_title", "phone", "email", "wechat"]},
        ),
        (gettext_lazy("所属单位"), {"fields": ["applicant", "organisation_name", "credit_code"]}),
        (
            gettext_lazy("咨询内容"),
            {"fields": ["countries", "right_types", "dispute_types", "question", "answer", "minutes_spent"]},
        ),
        (gettext_lazy("跟进"), {"fields": ["follow_up_on"]}),
    ]
    readonly_on_change = [
        "number",
        "status",
        "handled_by",
        "service_point",
        "application_link",
        "follow_up_note",
        "created_at",
    ]

    # --- access -------------------------------------------------------------------------------

    def has_module_permission(self, request):
        return can_log(request.user)

    def has_view_permission(self, request, obj=None):
        return can_log(request.user) and (obj is None or can_change(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return can_log(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return visible_consultations(request.user).select_related("applicant", "service_point")

    def visible_or_404(self, request, object_id):
        """The consultation, or 404 for an id the user may not see (never the admin's redirect)."""
        if not can_log(request.user):
            raise Http404
        return get_by_id_or_404(self.get_queryset(request).select_related("application", "handled_by"), object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        consultation = self.object_or_404(request, object_id)
        extra_context = {**(extra_context or {}), **self._panel_context(request, consultation)}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- the form -------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.fieldsets)
        if obj is not None:
            fieldsets.insert(0, (gettext_lazy("登记信息"), {"fields": self.readonly_on_change}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_on_change if obj is not None else []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, ChoiceListField):
            return db_field.formfield()
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "applicant" and isinstance(field.widget, RelatedFieldWidgetWrapper):
            # Only the search: adding or editing an applicant is not done from here.
            field.widget = field.widget.widget
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "applicant":
            kwargs["queryset"] = visible_applicants(request.user)
            kwargs["widget"] = ApplicantAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.FIELDS if name in form.cleaned_data}
        if change:
            saved = services.consultation_update(consultation=obj, data=data, by=request.user)
        else:
            saved = services.consultation_log(data=data, by=request.user)
        obj.pk = saved.pk
        obj.number = saved.number

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many fields; the service saved everything

    def log_addition(self, request, obj, message):
        pass  # the portal's audit log has the entry (consultation_log)

    def log_change(self, request, obj, message):
        pass  # the portal's audit log has the entry (consultation_update)

    # --- list columns ---------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("单位"), ordering="organisation_name")
    def organisation_display(self, obj):
        return obj.applicant.name if obj.applicant_id else (obj.organisation_name or "—")

    @admin.display(description=gettext_lazy("跟进日期"), ordering="follow_up_on")
    @per_page
    def follow_up_badge(self):
        # Today and the two words, once per page (per row, they were a fifth of the list's rows).
        today = timezone.localdate()
        words = {"overdue": _("已逾期"), "today": _("今日")}

        def badge(obj):
            state = selectors.follow_up_state(obj, today=today)
            if not state:
                return "—"
            date = obj.follow_up_on.strftime("%Y-%m-%d")
            if state not in words:
                return date
            return mark_safe(f'{date} <span class="zx-badge zx-{state}">{escape(words[state])}</span>')  # noqa: S308

        return badge

    @admin.display(description=gettext_lazy("转成的申请"))
    def application_link(self, obj):
        if not obj.application_id:
            return "—"
        return format_html(
            '<a href="{}" data-testid="application-link">{}</a>（{}）',
            reverse("admin:applications_application_change", args=[obj.application_id]),
            obj.application,
            obj.application.get_status_display(),
        )

    # --- the change page's panel and its pages ------------------------------------------------------

    def _panel_context(self, request, consultation, **forms):
        return {
            "consultation": consultation,
            "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
            "note_form": forms.get("note_form") or NoteForm(),
            "follow_up_state": selectors.follow_up_state(consultation),
            "can_follow_up": consultation.status == S.OPEN,
            "can_close": consultation.status == S.OPEN,
            "can_reopen": consultation.status == S.CLOSED,
            "can_convert": consultation.application_id is None,
            "history": list(entries_for(consultation)),
        }

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/convert/", wrap(self.convert_view), name="consultations_consultation_convert"),
            path("<id:pk>/follow-up/", wrap(self.follow_up_view), name="consultations_consultation_follow_up"),
            path("<id:pk>/close/", wrap(self.close_view), name="consultations_consultation_close"),
            path("<id:pk>/reopen/", wrap(self.reopen_view), name="consultations_consultation_reopen"),
            path(
                "applicant-search/",
                wrap(self.applicant_search_view),
                name="consultations_consultation_applicant_search",
            ),
            *super().get_urls(),
        ]

    def _page(self, request, consultation, template, title, status=200, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "original": consultation,
                "consultation": consultation,
                "change_url": reverse("admin:consultations_consultation_change", args=[consultation.pk]),
                **context,
            },
            status=status,
        )

    def _back(self, consultation):
        return redirect("admin:consultations_consultation_change", consultation.pk)

    def follow_up_view(self, request, pk):
        consultation = self.object_or_404(request, pk)
        if request.method != "POST":
            return self._back(consultation)
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.consultation_follow_up(
                    consultation=consultation,
                    note=form.cleaned_data["note"],
                    next_on=form.cleaned_data["next_on"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("跟进已记录。"), messages.SUCCESS)
                return self._back(consultation)
        return self._page(
            request,
            consultation,
            "admin/consultations/consultation/action.html",
            _("记录跟进：%(number)s") % {"number": consultation.number},
            status=400,
            form=form,
            action_url=reverse("admin:consultations_consultation_follow_up", args=[consultation.pk]),
            submit_label=_("保存跟进"),
        )

    def _status_view(self, request, pk, *, service, done, title, label):
        consultation = self.object_or_404(request, pk)
        if request.method != "POST":
            return self._back(consultation)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                service(consultation=consultation, note=form.cleaned_data["note"], by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return self._back(consultation)
        return self._page(
            request,
            consultation,
            "admin/consultations/consultation/action.html",
            title % {"number": consultation.number},
            status=400,
            form=form,
            action_url=request.path,
            submit_label=label,
        )

    def close_view(self, request, pk):
        return self._status_view(
            request,
            pk,
            service=services.consultation_close,
            done=_("咨询已办结。"),
            title=_("办结咨询：%(number)s"),
            label=_("办结"),
        )

    def reopen_view(self, request, pk):
        return self._status_view(
            request,
            pk,
            service=services.consultation_reopen,
            done=_("咨询已重新打开。"),
            title=_("重新打开咨询：%(number)s"),
            label=_("重新打开"),
        )

    def convert_view(self, request, pk):
        """转为申请: whom to invite (prefilled from the consultation) and, when no registered applicant is
        linked, the applicant's data; once converted, the application's link."""
        consultation = self.object_or_404(request, pk)
        linked = consultation.applicant_id is not None
        if consultation.application_id is not None:
            form = None
        elif request.method == "POST":
            form = ConvertForm(request.POST, linked=linked)
            if form.is_valid():
                try:
                    application = services.consultation_convert(
                        consultation=consultation, by=request.user, **form.cleaned_data
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(
                        request,
                        _("已生成申请草稿 %(application)s，并向 %(email)s 发送了在线办理邀请。")
                        % {"application": application, "email": form.cleaned_data["email"]},
                        messages.SUCCESS,
                    )
                    return redirect("admin:consultations_consultation_convert", consultation.pk)
        else:
            form = ConvertForm(
                linked=linked,
                initial={
                    "full_name": consultation.person_name,
                    "email": consultation.email,
                    "phone": consultation.phone,
                    "organisation_name": consultation.organisation_name,
                    "credit_code": consultation.credit_code,
                },
            )
        return self._page(
            request,
            consultation,
            "admin/consultations/consultation/convert.html",
            _("转为申请：%(number)s") % {"number": consultation.number},
            status=400 if form is not None and form.is_bound else 200,
            form=form,
            linked=linked,
        )

    def applicant_search_view(self, request):
        """Select2's search of the applicant field: the applicants the user may see, by name or code."""
        if not can_log(request.user):
            raise Http404
        term = (request.GET.get("term") or "").strip()[:100]
        page = min(parse_id(request.GET.get("page")) or 1, 500)
        applicants = visible_applicants(request.user).order_by("name")
        if term:
            applicants = applicants.filter(Q(name__icontains=term) | Q(credit_code__icontains=term.upper()))
        size = 20
        rows = list(applicants.values("pk", "name", "credit_code")[(page - 1) * size : page * size + 1])
        return JsonResponse(
            {
                "results": [
                    {
                        "id": str(row["pk"]),
                        "text": f"{row['name']}（{row['credit_code']}）" if row["credit_code"] else row["name"],
                    }
                    for row in rows[:size]
                ],
                "pagination": {"more": len(rows) > size},
            }
        )


@admin.register(ConsultationStatistics)
class ConsultationStatisticsAdmin(FastListMixin, admin.ModelAdmin):
    """The statistics page, as an entry of its own in the app list: consultations, applications and
    cases opened, by channel and workstation, for a year or a quarter."""

    def has_module_permission(self, request):
        return can_view_statistics(request.user)

    def has_view_permission(self, request, obj=None):
        return obj is None and can_view_statistics(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="consultations_consultationstatistics_changelist",
            )
        ]

    def changelist_view(self, request, extra_context=None):
        if not can_view_statistics(request.user):
            raise Http404
        today = timezone.localdate()
        year = parse_id(request.GET.get("year"))
        if year is None or not 2000 <= year <= today.year + 1:
            year = today.year
        quarter = parse_id(request.GET.get("quarter"))
        if quarter not in {1, 2, 3, 4}:
            quarter = None
        scope = scope_of(request.user)
        counted_at_once = selectors.statistics_follow_writes()  # asked first: errs towards "within a minute"
        return TemplateResponse(
            request,
            "admin/consultations/statistics.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("咨询与申请统计"),
                "year": year,
                "quarter": quarter,
                "years": list(range(today.year, today.year - 6, -1)),
                "quarters": [1, 2, 3, 4],
                "scoped": scope is not None,
                "stats": selectors.statistics(year=year, quarter=quarter, scope=scope),
                "counted_at_once": counted_at_once,
            },
        )
