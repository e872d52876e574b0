"""What each dates pattern means: a regex match turned into an :class:`Expr` (still
unresolved), plus the small helpers the grammar shares. Mixed into ``dates_grammar.Grammar``.
"""

from __future__ import annotations

import re
from typing import Any

from annotate.annotators.dates_join import Match
from annotate.annotators.textnum import (
    full_year,
    norm,
    parse_number,
    starts_sentence,
    word_before,
)
from annotate.annotators.timex import Expr, Holiday, duration, time_expr

_PLURAL_NOUN = re.compile(r"\s+(?!(?:this|thus|plus|less|unless|across|always|its)\b)[a-z]{3,}s\b")


class Meanings:
    """Handlers named in ``Grammar._rules``; they read the tables ``Grammar`` sets up."""

    months: dict[str, int]
    weekdays: dict[str, int]
    units: dict[str, str]
    weekday_words: dict[str, int]
    vague: set[str]
    ordinals: dict[str, int]
    mods: dict[str, dict[str, Any]]

    def _iso(self, m: Match, text: str) -> Expr | None:
        point = Expr("point", year=int(m["year"]), month=int(m["month"]), day=int(m["day"]))
        if m["hour"] is None:
            return point
        return Expr(
            "time",
            label="TIME",
            gran="minute",
            date=point,
            clock=(int(m["hour"]), int(m["minute"])),
        )

    def _slashed(self, m: Match, text: str, order: str | None = None) -> Expr | None:
        """ "01/21/2025", "1-21-2025", "on 2/15": in ``numeric_order``, swapped if only the
        other order is a date."""
        a, b = int(m["a"]), int(m["b"])
        month, day = (b, a) if (order or self.slash_order) == "dmy" else (a, b)
        if month > 12 and day <= 12:
            month, day = day, month
        if month > 12 or not 1 <= day <= 31 or month < 1:
            return None
        return Expr("point", year=full_year(m["year"]), month=month, day=day)

    def _dotted(self, m: Match, text: str) -> Expr | None:
        return self._slashed(m, text, "dmy")

    def _day_mon_year(self, m: Match, text: str) -> Expr:
        """ "31-Oct-74"."""
        month = self._month(m["mon"])
        return Expr("point", year=full_year(m["year"]), month=month, day=int(m["day"]))

    def _month_year(self, m: Match, text: str) -> Expr:
        """ "2/2013"."""
        return Expr("point", gran="month", year=int(m["year"]), month=int(m["mon"]))

    def _month_day(self, m: Match, text: str) -> Expr | None:
        year = int(m["year"]) if m["year"] else None
        day = int(m["day"]) if m["day"] else self.ordinals.get(norm(m["dayw"] or ""))
        return Expr(
            "point",
            gran="day" if day else "month",
            year=year,
            month=self._month(m["month"]),
            day=day,
        )

    def _bare_month(self, m: Match, text: str) -> Expr | None:
        word = m["month"].rstrip(".")
        if word in self.ambiguous and word_before(text, m.start()) not in self.month_context:
            return None
        return Expr("point", gran="month", month=self._month(word))

    def _day_range(self, m: Match, text: str) -> Expr | None:
        month, year = self._month(m["month"]), int(m["year"]) if m["year"] else None
        first, last = int(m["day"]), int(m["day2"])
        if last <= first:
            return None
        return Expr(
            "interval",
            label="DURATION",
            first=Expr("point", year=year, month=month, day=first),
            last=Expr("point", year=year, month=month, day=last),
        )

    def _year(self, m: Match, text: str) -> Expr | None:
        year = int(m["year"])
        if not self.year_range[0] <= year <= self.year_range[1]:
            return None
        strength = self.year_context.get(word_before(text, m.start()))
        if text.startswith("mid-", m.start() - 4):
            strength = "strong"
        weak = strength != "strong" and (not strength or _PLURAL_NOUN.match(text, m.end()))
        if weak and not (m.group().endswith("s") or starts_sentence(text, m.start())):
            return None
        return Expr("point", gran="year", year=year)

    def _year_range(self, m: Match, text: str) -> Expr | None:
        first = int(m["year"])
        last = int(m["year2"]) if len(m["year2"]) == 4 else first // 100 * 100 + int(m["year2"])
        low, high = self.year_range
        if not (low <= first < last <= high and last - first <= 100):
            return None
        return Expr(
            "interval",
            label="DURATION",
            first=Expr("point", gran="year", year=first),
            last=Expr("point", gran="year", year=last),
        )

    def _decade(self, m: Match, text: str) -> Expr | None:
        if m["d3"]:
            year = int(m["d3"]) * 10
        else:
            year = (2000 if int(m["d1"]) <= 2 else 1900) + int(m["d1"]) * 10
        if year <= self.year_range[0] or year > self.year_range[1]:
            return None
        gran = "century" if year % 100 == 0 and year < 2000 else "decade"
        expr = Expr("point", gran=gran, year=year)
        if m["pos"]:
            expr.attrs["mod"] = self.mods["position_mods"][m["pos"].lower()]
        return expr

    def _century(self, m: Match, text: str) -> Expr | None:
        number = self._ordinal(m["ord"])
        return Expr("point", gran="century", year=(number - 1) * 100) if number > 0 else None

    def _quarter(self, m: Match, text: str) -> Expr:
        return Expr(
            "point",
            gran="quarter",
            index=int(m["q"] or m["q2"]),
            year=full_year(m["year"]),
            fiscal=bool(m["fy"] or m["fy2"]),
        )

    def _half(self, m: Match, text: str) -> Expr | None:
        if m["h"] and text[m.match.end("h") : m.match.end("h") + 1].isdigit():
            return None  # a model number: "H100", "H200"
        return Expr(
            "point",
            gran="half",
            index=int(m["h"] or m["h2"]),
            year=full_year(m["year"]),
            fiscal=bool(m["fy2"]),
        )

    def _ordinal_period(self, m: Match, text: str) -> Expr | None:
        unit, count = m["unit"].lower(), 4 if m["unit"].lower() == "quarter" else 2
        index = self._ordinal(m["ord"])
        if m["ord"].lower() == "last" and not (m["year"] or m["rel"]):
            return None
        index = count if index == -1 else index
        if not 1 <= index <= count:
            return None
        rel = (m["rel"] or "").lower()
        year_offset = {"next": 1, "last": -1, "the previous": -1}.get(rel, 0) if rel else None
        return Expr(
            "point",
            gran=unit,
            index=index,
            year=full_year(m["year"]),
            year_offset=year_offset,
            fiscal=bool(m["fy"] or m["fy3"] or m["fy4"]),
        )

    def _fiscal_year(self, m: Match, text: str) -> Expr:
        return Expr("point", gran="year", year=full_year(m["year"]), fiscal=True)

    def _relative(self, m: Match, text: str) -> Expr:
        return Expr("relative", gran=m["unit"].lower(), offset=_OFFSETS[m["which"].lower()])

    def _which_point(self, m: Match, text: str) -> Expr:
        offset = _OFFSETS[m["which"].lower()]
        if m["weekday"]:
            return Expr("weekday", index=self._weekday_index(m["weekday"]), offset=offset)
        if m["month"]:
            month = self._month(m["month"])
            return Expr("point", gran="month", month=month, offset=offset)
        return Expr("point", gran="season", value=self.seasons[m["season"].lower()], offset=offset)

    def _weak(self, m: Match, text: str) -> Expr:
        return Expr("relative", gran=m["unit"].lower(), offset=0, weak=True)

    def _ago(self, m: Match, text: str) -> Expr | None:
        amount = self._number(m["num"])
        unit = self.units[m["unit"].lower()]
        offset = 1 if m["dir"].lower() == "from now" else -1
        if amount is None:
            return Expr("ref", value="FUTURE_REF" if offset > 0 else "PAST_REF")
        if not float(amount).is_integer() and unit not in _DAY_UNITS:
            return None
        gran = "day" if unit in _DAY_UNITS else "year" if unit in ("decade", "century") else unit
        return Expr("ago", gran=gran, unit=unit, amount=amount, offset=offset)

    def _nth_weekday(self, m: Match, text: str) -> Expr | None:
        """ "3 fridays from now", "two Mondays ago": the nth such weekday after (before) today."""
        amount = self._number(m["num"])
        if not amount or not float(amount).is_integer() or amount > 52:
            return None
        offset = -1 if m["dir"].lower() == "ago" else 1
        return Expr(
            "weekday", index=self._weekday_index(m["weekday"]), amount=amount, offset=offset
        )

    def _nth_weekday_of(self, m: Match, text: str) -> Expr | None:
        """ "the first Monday of March", "the last Friday in June 2025": a relativedelta rule."""
        n = self._ordinal(m["ord"])
        if not n or n > 5:
            return None
        weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[self._weekday_index(m["weekday"]) - 1]
        rule = (
            ("day", 1 if n > 0 else 31),
            ("month", self._month(m["month"])),
            ("weekday", f"{weekday}({n:+d})"),
        )
        return Expr("point", holiday=Holiday(rule=rule), year=int(m["year"]) if m["year"] else None)

    def _in(self, m: Match, text: str) -> Expr | None:
        """ "in five years": TimeML's DURATION "five years" (P5Y); the point it lands on goes
        into attrs.point."""
        point = self._ago(Match(m.match, dir="from now"), text)
        unit = self.units[m["unit"].lower()]
        if point is None or point.kind != "ago" or unit in ("second", "minute", "hour"):
            return None
        return Expr("duration", label="DURATION", unit=unit, amount=point.amount, date=point)

    def _anchored(self, m: Match, text: str) -> Expr:
        unit_word = m["unit"].lower()
        unit = self.units[unit_word]
        number = m["num"]
        amount = self._number(number) if number else (1 if unit_word == unit else None)
        direction = m["dir"].lower()
        offset = -1 if direction in ("past", "last", "previous", "recent") else 1
        if direction == "last" and not number and unit_word == unit and unit in _PERIODS:
            return Expr("relative", gran=unit, offset=-1)  # TimeML: "the last week" is a DATE
        return Expr("duration", label="DURATION", unit=unit, amount=amount, offset=offset)

    def _duration(self, m: Match, text: str) -> Expr | None:
        number, unit_word = m["num"].lower(), m["unit"].lower()
        unit = self.units[unit_word]
        plural = unit_word != unit and unit_word.endswith("s")
        halves = m["half"] or m["half2"]
        if (
            number in ("a", "an", "one")
            and (unit in ("second", "quarter") or plural)
            and not (halves and plural)
        ):
            return None
        amount = self._number(number)
        if amount is not None and halves:
            amount += 0.5
        return Expr("duration", label="DURATION", unit=unit, amount=amount)

    def _half_unit(self, m: Match, text: str) -> Expr:
        """ "half an hour", "a quarter of an hour", "three quarters of an hour"."""
        amount = float(parse_number(m["frac"])) if m["frac"] else 0.5
        return Expr("duration", label="DURATION", unit=self.units[m["unit"].lower()], amount=amount)

    def _bare_units(self, m: Match, text: str) -> Expr:
        return Expr("duration", label="DURATION", unit=self.units[m["unit"].lower()])

    def _every_unit(self, m: Match, text: str) -> Expr | None:
        amount = self._number(m["num"]) if m["num"] else 1
        if amount is None:
            return None
        unit = self.units[m["unit"].lower()]
        value = duration(amount * (2 if m["other"] else 1), unit)
        return Expr("set", label="SET", value=value, attrs={"quant": m["q"].upper()})

    def _every_weekday(self, m: Match, text: str) -> Expr:
        attrs = {"quant": m["q"].upper()} if m["q"] else {}
        return Expr(
            "set", label="SET", value=f"XXXX-WXX-{self._weekday_index(m['weekday'])}", attrs=attrs
        )

    def _every_part(self, m: Match, text: str) -> Expr:
        """ "every morning": XXXX-XX-XXTMO."""
        code = self.parts[m["part"].lower()][0]
        return Expr("set", label="SET", value=f"XXXX-XX-XXT{code}", attrs={"quant": m["q"].upper()})

    def _times_per(self, m: Match, text: str) -> Expr | None:
        word = m["times"].lower()
        count = {"once": 1, "twice": 2, "thrice": 3}.get(word) or self._number(word.split()[0])
        if not count:
            return None
        return Expr(
            "set",
            label="SET",
            value=duration(1, self.units[m["unit"].lower()]),
            attrs={"freq": f"{count:g}X"},
        )

    def _frequency(self, m: Match, text: str) -> Expr:
        unit, amount = self.frequencies[m["freq"]]
        return Expr("set", label="SET", value=duration(amount, unit))

    def _clock(self, m: Match, text: str) -> Expr | None:
        hour, minute = int(m["hour"]), int(m["minute"] or 0)
        ampm = (m["ampm"] or "").lower()
        if hour > 12 or (ampm and hour == 0):
            return None
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        return time_expr(hour, minute, "minute" if m["minute"] else "hour", m["tz"])

    def _clock24(self, m: Match, text: str) -> Expr | None:
        if not (m["tz"] or len(m["hour"]) == 2 or word_before(text, m.start()) in _TIME_CONTEXT):
            return None
        return time_expr(int(m["hour"]), int(m["minute"]), "minute", m["tz"])

    def _clock_h(self, m: Match, text: str) -> Expr:
        """ "16h00", the 24-hour clock as French and wire copy write it."""
        return time_expr(int(m["hour"]), int(m["minute"]), "minute", m["tz"])

    def _clock_word(self, m: Match, text: str) -> Expr:
        hour = 24 if m["word"].lower() == "midnight" else 12
        return time_expr(hour, 0, "minute", m["tz"])

    def _part(self, m: Match, text: str) -> Expr:
        which = (m["which"] or "").lower()
        word = (m["part"] or "night").lower()
        code, begin, end = self.parts[word]
        weak = not which and m.group().lower() != "tonight"
        day = None if weak else Expr("relative", offset=_DAY_OFFSETS.get(which, 0))
        return Expr("time", label="TIME", date=day, part=(code, begin, end), weak=weak)

    def _holiday(self, m: Match, text: str) -> Expr:
        year = m["y1"] or m["year"]
        return Expr(
            "point",
            holiday=self.holidays[self.holiday_keys[norm(m["holiday"])]],
            year=int(year) if year else None,
        )

    def _reference(self, m: Match, text: str) -> Expr:
        return Expr("ref", value=self.references[" ".join(m["ref"].lower().split())])

    def _relative_day(self, m: Match, text: str) -> Expr:
        unit, offset = self.relative_days[m["rel"].lower()]
        return Expr("relative", gran=unit, offset=offset)

    def _weekday(self, m: Match, text: str) -> Expr:
        return Expr("weekday", index=self._weekday_index(m["weekday"]))

    def _season(self, m: Match, text: str) -> Expr | None:
        code = self.seasons[m["season"].lower()]
        before = word_before(text, m.start())
        if not (m["year"] or m["the"] or before in self.month_context):
            return None
        if not (m["year"] or m["the"]) and (
            (before == "to" and m["season"].lower() == "fall")  # "to fall behind"
            or _PLURAL_NOUN.match(text, m.end())  # "a run of winter storms"
        ):
            return None
        return Expr("point", gran="season", value=code, year=int(m["year"]) if m["year"] else None)

    def _week_of(self, m: Match, text: str) -> Expr:
        return Expr(
            "point",
            gran="week",
            year=int(m["year"]) if m["year"] else None,
            month=self._month(m["month"]),
            day=int(m["day"]),
        )

    # ---- numbers ----------------------------------------------------------------------------

    def _number(self, text: str) -> float | None:
        """The value of a number in digits or words; None for "several", "a few" ..."""
        words = norm(text)
        if words in self.vague:
            return None
        if words.startswith("half"):
            return 0.5
        value = parse_number(words.removesuffix(" of"))
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)

    def _ordinal(self, text: str) -> int:
        digits = re.match(r"\d+", text)
        return int(digits.group()) if digits else self.ordinals.get(norm(text), 0)

    def _month(self, word: str) -> int:
        """1 ... 12 for a month name or abbreviation as the patterns let it through."""
        word = word.rstrip(".")
        return self.months.get(word) or self.months[word.title()]

    def _weekday_index(self, word: str) -> int:
        """1 (Monday) ... 7 for a weekday name or abbreviation in any case."""
        return self.weekday_words[word.lower().rstrip(".")]


_OFFSETS = {
    "last": -1,
    "past": -1,
    "previous": -1,
    "prior": -1,
    "this": 0,
    "current": 0,
    "next": 1,
    "coming": 1,
    "following": 1,
}
_DAY_OFFSETS = {"yesterday": -1, "last": -1, "tomorrow": 1}
_DAY_UNITS = frozenset({"second", "minute", "hour", "day", "week", "fortnight"})
_PERIODS = frozenset({"day", "week", "month", "quarter", "year", "decade", "century"})
_TIME_CONTEXT = frozenset(
    {"at", "by", "until", "till", "from", "around", "before", "after", "to", "since", "about"}
)
