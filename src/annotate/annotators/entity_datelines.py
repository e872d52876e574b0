"""Datelines: "BERLIN (Reuters) -", "LONDON, March 3 (AP) —", "BRUSSELS 1996-08-22"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_MONTHS = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,2})?$"
)
# "BERLIN (Reuters) -", "LONDON, March 3 (AP) —", "OSLO, Norway (Bloomberg) —" at a line start.
_DATELINE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][A-Za-z'.\-]*(?:[ ][A-Z][A-Za-z'.\-]*){0,3})"
    r"(?:,[ ]+(?P<detail>[A-Z][^()\n,]{0,30}?))?"
    r"[ ]+\((?P<agency>[A-Za-z][\w .&'-]{0,40}?)\)[ ]*[-—–]",
    re.MULTILINE,
)
# "BRUSSELS 1996-08-22", "AL-AIN , United Arab Emirates 1996-12-06": a place and a date alone
# on a line, as real-news corpora write datelines without an agency.
_DATED_LINE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][A-Z'.\-]+(?:[ ][A-Z][A-Z'.\-]+){0,3})"
    r"(?:[ ]?,[ ]+(?P<detail>[A-Z][^,\n\d]{0,30}?))?"
    r"[ ]+(?:\d{4}-\d{2}-\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*"
    r"\.?[ ]\d{1,2}(?:,?[ ]\d{4})?)[ \t]*$",
    re.MULTILINE,
)


_NEWLINE = re.compile(r"\n")


def line_starts(text: str) -> list[int]:
    """Where the lines of ``text`` start."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def line_matches(
    pattern: re.Pattern[str], text: str, starts: list[int] | None = None
) -> list[re.Match[str]]:
    """``pattern.finditer(text)`` for a MULTILINE pattern that begins with ``^`` and never
    matches a newline: its matches, one at most on each line, tried only at line starts."""
    match = pattern.match
    found = [match(text, at) for at in (line_starts(text) if starts is None else starts)]
    return [m for m in found if m is not None]


@dataclass
class Dateline:
    """A dateline's place(s) and news agency (if any), as character spans."""

    places: list[tuple[int, int]]
    agency: tuple[int, int] | None


def datelines(text: str) -> Iterator[Dateline]:
    """Datelines at line starts: "BERLIN (Reuters) -", "LONDON, March 3 (AP) —", and a
    place with a date alone on a line ("BRUSSELS 1996-08-22"), in text order."""
    starts = line_starts(text)
    found = [(m, m.span("agency")) for m in line_matches(_DATELINE, text, starts)]
    found += [(m, None) for m in line_matches(_DATED_LINE, text, starts)]
    for match, agency in sorted(found, key=lambda f: f[0].start()):
        places = [match.span("place")]
        detail = match.group("detail")
        if detail and not _MONTHS.match(detail.strip()) and not any(c.isdigit() for c in detail):
            start = match.start("detail")
            places.append((start, start + len(detail.rstrip())))
        yield Dateline(places, agency)
