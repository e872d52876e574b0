"""Joining what the dates grammar found: modifiers extend a span leftwards ("early",
"more than"), a day and a time become one TIME ("Tuesday at 3 p.m."), two dates joined by
"from ... to" become one interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from annotate.annotators.timex import Expr, combined_duration, unit_rank

_FROM = re.compile(r"\b(?i:from|between)\s+$")
_JOINS = {
    "from": re.compile(r"\s*(?:to|until|till|through|thru|-|–|—)\s*"),
    "between": re.compile(r"\s+and\s+"),
    "": re.compile(r"\s*(?:-|–|to|through|until)\s*"),
}
_AND = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s+")
_AT = re.compile(r",?\s+(?:at\s+|around\s+)?")
_ON = re.compile(r",?\s+(?:local time\s+)?(?:on\s+)?")
DATE_KINDS = frozenset({"point", "weekday", "relative", "ago"})


@dataclass
class Found:
    """An expression found in the text: its span and what it says."""

    start: int
    end: int
    expr: Expr


class Match:
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


def modified(
    text: str,
    found: list[Found],
    prefix: dict[str, tuple[re.Pattern[str], int]],
    mods: dict[str, dict],
) -> list[Found]:
    """Spans extended leftwards by the words that set ``mod`` ("early", "more than" ...);
    ``prefix`` holds each kind's pattern and its longest word's length, plus one."""
    previous_end = 0
    for f in found:
        expr = f.expr
        if expr.kind in DATE_KINDS:
            kinds: tuple[str, ...] = ("position_mods", "approx_mods", "relation_mods")
        elif expr.label == "TIME":
            kinds = ("approx_mods", "relation_mods")
        elif expr.kind == "duration" and not expr.offset:
            kinds = ("quantity_mods",)
        else:
            kinds = ()
        for kind in kinds:
            pattern, reach = prefix[kind]
            # a match is its word, then blanks or "-" up to f.start: so it begins at most
            # ``reach`` before the last character that is not a blank
            window = max(previous_end, f.start - 40)
            last = window + len(text[window : f.start].rstrip())
            match = pattern.search(text, max(window, last - reach), f.start)
            if not match:
                continue
            f.start = match.start()
            mod = mods[kind][match.group(1).lower()]
            if kind == "relation_mods":
                expr.attrs["relation"] = mod
            expr.attrs.setdefault("mod", mod)
            if kind == "position_mods":
                expr.weak = False
        previous_end = f.end
    return found


def combined(text: str, found: list[Found]) -> list[Found]:
    """Durations in falling units next to each other ("2 hours and 30 minutes", "1 year, 2
    months and 3 days") become one DURATION (``PT2H30M``, ``P1Y2M3D``)."""
    out: list[Found] = []
    for f in found:
        last = out[-1] if out else None
        if (
            last
            and _plain_duration(last.expr)
            and _plain_duration(f.expr)
            and unit_rank(f.expr.unit) > unit_rank(last.expr.unit)
            and _AND.fullmatch(text, last.end, f.start)
        ):
            parts = (last.expr.parts or ((last.expr.unit, last.expr.amount),)) + (
                (f.expr.unit, f.expr.amount),
            )
            expr = Expr(
                "duration",
                label="DURATION",
                unit=f.expr.unit,
                parts=parts,
                value=combined_duration(parts),
            )
            out[-1] = Found(last.start, f.end, expr)
        else:
            out.append(f)
    return out


def _plain_duration(expr: Expr) -> bool:
    return (expr.kind == "duration" and (expr.amount is not None or bool(expr.parts))) and not (
        expr.offset or expr.date or expr.weak or expr.attrs
    )


def with_times(text: str, found: list[Found]) -> list[Found]:
    """A day and a time next to each other ("Tuesday at 3 p.m.") become one TIME."""
    out: list[Found] = []
    for f in found:
        last = out[-1] if out else None
        if (
            last
            and is_day(last.expr)
            and bare_time(f.expr)
            and _AT.fullmatch(text, last.end, f.start)
        ):
            out[-1] = Found(last.start, f.end, on_day(f.expr, last.expr))
        elif (
            last
            and bare_time(last.expr)
            and is_day(f.expr)
            and not last.expr.weak
            and _ON.fullmatch(text, last.end, f.start)
        ):
            out[-1] = Found(last.start, f.end, on_day(last.expr, f.expr))
        else:
            out.append(f)
    return out


def ranges(text: str, found: list[Found]) -> list[Found]:
    """Two dates joined by "from ... to", "between ... and" or a dash become one interval."""
    out: list[Found] = []
    for f in found:
        last = out[-1] if out else None
        if last and last.expr.kind in DATE_KINDS and f.expr.kind in DATE_KINDS:
            opener = _FROM.search(text, max(0, last.start - 10), last.start)
            word = opener.group().split()[0].lower() if opener else ""
            same = last.expr.gran == f.expr.gran or word
            if same and _JOINS[word].fullmatch(text, last.end, f.start):
                first = with_year_of(last.expr, f.expr)
                interval = Expr("interval", label="DURATION", first=first, last=f.expr)
                out[-1] = Found(opener.start() if opener else last.start, f.end, interval)
                continue
        out.append(f)
    return out


def is_day(expr: Expr) -> bool:
    return expr.kind == "weekday" or (expr.kind in DATE_KINDS and expr.gran == "day")


def bare_time(expr: Expr) -> bool:
    return expr.kind == "time" and expr.date is None


def on_day(time_expr: Expr, day: Expr) -> Expr:
    return replace(time_expr, date=day, weak=False, attrs={**day.attrs, **time_expr.attrs})


def with_year_of(first: Expr, last: Expr) -> Expr:
    """The first end of a range, taking the year of the last when it has none."""
    if first.kind != "point" or first.year is not None or first.year_offset is not None:
        return first
    if last.kind != "point" or (last.year is None and last.year_offset is None):
        return first
    year = last.year
    if year is not None and first.month and last.month and first.month > last.month:
        year -= 1
    return replace(first, year=year, year_offset=last.year_offset)
