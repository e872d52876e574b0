"""Calendar arithmetic behind TIMEX3 values: periods with half-open intervals, durations.

A :class:`Period` is a calendar unit (a day, an ISO week, a quarter, a decade ...) named by its
first day; its ``value`` is the TIMEX3 string and ``start``/``end`` its half-open ISO interval.
:class:`Expr` is what an expression says before it is resolved; :class:`Holiday` dates a holiday
from the ``holidays`` package or a ``dateutil.relativedelta`` rule. Nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import holidays as holiday_calendars
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta, weekday

# Each unit in whole days or in whole months (sub-day units move a date-only anchor by whole
# days): plain date arithmetic, a tenth of relativedelta's cost, with its month-end clamping.
_DAYS = {"day": 1, "week": 7, "weekend": 7, "fortnight": 14}
_MONTHS = {
    "month": 1,
    "quarter": 3,
    "season": 3,
    "half": 6,
    "year": 12,
    "decade": 120,
    "century": 1200,
}
_SUB_DAY = frozenset({"second", "minute", "hour"})
_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 604800,
    "weekend": 604800,
    "fortnight": 1209600,
}
# ISO 8601 designators for duration units; the last item is a multiplier.
_DESIGNATORS = {
    "second": ("T", "S", 1),
    "minute": ("T", "M", 1),
    "hour": ("T", "H", 1),
    "day": ("", "D", 1),
    "week": ("", "W", 1),
    "fortnight": ("", "W", 2),
    "month": ("", "M", 1),
    "quarter": ("", "M", 3),
    "year": ("", "Y", 1),
    "decade": ("", "Y", 10),
    "century": ("", "Y", 100),
}
SEASONS = ("WI", "SP", "SU", "FA")  # winter of year Y starts in December of Y-1


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of shorter months (as
    ``relativedelta(months=...)`` moves it); ValueError outside years 1 to 9999."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add(day: date, unit: str, amount: int) -> date:
    """``day`` moved by ``amount`` of a duration unit (second ... century).

    A date has no clock, so seconds, minutes and hours move it only by the whole days they add
    up to ("88 minutes ago" is the document's day). Unknown units raise ValueError, not KeyError.
    """
    if unit in _SUB_DAY:
        return day + timedelta(days=int(amount * _SECONDS[unit] / 86400))
    if unit in _DAYS:
        return day + timedelta(days=_DAYS[unit] * amount)
    if unit in _MONTHS:
        return add_months(day, _MONTHS[unit] * amount)
    raise ValueError(f"unknown duration unit {unit!r}")


@dataclass(frozen=True)
class Period:
    """A calendar period of one granularity, named by its first day."""

    gran: str
    first: date

    @classmethod
    def containing(cls, gran: str, day: date) -> Period:
        """The period of granularity ``gran`` that contains ``day``."""
        y, m = day.year, day.month
        first = {
            "day": lambda: day,
            "week": lambda: day - timedelta(days=day.weekday()),
            "weekend": lambda: day - timedelta(days=day.weekday()) + timedelta(days=5),
            "month": lambda: date(y, m, 1),
            "quarter": lambda: date(y, 3 * ((m - 1) // 3) + 1, 1),
            "season": lambda: add_months(date(y, m, 1), -(m % 3)),
            "half": lambda: date(y, 1 if m <= 6 else 7, 1),
            "year": lambda: date(y, 1, 1),
            "decade": lambda: date(y - y % 10 or 1, 1, 1),
            "century": lambda: date(y - y % 100 or 1, 1, 1),
        }[gran]()
        return cls(gran, first)

    def shift(self, n: int) -> Period:
        """The period ``n`` units later (earlier when negative)."""
        return Period(self.gran, add(self.first, self.gran, n))

    @property
    def start(self) -> str:
        return self.first.isoformat()

    @property
    def end(self) -> str:
        """The first day after the period (the interval is half-open)."""
        last = self.first + timedelta(days=2) if self.gran == "weekend" else None
        return (last or add(self.first, self.gran, 1)).isoformat()

    @property
    def value(self) -> str:
        f = self.first
        match self.gran:
            case "day":
                return f.isoformat()
            case "week" | "weekend":
                year, week, _ = f.isocalendar()
                return f"{year:04d}-W{week:02d}" + ("-WE" if self.gran == "weekend" else "")
            case "month":
                return f"{f.year:04d}-{f.month:02d}"
            case "quarter":
                return f"{f.year:04d}-Q{(f.month - 1) // 3 + 1}"
            case "half":
                return f"{f.year:04d}-H{1 if f.month <= 6 else 2}"
            case "season":
                year = f.year + (f.month == 12)
                return f"{year:04d}-{SEASONS[(f.month % 12) // 3]}"
            case "year":
                return f"{f.year:04d}"
            case "decade":
                return f"{f.year // 10:03d}"
        return f"{f.year // 100:02d}"


def duration(amount: float | None, unit: str) -> str:
    """The ISO 8601 duration for ``amount`` units; ``None`` gives TIMEX3's unknown "X"."""
    time, letter, factor = _DESIGNATORS[unit]
    if amount is None:
        number = "X"
    else:
        total = amount * factor
        number = str(int(total)) if float(total).is_integer() else f"{total:g}"
    return f"P{time}{number}{letter}"


# Duration units folded into the ISO 8601 designators, biggest first.
_FOLD = {
    "decade": ("year", 10),
    "century": ("year", 100),
    "quarter": ("month", 3),
    "fortnight": ("week", 2),
}
_ISO_ORDER = ("year", "month", "week", "day", "hour", "minute", "second")


def unit_rank(unit: str) -> int:
    """Position of ``unit`` from the biggest (year 0) to the smallest (second 6)."""
    return _ISO_ORDER.index(_FOLD.get(unit, (unit, 1))[0])


def combined_duration(parts: tuple[tuple[str, float], ...]) -> str:
    """One ISO 8601 duration for "2 hours and 30 minutes" (``PT2H30M``); weeks become days
    when other units join them (ISO 8601 allows W only alone)."""
    totals = dict.fromkeys(_ISO_ORDER, 0.0)
    for unit, amount in parts:
        base, factor = _FOLD.get(unit, (unit, 1))
        totals[base] += amount * factor
    if totals["week"] and any(v for k, v in totals.items() if k != "week"):
        totals["day"] += 7 * totals.pop("week")
    letters = {
        "year": "Y",
        "month": "M",
        "week": "W",
        "day": "D",
        "hour": "H",
        "minute": "M",
        "second": "S",
    }

    def text(units: tuple[str, ...]) -> str:
        return "".join(f"{totals[u]:g}{letters[u]}" for u in units if totals.get(u))

    clock = text(("hour", "minute", "second"))
    return "P" + text(("year", "month", "week", "day")) + (f"T{clock}" if clock else "")


def shifted_by_duration(day: date, amount: float, unit: str, sign: int) -> date | None:
    """``day`` moved by a duration (whole days for fractions of day units), or None if unclear."""
    if float(amount).is_integer():
        return add(day, unit, sign * int(amount))
    if unit in _SECONDS:
        days = sign * amount * _SECONDS[unit] / 86400
        return day + timedelta(days=int(days) if unit in _SUB_DAY else round(days))
    return None


@dataclass
class Expr:
    """What a temporal expression says, before it is resolved against the document date.

    ``kind`` is one of: point (calendar fields, maybe without a year), weekday, relative
    (this/last/next period), ago (an amount of units back or forward), ref (PRESENT_REF ...),
    duration, set, time (a clock time or part of day on ``date``) and interval (``first`` to
    ``last``). ``offset`` picks a point's occurrence: -1 last, 0 this, 1 next, None nearest.
    """

    kind: str
    label: str = "DATE"
    gran: str = "day"
    year: int | None = None
    year_offset: int | None = None
    month: int | None = None
    day: int | None = None
    index: int | None = None
    offset: int | None = None
    unit: str = ""
    amount: float | None = None
    value: str = ""
    fiscal: bool = False
    weak: bool = False
    holiday: Holiday | None = None
    clock: tuple[int, int] | None = None
    part: tuple[str, int, int] | None = None
    date: Expr | None = None
    parts: tuple[tuple[str, float], ...] = ()  # a combined duration: (unit, amount) ...
    first: Expr | None = None
    last: Expr | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


def time_expr(hour: int, minute: int, gran: str, zone: str | None) -> Expr:
    return Expr(
        "time",
        label="TIME",
        gran=gran,
        clock=(hour, minute),
        attrs={"timezone": zone} if zone else {},
    )


# ---- holidays ------------------------------------------------------------------------------

_WEEKDAY = re.compile(r"(MO|TU|WE|TH|FR|SA|SU)\(([+-]?\d+)\)")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Names known to the package on this year are the names recognised (a fixed year: no clock).
NAMES_YEAR = 2025


@dataclass(frozen=True)
class Holiday:
    """A holiday: a name in the ``holidays`` package for ``countries``, or a relativedelta rule
    from January 1 (``rule``: sorted field pairs), or days from Easter Sunday (``easter``)."""

    name: str = ""
    countries: tuple[str, ...] = ()
    rule: tuple[tuple[str, Any], ...] = ()
    easter: int | None = None

    @classmethod
    def from_config(cls, value: Any, countries: tuple[str, ...]) -> Holiday:
        """From a dates.yaml entry: a package name, ``MM-DD`` or a mapping of rule fields."""
        if isinstance(value, str):
            fixed = re.fullmatch(r"(\d\d?)-(\d\d?)", value.strip())
            if fixed:
                return cls(rule=(("day", int(fixed[2])), ("month", int(fixed[1]))))
            return cls(name=value, countries=countries)
        if "easter" in value:
            return cls(easter=int(value["easter"]))
        return cls(rule=tuple(sorted((str(k), v) for k, v in value.items())))

    @property
    def fixed(self) -> tuple[int, int] | None:
        """(month, day) when the holiday falls on the same day every year."""
        days = {self.on(year) for year in (NAMES_YEAR - 1, NAMES_YEAR, NAMES_YEAR + 1)}
        if None in days or len({(d.month, d.day) for d in days}) != 1:
            return None
        day = days.pop()
        return day.month, day.day

    def on(self, year: int) -> date | None:
        """Its date in ``year``, or None if it has none that year."""
        if self.easter is not None:
            return easter(year) + timedelta(days=self.easter)
        if self.rule:
            fields = dict(self.rule)
            if "weekday" in fields:
                fields["weekday"] = _weekday(str(fields["weekday"]))
            fields.setdefault("day", 1)
            later = int(fields.pop("days", 0))  # after the weekday: "the day after ..."
            return date(year, 1, 1) + relativedelta(**fields) + timedelta(days=later)
        for country in self.countries:
            found = country_holidays(country, year).get(self.name)
            if found:
                return found
        return None


def _weekday(text: str) -> weekday:
    match = _WEEKDAY.fullmatch(text.replace(" ", "").upper())
    if not match:
        raise ValueError(f"holiday weekday {text!r}: write it as TH(+4) or MO(-1)")
    return weekday(_WEEKDAYS.index(match[1]), int(match[2]))


@functools.cache
def country_holidays(country: str, year: int) -> dict[str, date]:
    """Holiday name -> date in ``year`` from the ``holidays`` package (observed days left out)."""
    names: dict[str, date] = {}
    try:
        calendar = holiday_calendars.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        raise ValueError(
            f"annotators.dates.holiday_countries: the holidays package has no country "
            f"{country!r}; use ISO 3166 codes such as US, GB, FR "
            "(holidays.list_supported_countries())"
        ) from None
    for day, joined in sorted(calendar.items()):
        for name in joined.split("; "):
            if "observed" not in name.lower():
                names.setdefault(name, day)
    return names


def holiday_names(countries: tuple[str, ...]) -> dict[str, Holiday]:
    """Every holiday name the package knows for ``countries`` (in ``NAMES_YEAR``)."""
    return {
        name: Holiday(name=name, countries=countries)
        for country in countries
        for name in country_holidays(country, NAMES_YEAR)
    }
