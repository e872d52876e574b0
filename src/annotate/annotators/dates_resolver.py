"""Resolving what a date expression says against the document date: TIMEX3 values, intervals,
and the occurrence meant when no year is given (the ``relative_policy``). Nothing here reads
the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta, weekday

from annotate.annotators.timex import (
    Expr,
    Period,
    add_months,
    duration,
    shifted_by_duration,
)

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
    if kind == "weekday" and expr.amount:
        # "3 Fridays from now": the third Friday after the anchor (before it with "ago").
        n = int(expr.amount) * (expr.offset or 1)
        step = relativedelta(days=1 if n > 0 else -1, weekday=weekday(expr.index - 1, n))
        return Period("day", anchor + step), True
    if kind == "weekday":
        # the days within a week of the anchor, either way, that are that weekday
        ahead = (expr.index - anchor.isoweekday()) % 7
        days = range(ahead - 7, 8, 7) if 1 <= expr.index <= 7 else ()
        candidates = [Period("day", anchor + timedelta(days=n)) for n in days]
    else:
        candidates = [p for y in range(anchor.year - 1, anchor.year + 2) if (p := _point(expr, y))]
    chosen = _pick(candidates, anchor, expr.offset, lean)
    return (chosen, True) if chosen else None


def _point(expr: Expr, year: int) -> Period | None:
    """The period a point expression names in ``year`` (None if no such date)."""
    try:
        if expr.holiday:
            day = expr.holiday.on(year)
            return Period("day", day) if day else None
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
    month, day = expr.month, expr.day
    if expr.holiday:
        if not expr.holiday.fixed:
            return "XXXX-XX-XX"
        month, day = expr.holiday.fixed
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
    attrs: dict[str, Any] = {"value": expr.value or duration(expr.amount, expr.unit)}
    if expr.date is not None:  # TimeML: "in five years" is P5Y; the point it reaches
        point = _date(expr.date, anchor, 0)
        if point:
            attrs["point"] = point["value"]
            attrs.update({k: point[k] for k in ("anchor", "unresolved") if k in point})
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
