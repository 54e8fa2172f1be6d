"""The case list's filters."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.choices import FORM_COUNTRIES, ApplicantCategory, DisputeType, OpponentType, RightType
from applications.countries import ALL_COUNTRY_CHOICES, country_name
from cases.forms import handler_choices
from cases.models import (
    OPEN_STATUSES,
    LetterRecipient,
)
from cases.permissions import service_point_scope
from cases.selectors import late_opinion, list_windows
from portal.admin_filters import ChoiceListFilter, DateRangeFilter, ValidatedListFilter, cached_lookups
from portal.models import PartnerAgency, ServicePoint
from portal.roles import is_center_member


class HandlerFilter(ValidatedListFilter):
    title = _("承办人")
    parameter_name = "handler"

    def lookups(self, request, model_admin):
        handlers = cached_lookups("cases:admin:handlers", lambda: handler_choices().values_list("pk", "full_name"))
        return [("none", _("未指定")), *handlers]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(handler__isnull=True)
        if self.value():
            return queryset.filter(handler_id=self.value())
        return queryset


class AgencyFilter(ValidatedListFilter):
    title = _("协助单位")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        return cached_lookups(
            "cases:admin:agencies",
            lambda: PartnerAgency.objects.order_by("display_order", "pk").values_list("pk", "short_name"),
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(LetterRecipient.objects.filter(letter__case=OuterRef("pk"), agency_id=self.value()))
            )
        return queryset


class CountryFilter(ChoiceListFilter):
    title = _("纠纷国家/地区")
    parameter_name = "country"
    field_name = "countries"

    def lookups(self, request, model_admin):
        choices = [(code, country_name(code)) for code in FORM_COUNTRIES]
        # Any other country a case names may be asked for too (the statistics page's links).
        value = self.value()
        if value and value not in FORM_COUNTRIES and value in dict(ALL_COUNTRY_CHOICES):
            choices.append((value, country_name(value)))
        return choices


class DisputeTypeFilter(ChoiceListFilter):
    title = _("纠纷类型")
    parameter_name = "dispute_type"
    field_name = "dispute_types"
    options = DisputeType.choices


class RightTypeFilter(ChoiceListFilter):
    title = _("权利类别")
    parameter_name = "right_type"
    field_name = "right_types"
    options = RightType.choices


class DeadlineFilter(ValidatedListFilter):
    title = _("期限")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("已逾期")),
            ("soon", _("即将到期")),
            ("none", _("无期限")),
            ("overdue_first_contact", _("首次联系已逾期")),
            ("overdue_opinion", _("出具指导意见已逾期")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=today)
        if self.value() == "soon":
            soon = list_windows(today)["soon"]
            return queryset.filter(status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=soon)
        if self.value() == "none":
            return queryset.filter(due_date__isnull=True)
        if self.value() == "overdue_first_contact":
            return queryset.filter(
                status__in=OPEN_STATUSES, first_contacted_at__isnull=True, first_contact_due__lt=today
            )
        if self.value() == "overdue_opinion":
            return queryset.filter(late_opinion(today))
        return queryset


class ForeignDeadlineFilter(ValidatedListFilter):
    """The applicant's own deadline abroad (its copy on the case, Case.foreign_deadline), in the
    windows of applications.selectors.foreign_deadline_state."""

    title = _("境外期限")
    parameter_name = "foreign_deadline"

    def lookups(self, request, model_admin):
        return [
            ("urgent", _("紧急（10 个工作日内、已届满或申请人标注紧急）")),
            ("soon", _("20 个工作日内")),
            ("passed", _("已届满")),
            ("any", _("有境外期限")),
            ("none", _("无境外期限")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "none":
            return queryset.filter(foreign_deadline__isnull=True)
        if value == "any":
            return queryset.filter(foreign_deadline__isnull=False)
        bounds = list_windows()["foreign"]
        if value == "passed":
            return queryset.filter(status__in=OPEN_STATUSES, foreign_deadline__lt=bounds["today"])
        if value == "urgent":
            return queryset.filter(
                Q(foreign_deadline__lt=bounds["alert"]) | Q(urgent=True),
                status__in=OPEN_STATUSES,
            )
        return queryset.filter(status__in=OPEN_STATUSES, foreign_deadline__lt=bounds["soon"])


# --- The statistics page's drill-down ---------------------------------------------------------


class OpenedFilter(DateRangeFilter):
    title = _("受理日期")
    prefix = "opened"
    field_name = "opened_at"


class EndedFilter(DateRangeFilter):
    title = _("结案或终止日期")
    prefix = "ended"
    field_name = "closed_at"


class OpponentTypeFilter(ChoiceListFilter):
    title = _("纠纷对象类型")
    parameter_name = "opponent_type"
    field_name = "opponent_types"
    options = OpponentType.choices


class ApplicantCategoryFilter(ValidatedListFilter):
    title = _("申请人类别")
    parameter_name = "applicant_category"

    def lookups(self, request, model_admin):
        return ApplicantCategory.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(applicant_category=self.value())
        return queryset


class ServicePointFilter(ValidatedListFilter):
    """The workstation the application came through ("center": straight to the center)."""

    title = _("服务工作站")
    parameter_name = "service_point"

    def lookups(self, request, model_admin):
        if self.value() is None:
            return []  # shown only while in use (the statistics page's links): no query otherwise
        points = ServicePoint.objects.values_list("pk", "name")
        scope = service_point_scope(request.user)
        if scope is not None and not is_center_member(request.user):
            return [(str(pk), name) for pk, name in points.filter(pk__in=scope)]
        return [("center", _("指导中心直接受理")), *((str(pk), name) for pk, name in points)]

    def queryset(self, request, queryset):
        if self.value() == "center":
            return queryset.filter(service_point__isnull=True)
        if self.value():
            return queryset.filter(service_point_id=int(self.value()))
        return queryset
