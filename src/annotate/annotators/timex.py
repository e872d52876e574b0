"""Calendar arithmetic behind TIMEX3 values: periods with half-open intervals, durations.

A :class:`Period` is a calendar unit (a day, an ISO week, a quarter, a decade ...) named by its
first day; its ``value`` is the TIMEX3 string and ``start``/``end`` its half-open ISO interval.
Nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

# Each unit as a relativedelta step (sub-day units move a date-only anchor by whole days).
_STEP = {
    "second": relativedelta(seconds=1),
    "minute": relativedelta(minutes=1),
    "hour": relativedelta(hours=1),
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "weekend": relativedelta(weeks=1),
    "fortnight": relativedelta(weeks=2),
    "month": relativedelta(months=1),
    "quarter": relativedelta(months=3),
    "season": relativedelta(months=3),
    "half": relativedelta(months=6),
    "year": relativedelta(years=1),
    "decade": relativedelta(years=10),
    "century": relativedelta(years=100),
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
    """``day`` moved by whole months, clamped to the end of shorter months."""
    return day + relativedelta(months=months)


def add(day: date, unit: str, amount: int) -> date:
    """``day`` moved by ``amount`` of a duration unit (second ... century).

    A date has no clock, so seconds, minutes and hours move it only by the whole days they add
    up to ("88 minutes ago" is the document's day). Unknown units raise ValueError, not KeyError.
    """
    step = _STEP.get(unit)
    if step is None:
        raise ValueError(f"unknown duration unit {unit!r}")
    if unit in _SUB_DAY:
        return day + timedelta(days=int(amount * _SECONDS[unit] / 86400))
    return day + step * amount


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
    holiday: tuple[int, int, int, int] | None = None
    clock: tuple[int, int] | None = None
    part: tuple[str, int, int] | None = None
    date: Expr | None = None
    first: Expr | None = None
    last: Expr | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


_UNKNOWN = {
    "day": "XXXX-XX-XX",
    "week": "XXXX-WXX",
    "weekend": "XXXX-WXX-WE",
    "month": "XXXX-XX",
    "quarter": "XXXX-QX",
    "half": "XXXX-HX",
    "season": "XXXX-XX",
    "year": "XXXX",
    "decade": "XXX",
    "century": "XX",
}
_SEASON_MONTH = {"WI": 1, "SP": 3, "SU": 6, "FA": 9}
_REF_GRAN = {"PRESENT_REF": "day"}


def resolve(
    expr: Expr, anchor: date | None, lean: int = 0, fiscal_start: int = 1
) -> dict[str, Any] | None:
    """The TIMEX3 attrs of ``expr`` against ``anchor`` (the document date, maybe unknown).

    ``lean`` breaks ties for expressions that name no year: -1 past, 1 future, 0 nearest.
    Returns None when the expression names no real date ("Feb 30").
    """
    if expr.kind == "interval":
        attrs = _interval(expr, anchor, lean)
    elif expr.kind in ("duration", "set", "ref"):
        attrs = {"duration": _duration, "set": _set, "ref": _ref}[expr.kind](expr, anchor)
    elif expr.kind == "time":
        attrs = _time(expr, anchor, lean)
    else:
        attrs = _date(expr, anchor, lean)
    if attrs is None:
        return None
    if expr.fiscal:
        attrs["fiscal"] = True
        if fiscal_start > 1 and "start" in attrs:
            for key in ("start", "end"):
                moved = add_months(date.fromisoformat(attrs[key]), fiscal_start - 13)
                attrs[key] = moved.isoformat()
    return {"value": attrs.pop("value"), **attrs, **expr.attrs}


def _date(expr: Expr, anchor: date | None, lean: int) -> dict[str, Any] | None:
    """A calendar date of any granularity: its period, or an unresolved value."""
    found = _period(expr, anchor, lean)
    if found is None:
        return None
    if isinstance(found, str):
        return {
            "value": found,
            "granularity": expr.gran,
            "unresolved": True,
            "relative": _relative(expr),
        }
    period, used_anchor = found
    attrs = {
        "value": period.value,
        "granularity": period.gran,
        "start": period.start,
        "end": period.end,
    }
    if used_anchor:
        attrs["anchor"] = anchor.isoformat()
    return attrs


def _period(expr: Expr, anchor: date | None, lean: int) -> tuple[Period, bool] | str | None:
    """(period, whether the anchor was used), an unresolved TIMEX3 value, or None if invalid."""
    kind = expr.kind
    if kind == "point" and expr.year is not None:
        period = _point(expr, expr.year)
        return (period, False) if period else None
    if anchor is None:
        return _unknown(expr)
    if kind == "relative":
        return Period.containing(expr.gran, anchor).shift(expr.offset or 0), True
    if kind == "ago":
        day = shifted_by_duration(anchor, expr.amount or 0, expr.unit, expr.offset or -1)
        return (Period.containing(expr.gran, day), True) if day else None
    if kind == "point" and expr.year_offset is not None:
        period = _point(expr, anchor.year + expr.year_offset)
        return (period, True) if period else None
    if kind == "weekday":
        days = (anchor + timedelta(days=n) for n in range(-7, 8))
        candidates = [Period("day", d) for d in days if d.isoweekday() == expr.index]
    else:
        candidates = [p for y in range(anchor.year - 1, anchor.year + 2) if (p := _point(expr, y))]
    chosen = _pick(candidates, anchor, expr.offset, lean)
    return (chosen, True) if chosen else None


def _point(expr: Expr, year: int) -> Period | None:
    """The period a point expression names in ``year`` (None if no such date)."""
    try:
        if expr.holiday:
            return Period("day", _holiday(year, *expr.holiday))
        match expr.gran:
            case "day":
                return Period("day", date(year, expr.month, expr.day))
            case "week" | "weekend":
                return Period.containing(expr.gran, date(year, expr.month, expr.day))
            case "month":
                return Period("month", date(year, expr.month, 1))
            case "quarter" | "half":
                size = 3 if expr.gran == "quarter" else 6
                return Period(expr.gran, date(year, size * (expr.index - 1) + 1, 1))
            case "season":
                return Period.containing("season", date(year, _SEASON_MONTH[expr.value], 1))
        return Period(expr.gran, date(year, 1, 1))
    except (ValueError, OverflowError):
        return None


def _holiday(year: int, month: int, nth: int, weekday: int, plus: int) -> date:
    """A fixed holiday (weekday 0) or the nth weekday of a month (-1: the last), plus days."""
    if not weekday:
        return date(year, month, nth)
    if nth > 0:
        first = date(year, month, 1)
        day = first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1))
    else:
        last = add_months(date(year, month, 1), 1) - timedelta(days=1)
        day = last - timedelta(days=(last.isoweekday() - weekday) % 7)
    return day + timedelta(days=plus)


def _pick(candidates: list[Period], anchor: date, offset: int | None, lean: int) -> Period | None:
    """The occurrence meant: last (-1), this (0), next (1), or the nearest (leaning by tense)."""

    def distance(p: Period) -> tuple[int, date]:
        end = date.fromisoformat(p.end)
        gap = (p.first - anchor).days if p.first > anchor else max(0, (anchor - end).days + 1)
        return gap, p.first

    if offset == -1:
        pool = [p for p in candidates if date.fromisoformat(p.end) <= anchor]
        return max(pool, key=lambda p: p.first, default=None)
    if offset == 1:
        pool = [p for p in candidates if p.first > anchor]
        return min(pool, key=lambda p: p.first, default=None)
    if offset == 0:
        if candidates and candidates[0].gran == "day":
            week = anchor.isocalendar()[:2]
            pool = [p for p in candidates if p.first.isocalendar()[:2] == week]
        else:
            pool = [p for p in candidates if p.value[:4] == f"{anchor.year:04d}"]
    elif lean < 0:
        pool = [p for p in candidates if p.first <= anchor]
    elif lean > 0:
        pool = [p for p in candidates if date.fromisoformat(p.end) > anchor]
    else:
        pool = candidates
    return min(pool or candidates, key=distance, default=None)


def _unknown(expr: Expr) -> str | None:
    """The TIMEX3 value with unknown digits as X, for an expression the anchor would resolve."""
    if expr.kind == "weekday":
        return f"XXXX-WXX-{expr.index}"
    if expr.kind != "point":
        return _UNKNOWN[expr.gran]
    if expr.holiday and expr.holiday[2]:
        return "XXXX-XX-XX"
    month, day = (expr.holiday[:2]) if expr.holiday else (expr.month, expr.day)
    try:
        date(2000, month or 1, day or 1)
    except ValueError:
        return None
    match expr.gran:
        case "day":
            return f"XXXX-{month:02d}-{day:02d}"
        case "month":
            return f"XXXX-{month:02d}"
        case "quarter":
            return f"XXXX-Q{expr.index}"
        case "half":
            return f"XXXX-H{expr.index}"
        case "season":
            return f"XXXX-{expr.value}"
    return _UNKNOWN[expr.gran]


def _relative(expr: Expr) -> dict[str, Any]:
    """How an unresolved expression relates to the (missing) document date."""
    if expr.kind == "relative":
        return {"unit": expr.gran, "offset": expr.offset or 0}
    if expr.kind == "ago":
        return {"unit": expr.unit, "offset": (expr.offset or -1) * (expr.amount or 0)}
    occurrence = "nearest" if expr.offset is None else expr.offset
    if expr.kind == "weekday":
        return {"weekday": expr.index, "occurrence": occurrence}
    if expr.year_offset is not None:
        return {"unit": "year", "offset": expr.year_offset}
    return {"year": occurrence}


def _ref(expr: Expr, anchor: date | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {"value": expr.value}
    if expr.value in _REF_GRAN:
        attrs["granularity"] = _REF_GRAN[expr.value]
    if anchor is None:
        return attrs
    after = (anchor + timedelta(days=1)).isoformat()
    if expr.value == "PRESENT_REF":
        attrs.update(start=anchor.isoformat(), end=after)
    elif expr.value == "PAST_REF":
        attrs["end"] = anchor.isoformat()
    else:
        attrs["start"] = after
    attrs["anchor"] = anchor.isoformat()
    return attrs


def _duration(expr: Expr, anchor: date | None) -> dict[str, Any]:
    """A duration; one running back (offset -1) or on (1) from the document date gets bounds."""
    attrs: dict[str, Any] = {"value": duration(expr.amount, expr.unit)}
    if not expr.offset:
        return attrs
    direction = "past" if expr.offset < 0 else "future"
    if anchor is None:
        attrs.update(
            unresolved=True,
            relative={"unit": expr.unit, "amount": expr.amount, "direction": direction},
        )
        return attrs
    attrs["anchor"] = anchor.isoformat()
    other = (
        shifted_by_duration(anchor, expr.amount, expr.unit, expr.offset)
        if expr.amount is not None
        else None
    )
    if other is None:
        attrs["end" if expr.offset < 0 else "begin"] = anchor.isoformat()
        return attrs
    first, last = sorted((anchor, other))
    attrs.update(begin=first.isoformat(), start=first.isoformat(), end=last.isoformat())
    return attrs


def _set(expr: Expr, anchor: date | None) -> dict[str, Any]:
    return {"value": expr.value}


def _time(expr: Expr, anchor: date | None, lean: int) -> dict[str, Any] | None:
    """A clock time or part of day, on its own date or else the document date."""
    attrs: dict[str, Any] = {}
    if expr.date is not None:
        found = _period(expr.date, anchor, lean)
        if found is None:
            return None
        day = None if isinstance(found, str) else found[0].first
        if found and not isinstance(found, str) and found[1]:
            attrs["anchor"] = anchor.isoformat()
    else:
        day = anchor
        if anchor:
            attrs["anchor"] = anchor.isoformat()
    day_value = day.isoformat() if day else "XXXX-XX-XX"
    if expr.part:
        code, begin, finish = expr.part
        attrs.update(value=f"{day_value}T{code}", granularity="part_of_day")
        hours = (begin, finish)
    else:
        hour, minute = expr.clock
        attrs.update(
            value=f"{day_value}T{hour:02d}:{minute:02d}",
            granularity="minute" if expr.gran == "minute" else "hour",
        )
        step = 1 / 60 if expr.gran == "minute" else 1
        hours = (hour + minute / 60, hour + minute / 60 + step)
    if day:
        start, end = (datetime.combine(day, time()) + timedelta(hours=h) for h in hours)
        attrs.update(
            start=start.isoformat(timespec="minutes"), end=end.isoformat(timespec="minutes")
        )
    else:
        attrs["unresolved"] = True
    return attrs


def _after(last: Expr, begin: tuple[Period, bool] | str | None) -> Expr:
    """The closing end of a range, placed after its resolved beginning when it can float."""
    if not isinstance(begin, tuple) or last.year is not None or last.year_offset is not None:
        return last
    first = begin[0].first
    if last.kind == "weekday":
        gap = (last.index - first.isoweekday()) % 7
        return Expr(
            "point", year=(day := first + timedelta(days=gap)).year, month=day.month, day=day.day
        )
    if last.kind == "point":
        later = replace(last, year=first.year)
        period = _point(later, first.year)
        return replace(later, year=first.year + 1) if period and period.first < first else later
    return last


def _interval(expr: Expr, anchor: date | None, lean: int) -> dict[str, Any] | None:
    """From ``first`` through ``last``: a DURATION with both ends."""
    begin = _period(expr.first, anchor, lean)
    ends = [begin, _period(_after(expr.last, begin), anchor, lean)]
    if None in ends:
        return None
    if any(isinstance(e, str) for e in ends):
        values = [e if isinstance(e, str) else e[0].value for e in ends]
        return {
            "value": "PX" + ("Y" if expr.first.gran == "year" else "D"),
            "begin": values[0],
            "through": values[1],
            "unresolved": True,
        }
    (first, used1), (last, used2) = ends
    start, end = first.first, date.fromisoformat(last.end)
    if end <= start:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month
    if start.day == end.day == 1 and months:
        value = f"P{months // 12}Y" if months % 12 == 0 else f"P{months}M"
    else:
        value = f"P{(end - start).days}D"
    attrs = {
        "value": value,
        "begin": first.value,
        "through": last.value,
        "granularity": first.gran,
        "start": first.start,
        "end": last.end,
    }
    if used1 or used2:
        attrs["anchor"] = anchor.isoformat()
    return attrs
