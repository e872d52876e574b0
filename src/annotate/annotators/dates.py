"""Dates, times, durations and sets (TIMEX3), resolved against the document's own date.

A scanner of compiled regular expressions over ``doc.text`` (no spaCy): every rule proposes
spans, the longest win, then modifiers ("early", "by the end of", "more than"), date + time
("Tuesday at 3 p.m.") and ranges ("from March to June 2025") extend them. ``timex`` turns what
was said into TIMEX3 values against ``doc.date``; the clock is never read. See docs/layers/dates.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from typing import Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators.timex import Expr, duration, resolve
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("dates.yaml").read_text())

_PLURAL_NOUN = re.compile(r"\s+(?!(?:this|thus|plus|less|unless|across|always|its)\b)[a-z]{3,}s\b")
_SENTENCE = re.compile(r"[.!?]\s+(?=[A-Z\"“])")
_FROM = re.compile(r"\b(?i:from|between)\s+$")
_JOINS = {"from": re.compile(r"\s*(?:to|until|till|through|thru|-|–|—)\s*"),
          "between": re.compile(r"\s+and\s+"),
          "": re.compile(r"\s*(?:-|–|to|through|until)\s*")}
_AT = re.compile(r",?\s+(?:at\s+|around\s+)?")
_ON = re.compile(r",?\s+(?:local time\s+)?(?:on\s+)?")
_DATE_KINDS = frozenset({"point", "weekday", "relative", "ago"})


@dataclass
class Found:
    """An expression found in the text: its span and what it says."""

    start: int
    end: int
    expr: Expr


def _alternation(words: Mapping[str, Any] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted((w for w in words if w), key=len, reverse=True))


class Grammar:
    """The patterns built from the word tables; ``scan`` returns the expressions in a text."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        table = {k: v for k, v in config.items() if isinstance(v, Mapping)}
        live = {k: {w: v for w, v in t.items() if v is not None or k == "numbers"}
                for k, t in table.items()}
        self.months = live["months"]
        self.ambiguous = {w for w, v in live["ambiguous_months"].items() if v}
        self.month_context = {w for w, v in live["month_context"].items() if v}
        self.weekdays = live["weekdays"]
        self.units = live["units"]
        self.numbers = {str(k).lower(): v for k, v in live["numbers"].items()}
        self.ordinals = live["ordinals"]
        self.seasons = live["seasons"]
        self.parts = live["parts_of_day"]
        self.zones = {w for w, v in live["timezones"].items() if v}
        self.references = {k.lower(): v for k, v in live["references"].items()}
        self.relative_days = live["relative_days"]
        self.frequencies = live["frequencies"]
        self.year_context = live["year_context"]
        self.holidays = {k: _holiday_spec(v, self.weekdays) for k, v in live["holidays"].items()}
        self.slash_order = config["numeric_order"]
        self.year_range = tuple(config["year_range"])
        cues = {tense: _alternation([w for w, v in live[f"{tense}_cues"].items() if v])
                for tense in ("future", "past")}
        self.cues = re.compile(rf"(?i:\b(?:(?P<future>{cues['future']})|(?P<past>{cues['past']}|"
                               r"\w{3,}ed))\b)")
        self.mods = {kind: {k.lower(): v for k, v in live[kind].items()}
                     for kind in ("position_mods", "approx_mods", "relation_mods", "quantity_mods")}
        self.prefix = {
            kind: re.compile(rf"(?i:(?<![\w-])({_alternation(words)}))(?:\s+|(?<=mid)-)$")
            for kind, words in self.mods.items()}
        self.rules = self._rules()

    # ---- the patterns -----------------------------------------------------------------------

    def _rules(self) -> list[tuple[re.Pattern[str], Callable[[_Match, str], Expr | None]]]:
        short = [w for w in self.months if any(
            o != w and o.startswith(w) and v == self.months[w] for o, v in self.months.items())]
        full = [w for w in self.months if w not in short]
        month = rf"(?P<month>(?:{_alternation(full)})\b|(?:{_alternation(short)})\b\.?)"
        weekday = rf"(?P<weekday>{_alternation(self.weekdays)})"
        day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
        year = r"(?P<year>\d{4})(?![\d-])"
        ones = "one|two|three|four|five|six|seven|eight|nine"
        tens = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
        number = (rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:{tens})[-\s](?:{ones})|"
                  rf"{_alternation(self.numbers)})")
        unit = rf"(?P<unit>{_alternation(self.units)})"
        ordinal = rf"(?P<ord>{_alternation(self.ordinals)}|[1-4](?:st|nd|rd|th))"
        short_year = r"(?P<year>\d{4}|['’]?\d{2})(?![\d-])"
        which = r"(?P<which>last|next|this|coming|past|previous|current|following)"
        of_year = (rf"(?:\s+(?:of\s+)?(?:(?P<fy4>fiscal)\s+)?(?:(?:FY\s?)?{short_year}|"
                   rf"(?P<rel>this|next|last|the|the current|the previous)\s+(?:fiscal\s+)?year))?")
        season = rf"(?P<season>{_alternation(self.seasons)})"
        zone = rf"(?:\s*\(?(?P<tz>{_alternation(self.zones)})\)?(?!\w))?"
        part = rf"(?P<part>{_alternation(self.parts)})"
        b, e = r"(?<![\w$€£#.,/-])", r"(?![\w])"
        rules = [
            (rf"{b}(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})"
             rf"(?:T(?P<hour>\d{{2}}):(?P<minute>\d{{2}})(?::\d{{2}})?)?(?![\w/-])", self._iso),
            (rf"{b}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<year>\d{{4}}|\d{{2}})(?![\w/]|\.\d)",
             self._slashed),
            (rf"{b}(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}})(?![\w.]|\.\d)",
             self._dotted),
            (rf"\b(?:{weekday},?\s+)?{month}\s*{day}(?:,?\s+{year})?", self._month_day),
            (rf"\b(?:{weekday},?\s+)?(?i:the\s+)?{day}(?:\s+of)?\s+{month}(?:,?\s+{year})?",
             self._month_day),
            (rf"\b{month},?\s+(?:of\s+)?{year}", self._month_day),
            (rf"\b{month}(?!\s*\d)", self._bare_month),
            (rf"\b{month}\s*(?P<day>[0-3]?\d)\s*[-–]\s*(?P<day2>[0-3]?\d)(?!\d)(?:,?\s+{year})?",
             self._day_range),
            (rf"(?:(?<=mid-)|{b})(?P<year>\d{{4}})(?:['’]s)?(?![\w%]|[-/.,]\d|\s*(?:%|percent))",
             self._year),
            (rf"{b}(?P<year>\d{{4}})\s*[-–]\s*(?P<year2>\d{{4}}|\d{{2}})(?![\w-])",
             self._year_range),
            (r"(?:\b|(?=['’]))(?i:(?:the\s+)?(?:(?P<pos>early|mid|late)[-\s]?)?)"
             r"(?:(?<![\w$])(?P<d3>\d{3})0s|['’](?P<d1>\d)0s)(?!\w)", self._decade),
            (rf"(?i:\b(?:the\s+)?(?P<ord>{_alternation(self.ordinals)}|\d{{1,2}}(?:st|nd|rd|th))"
             r"[-\s]century)", self._century),
            (rf"\b(?:(?P<fy>fiscal\s+|F)?Q(?P<q>[1-4])|(?P<q2>[1-4])Q)(?:\s*|-|\s+of\s+)"
             rf"(?:(?P<fy2>FY|fiscal)\s*)?{short_year}?{e}", self._quarter),
            (rf"(?i:\b(?:the\s+)?(?:(?P<fy>fiscal)\s+)?{ordinal}[-\s]+(?:(?P<fy3>fiscal)[-\s]+)?"
             rf"(?P<unit>quarter|half)){of_year}{e}", self._ordinal_period),
            (rf"\b(?:H(?P<h>[12])|(?P<h2>[12])H)(?:\s*|-)(?:(?P<fy2>FY)\s*)?{short_year}?{e}",
             self._half),
            (rf"\b(?:FY\s?|(?i:fiscal\s+(?:year\s+)?)){short_year}", self._fiscal_year),
            (rf"(?i:\b{which}\s+(?P<unit>week|weekend|month|quarter|year|decade|century)){e}",
             self._relative),
            (rf"(?i:\b{which}\s+)(?:{weekday}|{month}|(?i:{season})){e}", self._which_point),
            (r"(?i:\b(?:earlier|later)\s+(?P<which>this|next|last)\s+(?P<unit>week|month|quarter"
             rf"|year|decade)){e}", self._relative),
            (rf"(?i:\bthe\s+(?P<which>previous|prior|following|current)\s+(?P<unit>week|month|"
             rf"quarter|year|decade)){e}", self._relative),
            (rf"(?i:\bthe\s+(?P<unit>year|month|week|quarter|decade|century)){e}", self._weak),
            (rf"(?i:{b}(?P<num>{number})\s+{unit}\s+(?P<dir>ago|earlier|from now)){e}", self._ago),
            (rf"(?i:\bin\s+(?P<num>{number})\s+{unit}){e}", self._in),
            (rf"(?i:\bthe\s+(?P<dir>past|last|previous|next|coming|following)\s+"
             rf"(?:(?P<num>{number})\s+)?{unit}){e}", self._anchored),
            (rf"(?i:\b(?P<dir>recent|coming|upcoming)\s+{unit}){e}", self._anchored),
            (rf"(?i:\b{unit}\s+(?P<dir>to come|ahead)){e}", self._anchored),
            (rf"(?i:{b}(?P<num>{number})(?P<half>\s+and\s+a\s+half)?[-\s]+{unit}"
             rf"(?P<half2>\s+and\s+a\s+half)?){e}", self._duration),
            (rf"(?i:\b(?:half\s+an?\s+|an?\s+half[-\s]){unit}){e}", self._half_unit),
            (rf"(?i:(?:(?<=\bfor\s)|(?<=\bin\s)|(?<=\bwithin\s)|(?<=\bafter\s))"
             rf"(?P<unit>years|decades|months|weeks|days|hours)){e}",
             self._bare_units),
            (rf"(?i:\b(?P<q>every|each)\s+(?P<other>other\s+)?(?:(?P<num>{number})\s+)?{unit}){e}",
             self._every_unit),
            (rf"(?i:\b(?P<q>every|each)\s+){weekday}{e}", self._every_weekday),
            (rf"\b{weekday}s{e}", self._every_weekday),
            (rf"(?i:\b(?P<times>once|twice|thrice|(?:{number})\s+times)\s+(?:a|an|per|every|each)"
             rf"\s+{unit}){e}", self._times_per),
            (rf"\b(?P<freq>{_alternation(self.frequencies)}){e}", self._frequency),
            (rf"(?<![\w:.$])(?P<hour>\d{{1,2}})(?::(?P<minute>[0-5]\d))?\s*"
             rf"(?P<ampm>(?i:a\.m\.?|p\.m\.?|am|pm)){e}{zone}", self._clock),
            (rf"(?<![\w:.$])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d)?"
             rf"(?![\w:]|\.\d){zone}", self._clock24),
            (rf"(?i:\b(?P<word>noon|midday|midnight)){e}{zone}", self._clock_word),
            (rf"(?<![\w:.$])(?P<hour>\d{{1,2}})\s+o['’]clock{e}{zone}", self._clock),
            (rf"(?i:\b(?P<which>this|tomorrow|yesterday|today|last)\s+{part}){e}", self._part),
            (rf"(?i:\btonight){e}", self._part),
            (rf"(?i:\b{part}){e}", self._part),
            (rf"\b(?:(?P<y1>\d{{4}})\s+)?(?P<holiday>{_alternation(self.holidays)}){e}"
             rf"(?:,?\s+{year})?", self._holiday),
            (rf"(?i:\b(?P<ref>{_alternation(self.references)})){e}", self._reference),
            (rf"(?i:\b(?P<rel>{_alternation(self.relative_days)})){e}", self._relative_day),
            (rf"\b{weekday}{e}", self._weekday),
            (rf"(?i:\b(?:(?P<the>the)\s+(?=\w+\s+of\s))?{season}(?:\s+of)?)\s+{year}{e}",
             self._season),
            (rf"(?i:\b(?:(?P<the>the)\s+)?{season}){e}", self._season),
            (rf"(?i:\bthe\s+week\s+of\s+){month}\s*{day}(?:,?\s+{year})?", self._week_of),
        ]
        return [(re.compile(p), h) for p, h in rules]

    # ---- scanning ---------------------------------------------------------------------------

    def scan(self, text: str) -> list[Found]:
        """The temporal expressions in ``text``, in order, not overlapping."""
        candidates = []
        for priority, (pattern, handler) in enumerate(self.rules):
            for match in pattern.finditer(text):
                if match.end() > match.start() and (expr := handler(_Match(match), text)):
                    candidates.append((match.start(), match.end(), priority, expr))
        candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
        taken = bytearray(len(text))
        chosen = []
        for start, end, _, expr in candidates:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                chosen.append(Found(start, end, expr))
        chosen.sort(key=lambda f: f.start)
        found = self._with_times(text, self._modified(text, chosen))
        return self._ranges(text, [f for f in found if not f.expr.weak])

    def _modified(self, text: str, found: list[Found]) -> list[Found]:
        """Spans extended leftwards by the words that set ``mod`` ("early", "more than" ...)."""
        previous_end = 0
        for f in found:
            expr = f.expr
            if expr.kind in _DATE_KINDS:
                kinds: tuple[str, ...] = ("position_mods", "approx_mods", "relation_mods")
            elif expr.label == "TIME":
                kinds = ("approx_mods", "relation_mods")
            elif expr.kind == "duration" and not expr.offset:
                kinds = ("quantity_mods",)
            else:
                kinds = ()
            for kind in kinds:
                match = self.prefix[kind].search(text, max(previous_end, f.start - 40), f.start)
                if not match:
                    continue
                f.start = match.start()
                mod = self.mods[kind][match.group(1).lower()]
                if kind == "relation_mods":
                    expr.attrs["relation"] = mod
                expr.attrs.setdefault("mod", mod)
                if kind == "position_mods":
                    expr.weak = False
            previous_end = f.end
        return found

    def _with_times(self, text: str, found: list[Found]) -> list[Found]:
        """A day and a time next to each other ("Tuesday at 3 p.m.") become one TIME."""
        out: list[Found] = []
        for f in found:
            last = out[-1] if out else None
            if last and _is_day(last.expr) and _bare_time(f.expr) and _AT.fullmatch(
                    text, last.end, f.start):
                out[-1] = Found(last.start, f.end, _on_day(f.expr, last.expr))
            elif last and _bare_time(last.expr) and _is_day(f.expr) and not last.expr.weak \
                    and _ON.fullmatch(text, last.end, f.start):
                out[-1] = Found(last.start, f.end, _on_day(last.expr, f.expr))
            else:
                out.append(f)
        return out

    def _ranges(self, text: str, found: list[Found]) -> list[Found]:
        """Two dates joined by "from ... to", "between ... and" or a dash become one interval."""
        out: list[Found] = []
        for f in found:
            last = out[-1] if out else None
            if last and last.expr.kind in _DATE_KINDS and f.expr.kind in _DATE_KINDS:
                opener = _FROM.search(text, max(0, last.start - 10), last.start)
                word = opener.group().split()[0].lower() if opener else ""
                same = last.expr.gran == f.expr.gran or word
                if same and _JOINS[word].fullmatch(text, last.end, f.start):
                    first = _with_year_of(last.expr, f.expr)
                    interval = Expr("interval", label="DURATION", first=first, last=f.expr)
                    out[-1] = Found(opener.start() if opener else last.start, f.end, interval)
                    continue
            out.append(f)
        return out

    # ---- what each pattern means ------------------------------------------------------------

    def _iso(self, m: _Match, text: str) -> Expr | None:
        point = Expr("point", year=int(m["year"]), month=int(m["month"]), day=int(m["day"]))
        if m["hour"] is None:
            return point
        return Expr("time", label="TIME", gran="minute", date=point,
                    clock=(int(m["hour"]), int(m["minute"])))

    def _slashed(self, m: _Match, text: str) -> Expr:
        month, day = int(m["a"]), int(m["b"])
        if self.slash_order == "dmy":
            month, day = day, month
        return Expr("point", year=_full_year(m["year"]), month=month, day=day)

    def _dotted(self, m: _Match, text: str) -> Expr:
        return Expr("point", year=int(m["year"]), month=int(m["month"]), day=int(m["day"]))

    def _month_day(self, m: _Match, text: str) -> Expr:
        year = int(m["year"]) if m["year"] else None
        day = int(m["day"]) if m["day"] else None
        return Expr("point", gran="day" if day else "month", year=year,
                    month=self.months[m["month"].rstrip(".")], day=day)

    def _bare_month(self, m: _Match, text: str) -> Expr | None:
        word = m["month"].rstrip(".")
        if word in self.ambiguous and _word_before(text, m.start()) not in self.month_context:
            return None
        return Expr("point", gran="month", month=self.months[word])

    def _day_range(self, m: _Match, text: str) -> Expr | None:
        month, year = self.months[m["month"].rstrip(".")], int(m["year"]) if m["year"] else None
        first, last = int(m["day"]), int(m["day2"])
        if last <= first:
            return None
        return Expr("interval", label="DURATION",
                    first=Expr("point", year=year, month=month, day=first),
                    last=Expr("point", year=year, month=month, day=last))

    def _year(self, m: _Match, text: str) -> Expr | None:
        year = int(m["year"])
        if not self.year_range[0] <= year <= self.year_range[1]:
            return None
        strength = self.year_context.get(_word_before(text, m.start()))
        if text.startswith("mid-", m.start() - 4):
            strength = "strong"
        weak = strength != "strong" and (not strength or _PLURAL_NOUN.match(text, m.end()))
        if weak and not (m.group().endswith("s") or _starts_sentence(text, m.start())):
            return None
        return Expr("point", gran="year", year=year)

    def _year_range(self, m: _Match, text: str) -> Expr | None:
        first = int(m["year"])
        last = int(m["year2"]) if len(m["year2"]) == 4 else first // 100 * 100 + int(m["year2"])
        low, high = self.year_range
        if not (low <= first < last <= high and last - first <= 100):
            return None
        return Expr("interval", label="DURATION", first=Expr("point", gran="year", year=first),
                    last=Expr("point", gran="year", year=last))

    def _decade(self, m: _Match, text: str) -> Expr | None:
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

    def _century(self, m: _Match, text: str) -> Expr | None:
        number = self._ordinal(m["ord"])
        return Expr("point", gran="century", year=(number - 1) * 100) if number > 0 else None

    def _quarter(self, m: _Match, text: str) -> Expr:
        return Expr("point", gran="quarter", index=int(m["q"] or m["q2"]),
                    year=_full_year(m["year"]), fiscal=bool(m["fy"] or m["fy2"]))

    def _half(self, m: _Match, text: str) -> Expr:
        return Expr("point", gran="half", index=int(m["h"] or m["h2"]),
                    year=_full_year(m["year"]), fiscal=bool(m["fy2"]))

    def _ordinal_period(self, m: _Match, text: str) -> Expr | None:
        unit, count = m["unit"].lower(), 4 if m["unit"].lower() == "quarter" else 2
        index = self._ordinal(m["ord"])
        if m["ord"].lower() == "last" and not (m["year"] or m["rel"]):
            return None
        index = count if index == -1 else index
        if not 1 <= index <= count:
            return None
        rel = (m["rel"] or "").lower()
        year_offset = {"next": 1, "last": -1, "the previous": -1}.get(rel, 0) if rel else None
        return Expr("point", gran=unit, index=index, year=_full_year(m["year"]),
                    year_offset=year_offset, fiscal=bool(m["fy"] or m["fy3"] or m["fy4"]))

    def _fiscal_year(self, m: _Match, text: str) -> Expr:
        return Expr("point", gran="year", year=_full_year(m["year"]), fiscal=True)

    def _relative(self, m: _Match, text: str) -> Expr:
        return Expr("relative", gran=m["unit"].lower(), offset=_OFFSETS[m["which"].lower()])

    def _which_point(self, m: _Match, text: str) -> Expr:
        offset = _OFFSETS[m["which"].lower()]
        if m["weekday"]:
            return Expr("weekday", index=self.weekdays[m["weekday"]], offset=offset)
        if m["month"]:
            month = self.months[m["month"].rstrip(".")]
            return Expr("point", gran="month", month=month, offset=offset)
        return Expr("point", gran="season", value=self.seasons[m["season"].lower()], offset=offset)

    def _weak(self, m: _Match, text: str) -> Expr:
        return Expr("relative", gran=m["unit"].lower(), offset=0, weak=True)

    def _ago(self, m: _Match, text: str) -> Expr | None:
        amount = self._number(m["num"])
        unit = self.units[m["unit"].lower()]
        offset = 1 if m["dir"].lower() == "from now" else -1
        if amount is None:
            return Expr("ref", value="FUTURE_REF" if offset > 0 else "PAST_REF")
        if not float(amount).is_integer() and unit not in _DAY_UNITS:
            return None
        gran = "day" if unit in _DAY_UNITS else "year" if unit in ("decade", "century") else unit
        return Expr("ago", gran=gran, unit=unit, amount=amount, offset=offset)

    def _in(self, m: _Match, text: str) -> Expr | None:
        if self.units[m["unit"].lower()] in ("second", "minute", "hour"):
            return None
        return self._ago(_Match(m.match, dir="from now"), text)

    def _anchored(self, m: _Match, text: str) -> Expr:
        unit_word = m["unit"].lower()
        unit = self.units[unit_word]
        number = m["num"]
        amount = self._number(number) if number else (1 if unit_word == unit else None)
        direction = m["dir"].lower()
        offset = -1 if direction in ("past", "last", "previous", "recent") else 1
        return Expr("duration", label="DURATION", unit=unit, amount=amount, offset=offset)

    def _duration(self, m: _Match, text: str) -> Expr | None:
        number, unit_word = m["num"].lower(), m["unit"].lower()
        unit = self.units[unit_word]
        if number in ("a", "an", "one") and (unit in ("second", "quarter") or unit_word != unit):
            return None
        amount = self._number(number)
        if amount is not None and (m["half"] or m["half2"]):
            amount += 0.5
        return Expr("duration", label="DURATION", unit=unit, amount=amount)

    def _half_unit(self, m: _Match, text: str) -> Expr:
        return Expr("duration", label="DURATION", unit=self.units[m["unit"].lower()], amount=0.5)

    def _bare_units(self, m: _Match, text: str) -> Expr:
        return Expr("duration", label="DURATION", unit=self.units[m["unit"].lower()])

    def _every_unit(self, m: _Match, text: str) -> Expr | None:
        amount = self._number(m["num"]) if m["num"] else 1
        if amount is None:
            return None
        unit = self.units[m["unit"].lower()]
        value = duration(amount * (2 if m["other"] else 1), unit)
        return Expr("set", label="SET", value=value, attrs={"quant": m["q"].upper()})

    def _every_weekday(self, m: _Match, text: str) -> Expr:
        attrs = {"quant": m["q"].upper()} if m["q"] else {}
        return Expr("set", label="SET", value=f"XXXX-WXX-{self.weekdays[m['weekday']]}",
                    attrs=attrs)

    def _times_per(self, m: _Match, text: str) -> Expr | None:
        word = m["times"].lower()
        count = {"once": 1, "twice": 2, "thrice": 3}.get(word) or self._number(word.split()[0])
        if not count:
            return None
        return Expr("set", label="SET", value=duration(1, self.units[m["unit"].lower()]),
                    attrs={"freq": f"{count:g}X"})

    def _frequency(self, m: _Match, text: str) -> Expr:
        unit, amount = self.frequencies[m["freq"]]
        return Expr("set", label="SET", value=duration(amount, unit))

    def _clock(self, m: _Match, text: str) -> Expr | None:
        hour, minute = int(m["hour"]), int(m["minute"] or 0)
        ampm = (m["ampm"] or "").lower()
        if hour > 12 or (ampm and hour == 0):
            return None
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        return _time_expr(hour, minute, "minute" if m["minute"] else "hour", m["tz"])

    def _clock24(self, m: _Match, text: str) -> Expr | None:
        if not (m["tz"] or len(m["hour"]) == 2 or _word_before(text, m.start()) in _TIME_CONTEXT):
            return None
        return _time_expr(int(m["hour"]), int(m["minute"]), "minute", m["tz"])

    def _clock_word(self, m: _Match, text: str) -> Expr:
        hour = 24 if m["word"].lower() == "midnight" else 12
        return _time_expr(hour, 0, "minute", m["tz"])

    def _part(self, m: _Match, text: str) -> Expr:
        which = (m["which"] or "").lower()
        word = (m["part"] or "night").lower()
        code, begin, end = self.parts[word]
        weak = not which and m.group().lower() != "tonight"
        day = None if weak else Expr("relative", offset=_DAY_OFFSETS.get(which, 0))
        return Expr("time", label="TIME", date=day, part=(code, begin, end), weak=weak)

    def _holiday(self, m: _Match, text: str) -> Expr:
        year = m["y1"] or m["year"]
        return Expr("point", holiday=self.holidays[m["holiday"]], year=int(year) if year else None)

    def _reference(self, m: _Match, text: str) -> Expr:
        return Expr("ref", value=self.references[" ".join(m["ref"].lower().split())])

    def _relative_day(self, m: _Match, text: str) -> Expr:
        unit, offset = self.relative_days[m["rel"].lower()]
        return Expr("relative", gran=unit, offset=offset)

    def _weekday(self, m: _Match, text: str) -> Expr:
        return Expr("weekday", index=self.weekdays[m["weekday"]])

    def _season(self, m: _Match, text: str) -> Expr | None:
        code = self.seasons[m["season"].lower()]
        if not (m["year"] or m["the"] or _word_before(text, m.start()) in self.month_context):
            return None
        return Expr("point", gran="season", value=code, year=int(m["year"]) if m["year"] else None)

    def _week_of(self, m: _Match, text: str) -> Expr:
        return Expr("point", gran="week", year=int(m["year"]) if m["year"] else None,
                    month=self.months[m["month"].rstrip(".")], day=int(m["day"]))

    # ---- numbers ----------------------------------------------------------------------------

    def _number(self, text: str) -> float | None:
        """The value of a number in digits or words; None for "several", "a few" ..."""
        text = " ".join(text.lower().replace(",", "").split())
        if re.fullmatch(r"\d+", text):
            return int(text)
        if re.fullmatch(r"\d+\.\d+", text):
            return float(text)
        if text in self.numbers:
            return self.numbers[text]
        return sum(self.numbers.get(part) or 0 for part in re.split(r"[-\s]", text))

    def _ordinal(self, text: str) -> int:
        digits = re.match(r"\d+", text)
        return int(digits.group()) if digits else self.ordinals.get(text.lower(), 0)


class Dates(Annotator):
    """TIMEX3 dates, times, durations and sets, resolved against the document date."""

    name = "dates"
    version = "0.1.0"
    assigns = ("dates",)
    requires = ()
    spacy_components = None
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.grammar = Grammar(config)
        self.fiscal_start = int(config["fiscal_year_start"])

    def annotate(self, doc: Document) -> Iterator[Annotation]:
        anchor = _anchor(doc.date)
        for f in self.grammar.scan(doc.text):
            try:
                lean = _lean(self.grammar.cues, doc.text, f.start, f.end)
                attrs = resolve(f.expr, anchor, lean, self.fiscal_start)
            except (ValueError, OverflowError):  # beyond the calendar (year 10000 ...)
                attrs = None
            if attrs:
                yield Annotation("dates", f.start, f.end, f.expr.label, attrs)


_OFFSETS = {"last": -1, "past": -1, "previous": -1, "prior": -1, "this": 0, "current": 0,
            "next": 1, "coming": 1, "following": 1}
_DAY_OFFSETS = {"yesterday": -1, "last": -1, "tomorrow": 1}
_DAY_UNITS = frozenset({"second", "minute", "hour", "day", "week", "fortnight"})
_TIME_CONTEXT = frozenset({"at", "by", "until", "till", "from", "around", "before", "after", "to",
                           "since", "about"})


class _Match:
    """A match whose absent groups read as None; ``groups`` override some."""

    def __init__(self, match: re.Match[str], **groups: str) -> None:
        self.match, self.groups = match, groups

    def __getitem__(self, name: str) -> str | None:
        return self.groups[name] if name in self.groups else self.match.groupdict().get(name)

    def start(self) -> int:
        return self.match.start()

    def end(self) -> int:
        return self.match.end()

    def group(self) -> str:
        return self.match.group()


def _anchor(value: str | None) -> date | None:
    """The document date as a date (its first ten characters, ISO), or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _lean(cues: re.Pattern[str], text: str, start: int, end: int) -> int:
    """Tense around a span: 1 future, -1 past, 0 unknown; the cue nearest the span decides."""
    left = _SENTENCE.split(text[max(0, start - 80) : start])[-1]
    right = _SENTENCE.split(text[end : end + 60])[0]
    best = None
    for match in cues.finditer(left):
        best = (len(left) - match.end(), match)
    for match in cues.finditer(right):
        if best is None or match.start() < best[0]:
            best = (match.start(), match)
        break
    if best is None:
        return 0
    return 1 if best[1]["future"] else -1


def _word_before(text: str, start: int) -> str:
    match = re.search(r"([A-Za-z][\w.]*-?)\s*$", text[max(0, start - 20) : start])
    return match.group(1).lower().rstrip("-") if match else ""


def _starts_sentence(text: str, start: int) -> bool:
    return not text[:start].strip() or text[:start].rstrip()[-1] in ".!?\n\"'“"


def _full_year(text: str | None) -> int | None:
    """A year from four digits or two ('25 -> 2025, 97 -> 1997)."""
    if not text:
        return None
    digits = text.lstrip("'’")
    if len(digits) == 4:
        return int(digits)
    return (2000 if int(digits) <= 50 else 1900) + int(digits)


def _holiday_spec(value: str, weekdays: Mapping[str, int]) -> tuple[int, int, int, int]:
    """(month, day or nth, weekday or 0, days added) from "12-25" or "11 4 Thursday +1"."""
    parts = str(value).replace("-", " -", 1 if " " in str(value) else 0).split()
    if len(parts) == 1:
        month, day = str(value).split("-")
        return int(month), int(day), 0, 0
    plus = int(parts[3]) if len(parts) > 3 else 0
    return int(parts[0]), int(parts[1]), weekdays[parts[2]], plus


def _time_expr(hour: int, minute: int, gran: str, zone: str | None) -> Expr:
    return Expr("time", label="TIME", gran=gran, clock=(hour, minute),
                attrs={"timezone": zone} if zone else {})


def _is_day(expr: Expr) -> bool:
    return expr.kind == "weekday" or (expr.kind in _DATE_KINDS and expr.gran == "day")


def _bare_time(expr: Expr) -> bool:
    return expr.kind == "time" and expr.date is None


def _on_day(time_expr: Expr, day: Expr) -> Expr:
    return replace(time_expr, date=day, weak=False, attrs={**day.attrs, **time_expr.attrs})


def _with_year_of(first: Expr, last: Expr) -> Expr:
    """The first end of a range, taking the year of the last when it has none."""
    if first.kind != "point" or first.year is not None or first.year_offset is not None:
        return first
    if last.kind != "point" or (last.year is None and last.year_offset is None):
        return first
    year = last.year
    if year is not None and first.month and last.month and first.month > last.month:
        year -= 1
    return replace(first, year=year, year_offset=last.year_offset)


@hookimpl
def register_annotators(register) -> None:
    register(Dates)
