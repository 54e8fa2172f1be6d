"""The application list's filters: multiple-choice answers, workstation, the deadline abroad and the
review deadline."""

import threading

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services
from applications.admin.scope import workstation_only
from applications.choices import DisputeType, OpponentType, RightType, TechnicalField
from applications.countries import ALL_COUNTRY_CHOICES
from applications.models import (
    Application,
)
from applications.permissions import (
    service_point_scope,
)
from applications.services.deadlines import foreign_deadline_bounds
from portal.admin_filters import ChoiceListFilter, ValidatedListFilter
from portal.models import ServicePoint
from portal.workdays import add_working_days


class DisputeTypeFilter(ChoiceListFilter):
    title = gettext_lazy("涉及纠纷类型")
    parameter_name = "dispute_type"
    field_name = "dispute_types"
    options = DisputeType.choices


class RightTypeFilter(ChoiceListFilter):
    title = gettext_lazy("涉及权利类别")
    parameter_name = "right_type"
    field_name = "right_types"
    options = RightType.choices


class CountryFilter(ChoiceListFilter):
    title = gettext_lazy("纠纷国家/地区")
    parameter_name = "country"
    field_name = "countries"
    options = ALL_COUNTRY_CHOICES


class OpponentTypeFilter(ChoiceListFilter):
    title = gettext_lazy("纠纷对象类型")
    parameter_name = "opponent_type"
    field_name = "opponent_types"
    options = OpponentType.choices


class TechnicalFieldFilter(ChoiceListFilter):
    title = gettext_lazy("纠纷领域")
    parameter_name = "technical_field"
    field_name = "technical_fields"
    options = TechnicalField.choices


class ServicePointFilter(ValidatedListFilter):
    """The workstation an application came through: every one for the center, the user's own scope for a
    workstation."""

    title = gettext_lazy("服务工作站")
    parameter_name = "service_point"

    def lookups(self, request, model_admin):
        points = ServicePoint.objects.all()
        scope = service_point_scope(request.user)
        if workstation_only(request.user):
            points = points.filter(pk__in=scope or [])
        return [("none", _("指导中心直接受理")), *((str(point.pk), point.name) for point in points)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(service_point__isnull=True)
        if self.value():
            return queryset.filter(service_point_id=int(self.value()))
        return queryset


class ForeignDeadlineFilter(ValidatedListFilter):
    """The applicant's own deadline abroad (selectors.foreign_deadline_state's alert window)."""

    title = gettext_lazy("境外期限")
    parameter_name = "foreign_deadline"

    def lookups(self, request, model_admin):
        return [
            ("alert", gettext_lazy("境外期限 10 个工作日内")),
            ("passed", gettext_lazy("境外期限已过")),
            ("any", gettext_lazy("填写了境外期限")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "alert":
            return queryset.filter(foreign_deadline__gte=today, foreign_deadline__lt=foreign_bounds(today)["alert"])
        if self.value() == "passed":
            return queryset.filter(foreign_deadline__lt=today)
        if self.value() == "any":
            return queryset.filter(foreign_deadline__isnull=False)
        return queryset


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
        soon = reminder_window_end(today)
        submitted, returned = Application.Status.SUBMITTED, Application.Status.RETURNED
        return {
            "overdue": lambda: queryset.filter(status=submitted, review_due__lt=today),
            "soon": lambda: queryset.filter(status=submitted, review_due__gte=today, review_due__lte=soon),
            "correcting": lambda: queryset.filter(status=returned, correction_due__gte=today),
            "lapsed": lambda: queryset.filter(status=returned, correction_due__lt=today),
        }.get(self.value(), lambda: queryset)()


# The last day of the reminder window and the windows of the deadline abroad, computed once per list
# page (one calendar query each).
_window = threading.local()


def forget_reminder_window():
    """The calendar may have changed since the last page: compute the windows afresh."""
    _window.value = None
    _window.foreign = None


def foreign_bounds(today):
    """applications.services.deadlines.foreign_deadline_bounds for `today`, once per list page."""
    cached = getattr(_window, "foreign", None)
    if cached is None or cached["today"] != today:
        cached = _window.foreign = foreign_deadline_bounds(today)
    return cached


def reminder_window_end(today):
    cached = getattr(_window, "value", None)
    if cached is None or cached[0] != today:
        cached = (today, add_working_days(today, services.REMIND_WORKING_DAYS_BEFORE))
        _window.value = cached
    return cached[1]


DEADLINE_WORDS = {"overdue": gettext_lazy("已逾期"), "soon": gettext_lazy("即将到期")}
