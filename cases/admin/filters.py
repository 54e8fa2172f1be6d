"""The case list's filters."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.choices import FORM_COUNTRIES, DisputeType, RightType
from applications.countries import country_name
from applications.services.deadlines import foreign_deadline_bounds
from cases.forms import handler_choices
from cases.models import (
    OPEN_STATUSES,
    LetterRecipient,
)
from cases.selectors import due_soon_limit
from portal.admin_filters import ChoiceListFilter, ValidatedListFilter
from portal.models import PartnerAgency


class HandlerFilter(ValidatedListFilter):
    title = _("承办人")
    parameter_name = "handler"

    def lookups(self, request, model_admin):
        return [("none", _("未指定")), *[(str(u.pk), u.full_name) for u in handler_choices()]]

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
        return [(str(a.pk), a.short_name) for a in PartnerAgency.objects.order_by("display_order", "pk")]

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
        return [(code, country_name(code)) for code in FORM_COUNTRIES]


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
        return [("overdue", _("已逾期")), ("soon", _("即将到期")), ("none", _("无期限"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=today)
        if self.value() == "soon":
            return queryset.filter(status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=due_soon_limit(today))
        if self.value() == "none":
            return queryset.filter(due_date__isnull=True)
        return queryset


class ForeignDeadlineFilter(ValidatedListFilter):
    """The applicant's own deadline abroad (Application.foreign_deadline), in the windows of
    applications.selectors.foreign_deadline_state."""

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
            return queryset.filter(application__foreign_deadline__isnull=True)
        if value == "any":
            return queryset.filter(application__foreign_deadline__isnull=False)
        bounds = foreign_deadline_bounds(timezone.localdate())
        if value == "passed":
            return queryset.filter(status__in=OPEN_STATUSES, application__foreign_deadline__lt=bounds["today"])
        if value == "urgent":
            return queryset.filter(
                Q(application__foreign_deadline__lt=bounds["alert"]) | Q(application__urgent=True),
                status__in=OPEN_STATUSES,
            )
        return queryset.filter(status__in=OPEN_STATUSES, application__foreign_deadline__lt=bounds["soon"])
