"""The application list's filters: multiple-choice answers, workstation, the deadline abroad and the
review deadline."""

import threading

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services
from applications.admin.scope import workstation_only
from applications.choices import DisputeType, OpponentType, RightType, TechnicalField
from applications.countries import ALL_COUNTRY_CHOICES
from applications.models import (
    Application,
    ApplicationVersion,
)
from applications.permissions import (
    service_point_scope,
)
from applications.services.deadlines import foreign_deadline_bounds
from portal.admin_filters import ChoiceListFilter, DateRangeFilter, ValidatedListFilter, cached_lookups
from portal.cache import cache_get, cache_set
from portal.models import LogEntry, ServicePoint
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
        key = "applications:admin:service-points"
        if workstation_only(request.user):
            scope = service_point_scope(request.user) or []
            points = points.filter(pk__in=scope)
            key += ":" + ",".join(str(pk) for pk in sorted(scope))
        return [("none", _("指导中心直接受理")), *cached_lookups(key, lambda: points.values_list("pk", "name"))]

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


# The last day of the reminder window and the windows of the deadline abroad: read from the
# working-day calendar at most once a minute (what a list may show a minute late), and kept for the
# rest of the page.
_window = threading.local()
WINDOW_CACHE_SECONDS = 60


def forget_reminder_window():
    """A new list page: take the windows from the cache (or the calendar) afresh."""
    _window.value = None


def _windows(today):
    cached = getattr(_window, "value", None)
    if cached is None or cached["today"] != today:
        key = f"applications:list-windows:{today.isoformat()}"
        cached = cache_get(key)
        if cached is None:
            cached = {
                "today": today,
                "reminder": add_working_days(today, services.REMIND_WORKING_DAYS_BEFORE),
                "foreign": foreign_deadline_bounds(today),
            }
            cache_set(key, cached, WINDOW_CACHE_SECONDS)
        _window.value = cached
    return cached


def foreign_bounds(today):
    """applications.services.deadlines.foreign_deadline_bounds for `today`."""
    return _windows(today)["foreign"]


def reminder_window_end(today):
    return _windows(today)["reminder"]


DEADLINE_WORDS = {"overdue": gettext_lazy("已逾期"), "soon": gettext_lazy("即将到期")}


# --- The statistics page's drill-down: a workstation's scope (the period: portal.admin_filters.DateRangeFilter)


class PointScopeFilter(ValidatedListFilter):
    """`point_scope=<id>`: rows of that workstation and those under it (ServicePoint.scope_ids), the
    statistics page's workstation cut. `field_name` is the path to the row's workstation id."""

    title = gettext_lazy("服务工作站及下级")
    parameter_name = "point_scope"
    field_name = "service_point_id"

    def lookups(self, request, model_admin):
        if self.value() is None:
            return []  # shown only while in use: no query for the list's everyday use
        points = ServicePoint.objects.all()
        if workstation_only(request.user):
            points = points.filter(pk__in=service_point_scope(request.user) or [])
        return [(str(pk), name) for pk, name in points.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field_name}__in": ServicePoint.scope_ids(int(self.value()))})
        return queryset


class ReceivedFilter(DateRangeFilter):
    """First submitted in the period: the first version's time (a correction moves submitted_at)."""

    title = gettext_lazy("首次提交日期")
    prefix = "received"

    def filter_range(self, queryset, start, end):
        first = ApplicationVersion.objects.filter(application=OuterRef("pk"), number=1).values("submitted_at")[:1]
        queryset = queryset.annotate(first_submitted=Coalesce(Subquery(first), F("submitted_at")))
        return queryset.filter(self.between("first_submitted", start, end))


class DecidedFilter(DateRangeFilter):
    title = gettext_lazy("受理决定日期")
    prefix = "decided"
    field_name = "decided_at"


class _LoggedStepFilter(DateRangeFilter):
    """Applications that took a step (an audit-log entry) in the period, each once."""

    action_type = ""
    extra = Q()

    def filter_range(self, queryset, start, end):
        entries = LogEntry.objects.filter(
            self.between("created", start, end),
            self.extra,
            content_type__app_label=Application._meta.app_label,
            content_type__model=Application._meta.model_name,
            object_id=OuterRef("pk"),
            action_type=self.action_type,
        )
        return queryset.filter(Exists(entries))


class ReturnedFilter(_LoggedStepFilter):
    title = gettext_lazy("退回补正日期")
    prefix = "returned"
    action_type = "applications.application.returned"


class WithdrawnFilter(_LoggedStepFilter):
    title = gettext_lazy("提交后撤回日期")
    prefix = "withdrawn"
    action_type = "applications.application.withdrawn"
    extra = Q(from_status__in=(Application.Status.SUBMITTED, Application.Status.RETURNED))
