"""The period a figure covers: a month, a quarter, a year, or any range of days.

Every statistic, export, report and API call takes a `Period`; `Period.from_params` reads one
from a query string (the statistics page, the exports and the API use the same names) and
raises `PeriodError` with a message per field when the input is wrong."""

import dataclasses
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KINDS = {
    "month": gettext_lazy("月度"),
    "quarter": gettext_lazy("季度"),
    "year": gettext_lazy("年度"),
    "custom": gettext_lazy("自定义"),
}
# A custom range longer than this is refused: a statistics page is not a data warehouse.
MAX_CUSTOM_DAYS = 3 * 366


class PeriodError(ValueError):
    """Bad period input; `errors` maps each parameter to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    last: datetime.date

    # --- constructors ---------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return cls("month", first, following - datetime.timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = datetime.date(year, 3 * quarter - 2, 1)
        last = cls.month(year, 3 * quarter).last
        return cls("quarter", first, last)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def custom(cls, first: datetime.date, last: datetime.date) -> "Period":
        return cls("custom", first, last)

    @classmethod
    def current_quarter(cls, today: datetime.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls.quarter(today.year, (today.month - 1) // 3 + 1)

    @classmethod
    def from_params(cls, params, *, today: datetime.date | None = None) -> "Period":
        """Read `period` (month|quarter|year|custom) with `year`, `month`, `quarter`, or
        `start` and `end` (YYYY-MM-DD). Without `period`, the current quarter."""
        today = today or timezone.localdate()
        kind = (params.get("period") or "quarter").strip()
        if kind not in KINDS:
            raise PeriodError(
                {
                    "period": _("未知的统计期间类型“%(kind)s”，可选：%(kinds)s")
                    % {"kind": kind[:20], "kinds": "、".join(KINDS)}
                }
            )
        if kind == "custom":
            first = _date(params, "start")
            last = _date(params, "end")
            if last < first:
                raise PeriodError({"end": _("结束日期不能早于开始日期。")})
            if (last - first).days > MAX_CUSTOM_DAYS:
                raise PeriodError({"end": _("自定义期间不能超过三年。")})
            return cls.custom(first, last)
        year = _int(params, "year", today.year, 2000, 2100)
        if kind == "year":
            return cls.year(year)
        if kind == "month":
            return cls.month(year, _int(params, "month", today.month, 1, 12))
        return cls.quarter(year, _int(params, "quarter", (today.month - 1) // 3 + 1, 1, 4))

    # --- reading --------------------------------------------------------------------------
    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)s年") % {"year": self.first.year}
        if self.kind == "quarter":
            return _("%(year)s年第%(quarter)s季度") % {"year": self.first.year, "quarter": self.quarter_number}
        if self.kind == "month":
            return _("%(year)s年%(month)s月") % {"year": self.first.year, "month": self.first.month}
        return _("%(first)s至%(last)s") % {"first": self.first.isoformat(), "last": self.last.isoformat()}

    @property
    def quarter_number(self) -> int:
        return (self.first.month - 1) // 3 + 1

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes in the portal's time zone, for timestamp filters."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end

    def as_params(self) -> dict[str, str]:
        """The query parameters that give this period back through `from_params`."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.first.isoformat(), "end": self.last.isoformat()}
        params = {"period": self.kind, "year": str(self.first.year)}
        if self.kind == "quarter":
            params["quarter"] = str(self.quarter_number)
        elif self.kind == "month":
            params["month"] = str(self.first.month)
        return params

    def quarters_back(self, count: int) -> list["Period"]:
        """The `count` quarters ending with the one this period ends in, oldest first."""
        year, quarter = self.last.year, (self.last.month - 1) // 3 + 1
        quarters = []
        for _step in range(count):
            quarters.append(Period.quarter(year, quarter))
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        return list(reversed(quarters))


def _date(params, name) -> datetime.date:
    raw = (params.get(name) or "").strip()
    if not raw:
        raise PeriodError({name: _("请填写日期（格式 YYYY-MM-DD）。")})
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise PeriodError({name: _("日期“%(value)s”无效，格式应为 YYYY-MM-DD。") % {"value": raw[:20]}}) from None


def _int(params, name, default, low, high) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise PeriodError({name: _("“%(value)s”不是整数。") % {"value": str(raw)[:20]}}) from None
    if not low <= value <= high:
        raise PeriodError({name: _("应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high}})
    return value
