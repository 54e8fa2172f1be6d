"""The statistics page's period form: a month, a quarter, a year or any range of days, and the
workstation cut. The period itself is read by `Period.from_params` (the same names everywhere);
the form shows its messages next to the fields, with what was entered kept."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import ServicePoint
from reporting.periods import KINDS, Period, PeriodError

QUARTERS = [(str(q), gettext_lazy("第%(q)s季度") % {"q": q}) for q in range(1, 5)]
MONTHS = [(str(m), gettext_lazy("%(m)s月") % {"m": m}) for m in range(1, 13)]


class PeriodForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("统计期间"), required=False)
    year = forms.CharField(label=gettext_lazy("年份"), required=False)
    quarter = forms.CharField(label=gettext_lazy("季度"), required=False)
    month = forms.CharField(label=gettext_lazy("月份"), required=False)
    start = forms.CharField(label=gettext_lazy("开始日期"), required=False)
    end = forms.CharField(label=gettext_lazy("结束日期"), required=False)
    service_point = forms.CharField(label=gettext_lazy("服务工作站"), required=False)

    def __init__(self, data, *, scope, today=None):
        self.today = today or timezone.localdate()
        self.scope = scope
        self.points = list(scope.service_point_choices())
        super().__init__(data)
        self.period_value = None
        self.service_point_ids = None
        self.service_point_choice = None

    # The choices as the template lists them (the values are the raw strings entered, so that a bad
    # value stays visible in its field).
    kinds = list(KINDS.items())
    quarters = QUARTERS
    months = MONTHS

    def clean(self):
        data = super().clean()
        try:
            self.period_value = Period.from_params(self.data, today=self.today)
        except PeriodError as error:
            for name, message in error.errors.items():
                self.add_error(name if name in self.fields else None, message)
        self._clean_service_point(data.get("service_point") or "")
        return data

    def _clean_service_point(self, raw):
        allowed = {str(point.pk): point for point in self.points}
        if self.scope.kind == "service_point" and not raw:
            raw = str(self.scope.service_point_id)
        if not raw:
            return
        point = allowed.get(raw.strip())
        if point is None:
            self.add_error("service_point", _("请选择列表中的服务工作站。"))
            return
        self.service_point_choice = point
        self.service_point_ids = ServicePoint.scope_ids(point.pk)

    def cut_params(self) -> dict[str, str]:
        """The query parameters of the chosen period and cut, for links and exports."""
        params = dict(self.period_value.as_params()) if self.period_value else {}
        if self.service_point_choice is not None:
            params["service_point"] = str(self.service_point_choice.pk)
        return params

    @property
    def inputs(self):
        """The period's fields as the template draws them, each with its value and its messages."""
        rows = []
        for name in ("year", "quarter", "month", "start", "end"):
            options = {"quarter": QUARTERS, "month": MONTHS}.get(name)
            value = str(self.value(name))
            if options and value not in {key for key, _label in options}:
                options = [*options, (value, value)]  # a bad value stays visible next to its message
            rows.append(
                {
                    "name": name,
                    "label": self.fields[name].label,
                    "value": value,
                    "options": options,
                    "type": "date" if name in ("start", "end") else "text",
                    "errors": self.errors.get(name, []) if self.is_bound else [],
                }
            )
        return rows

    @property
    def service_point_value(self):
        raw = self.data.get("service_point")
        if raw:
            return raw
        return str(self.scope.service_point_id) if self.scope.service_point_id else ""

    @property
    def kind(self):
        return (self.data.get("period") or "quarter").strip()

    def value(self, name, default=""):
        """What the field shows: the raw value entered, or the period's own value."""
        raw = self.data.get(name)
        if raw not in (None, ""):
            return raw
        if self.period_value is not None:
            return self.period_value.as_params().get(name, default)
        return default
