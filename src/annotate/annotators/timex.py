"""Calendar arithmetic behind TIMEX3 values: periods with half-open intervals, durations.

A :class:`Period` is a calendar unit (a day, an ISO week, a quarter, a decade ...) named by its
first day; its ``value`` is the TIMEX3 string and ``start``/``end`` its half-open ISO interval.
Nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

# Length of each granularity in months (None: counted in days).
_MONTHS = {"month": 1, "quarter": 3, "season": 3, "half": 6, "year": 12, "decade": 120,
           "century": 1200}
_DAYS = {"day": 1, "week": 7, "weekend": 7}
# ISO 8601 designators for duration units; the last item is a multiplier.
_DESIGNATORS = {"second": ("T", "S", 1), "minute": ("T", "M", 1), "hour": ("T", "H", 1),
                "day": ("", "D", 1), "week": ("", "W", 1), "fortnight": ("", "W", 2),
                "month": ("", "M", 1), "quarter": ("", "M", 3), "year": ("", "Y", 1),
                "decade": ("", "Y", 10), "century": ("", "Y", 100)}
SEASONS = ("WI", "SP", "SU", "FA")  # winter of year Y starts in December of Y-1


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of shorter months."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def add(day: date, unit: str, amount: int) -> date:
    """``day`` moved by ``amount`` of a duration unit (day ... century)."""
    if unit in _DAYS or unit == "fortnight":
        return day + timedelta(days=amount * (14 if unit == "fortnight" else _DAYS[unit]))
    return add_months(day, amount * _MONTHS[unit])


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
    if unit in _DAYS:
        return day + timedelta(days=round(sign * amount * _DAYS[unit]))
    return None
