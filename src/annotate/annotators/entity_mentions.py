"""Finding every mention of a name: the model's names cleaned and completed.

The model's spans lose a leading "the", a possessive, stray punctuation and numbers; a
designator the model split off joins its name; names inside an all-caps headline are left to
propagation. Added: datelines and their agencies, capitalised names before a designator,
known organisations, acronyms defined in parentheses, and every other mention of a name
found once (its short forms, surname and all-caps form included).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotate.annotators.entity_datelines import datelines, line_matches
from annotate.annotators.entity_names import (
    ACRONYM_SKIPS,
    POSSESSIVE,
    NameBook,
    TextWords,
    key,
    name_index,
    occurrences,
)

_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\n][\"'”’)]*\s+|\n)[\"'“‘(]*\Z")
# "the", "THE" and lower-case words before a name: "the Stargate Project", "fintech Tembo".
_PLACE_ADJECTIVE = r"\S+-(?:based|headquartered|owned|listed|backed|born)"  # "Kumamoto-based"
_PLACE_ADJECTIVE_WORD = re.compile(_PLACE_ADJECTIVE)
_LEADING_WORDS = re.compile(
    rf"(?:(?:The|THE|[a-z]+(?:-[a-z]+)*|{_PLACE_ADJECTIVE})\s+)+(?=[A-Z0-9])"
)
_TRAILING_WORDS = re.compile(r"(?:\s+(?:and|or|&|[a-z]+))+$")
_LEADING_NUMBERS = re.compile(r"(?:[\d.,:\-–]+\s+)+(?=\D)")
_INNER_NUMBER = re.compile(r"\s+[\d.,:\-–]+\s+")
_TRAILING_NUMBERS = re.compile(r"(?:\s+[\d.,:\-–]+)+$")
# Labels whose names may end in a number ("Boeing 737", "Euro 2024", "Article 50").
_NUMBERED = frozenset({"PRODUCT", "EVENT", "LAW", "WORK_OF_ART", "FAC"})
_LEADING_POSSESSIVE = re.compile(r"([A-Z][\w.-]*(?: [A-Z][\w.-]*)?)['’]s\s+(?=[A-Z])")
# An acronym in parentheses: "(OFT)". (The blanks before it are found by _blanks_before: a
# pattern that began with them would be tried at every character.)
_DEFINITION = re.compile(r"\(([A-Z][A-Za-z&.]{1,7})\)")
# A line of three or more words in capitals, or in title case with no closing stop: a
# headline, where the model's labels are noise ("Clydemoor and Verhoeven Team Up on Hydrogen
# Ferry Order"). Small words may stay in lower case.
_HEADLINE = re.compile(
    r"^(?:[^a-z\n]*[A-Z]{2,}[^a-z\n]*(?: [^a-z\n]+){2,}"
    r"|(?:(?:[A-Z][^\s]*|[a-z]{1,4}) ){2,}[A-Z][^\s.!?]*)$",
    re.MULTILINE,
)
_SPACE = re.compile(r"\s")
_LOWER_WORD = re.compile(r"\b[a-z][\w'-]*")
_NAME_WORD = re.compile(r"[\w&’'-]+")
_CONJOINED = re.compile(r"(.+?)\s+(?:and|&)\s+(.+)")
# Words that start a sentence and are not part of the name that follows.
_NOT_NAME_START = frozenset(
    (
        "a an and as at but by for from in into of on or so the then this that these those to "
        "when where while with after before since although though if yet"
    ).split()
)


@dataclass
class Mention:
    """A name in the text, with what the layer found out about it."""

    start: int
    end: int
    label: str
    method: str
    role: str | None = None  # "source" for a news agency
    fixed: bool = False  # a dateline's place or agency: its label is not voted on
    canonical: str = ""
    entity_id: str = ""
    evidence: list[str] = field(default_factory=list)

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def text_order(m: Mention) -> tuple[int, int]:
    """Mentions in text order, the longer first where two start together."""
    return m.start, -m.end


class MentionFinder:
    """Every mention of a name in a text, from the model's entities and the name book."""

    def __init__(self, book: NameBook, config: Mapping[str, Any]) -> None:
        self.book = book
        self.labels = frozenset(config["labels"])
        self.name_labels = frozenset(config["name_labels"])
        self.propagate = config["propagate"]
        # Known organisations and their first words: parts of "Quillon and Orbis" that are names.
        self.known_parts = book.known_orgs | {n.split()[0] for n in book.known_orgs}
        self._name_forms = functools.lru_cache(maxsize=2048)(self._forms_of)
        self._trimmed = functools.lru_cache(maxsize=2048)(self._trim_span)
        self._territory_lead = functools.lru_cache(maxsize=2048)(self._territory_of)
        self._name_text = functools.lru_cache(maxsize=2048)(self._is_name_text)
        # Up to five capitalised words at a word start, then a designator. Written to begin
        # with the capital (the word start checked after it), so that re skips to capitals;
        # possessive repeats, as giving back a word's characters or blanks never helps.
        self.designated_name = re.compile(
            rf"([A-Z](?<!\w[A-Z])(?:[\w&.'’-]*+[^\S\n]++[A-Z]){{0,4}}?[\w&.'’-]*+),?[^\S\n]++"
            rf"(?:{book.alternation})(?![\w-])"
        )

    def find(self, text: str, ents: Iterable[Any]) -> tuple[list[Mention], dict[str, str]]:
        """The mentions in ``text`` given spaCy's ``ents``, and the acronyms defined in it
        (acronym key -> name key)."""
        found = [
            self._trim(text, Mention(e.start_char, e.end_char, label, "ner"))
            for e in ents
            if (label := e.label_) in self.labels
        ]
        found = self._cleaned(text, [m for m in found if m.end > m.start])
        fixed = self._datelines(text)
        mentions = [m for m in found if not _overlaps(m, fixed)] + fixed if fixed else found
        mentions += self._designated(text, mentions)
        text_words = TextWords(text)
        mentions += self._known(text, mentions, text_words)
        defined = self._acronyms_defined(text, mentions)
        mentions = self._split_conjoined(text, [m for m in mentions if self._is_name(text, m)])
        if self.propagate:
            mentions += self._propagated(text, mentions, text_words)
        return mentions, defined

    def _trim(self, text: str, m: Mention) -> Mention:
        if m.label not in self.name_labels:
            return m
        # What trimming does depends only on the span and the character before it (a
        # possessive's look-behind), so it is worked out once for each such text.
        before = text[max(0, m.start - 1) : m.start]
        start, end = self._trimmed(before, text[m.start : m.end], m.label)
        m.start, m.end = m.start + start, m.start + end
        return m

    def _trim_span(self, before: str, surface: str, label: str) -> tuple[int, int]:
        """Where ``surface`` (after ``before``) starts and ends once trimmed, from its start."""
        m = Mention(len(before), len(before) + len(surface), label, "ner")
        text = before + surface
        if _SPACE.search(text, m.start, m.end):  # (each pattern of _trim_words needs one)
            self._trim_words(text, m)
        self._trim_edges(text, m)
        return m.start - len(before), m.end - len(before)

    def _trim_words(self, text: str, m: Mention) -> None:
        """``m`` without leading "the" and lower-case words, trailing lower-case words, and
        numbers at either end (unless a product's: "Boeing 737")."""
        if lead := _LEADING_WORDS.match(text, m.start, m.end):
            m.start = lead.end()
        if tail := _TRAILING_WORDS.search(text, m.start, m.end):  # "Dakota Rail and"
            m.end = tail.start()
        row = _LEADING_NUMBERS.match(text, m.start, m.end)  # "1 Leeds 1" in a results table
        if row:
            m.start = row.end()
        if (row or m.label not in _NUMBERED) and (
            tail := _TRAILING_NUMBERS.search(text, m.start, m.end)
        ):
            m.end = tail.start()  # "Valencia 3-1"; but "Boeing 737" is a product

    def _trim_edges(self, text: str, m: Mention) -> Mention:
        """``m`` without a possessive (unless a known name's own) and stray punctuation."""
        tail = POSSESSIVE.search(text, m.start, m.end)
        if tail and key(text[m.start : m.end]) not in self.book.known_orgs:
            m.end = tail.start()
        while m.end > m.start and (
            text[m.end - 1] in " ,;:\"'’”-("
            or (text[m.end - 1] == ")" and "(" not in text[m.start : m.end])
        ):
            m.end -= 1
        while m.end > m.start and text[m.start] in " \"'“‘(":
            m.start += 1
        return m

    def _cleaned(self, text: str, found: list[Mention]) -> list[Mention]:
        """The model's names made whole: "Chelsea 1 Leeds" in a results table is two names, a
        designator the model split off joins its name ("Skarvik Offshore" + "ASA"), a
        territory's possessive is split off ("Norway’s Ministry of Energy"), and names inside
        an all-caps headline are left to propagation. No name is left inside another."""
        headlines = [h.span() for h in line_matches(_HEADLINE, text)]
        result = []
        for m in found:
            if headlines and any(s <= m.start and m.end <= e for s, e in headlines):
                continue
            if m.label in self.name_labels and m.label not in _NUMBERED:
                *parts, m = _split_at_numbers(text, m)
                result += parts
            if m.label in self.name_labels:
                if tail := self.book.designator_after.match(text, m.end):
                    m.end = tail.end()
                lead = self._territory_lead(text[m.start : m.end])
                if lead:
                    result.append(Mention(m.start, m.start + lead[0], "GPE", m.method))
                    m.start += lead[1]
            result.append(m)
        kept: list[Mention] = []
        widest: Mention | None = None  # the kept name reaching furthest so far
        for m in sorted(result, key=text_order):
            if widest and m.end <= widest.end and m.span != widest.span:
                continue
            if text[m.start : m.end] not in self.book.designators:
                kept.append(m)
                if widest is None or m.end > widest.end:
                    widest = m
        return kept

    def _territory_of(self, surface: str) -> tuple[int, int] | None:
        """A territory's possessive leading ``surface`` ("Norway’s Ministry of Energy"): the
        length of the territory's name and where the rest starts; None if there is none."""
        lead = _LEADING_POSSESSIVE.match(surface)
        if lead and self.book.is_territory(lead.group(1)):
            return len(lead.group(1)), lead.end()
        return None

    def _is_name(self, text: str, m: Mention) -> bool:
        if m.label not in self.name_labels or m.fixed:
            return True
        return self._name_text(text[m.start : m.end])

    def _is_name_text(self, surface: str) -> bool:
        return surface not in self.book.not_names and any(
            c.isupper() or c.isdigit() for c in surface
        )

    def _datelines(self, text: str) -> list[Mention]:
        """A dateline's place is a GPE and its agency an ORG with the role "source"."""
        found = []
        for line in datelines(text):
            place = text[line.places[0][0] : line.places[0][1]]
            agency = text[line.agency[0] : line.agency[1]] if line.agency else ""
            if not place.isupper() and key(agency) not in self.book.agencies:
                continue
            found += [Mention(s, e, "GPE", "dateline", fixed=True) for s, e in line.places]
            if line.agency:
                found.append(Mention(*line.agency, "ORG", "dateline", role="source", fixed=True))
        return found

    def _designated(self, text: str, found: list[Mention]) -> list[Mention]:
        """Capitalised names followed by a corporate designator, where NER saw no entity or
        only part of it ("Solheim" of "Solheim Grid ASA": the part is dropped from ``found``)."""
        found.sort(key=text_order)
        starts = [m.start for m in found]
        taken = None
        extra, dropped = [], set()
        for match in self.designated_name.finditer(text):
            if taken is None:  # (made at the first match: most texts have none)
                taken = _Coverage(len(text), found)
            start, end = match.start(1), match.end()
            words = match.group(1).split()
            while words and (
                words[0].lower() in _NOT_NAME_START
                or POSSESSIVE.search(words[0])
                or _PLACE_ADJECTIVE_WORD.fullmatch(words[0])
            ):
                start = text.index(words[1], start) if len(words) > 1 else end
                words.pop(0)
            if not words:
                continue
            first = bisect_left(starts, start)
            inside = [m for m in found[first : bisect_left(starts, end)] if m.end <= end]
            if inside and not taken.overlaps(start, inside[0].start):
                for m in inside:
                    dropped.add(id(m))
                    taken.remove(m.start, m.end)
            if not taken.overlaps(start, end):
                extra.append(Mention(start, end, "ORG", "designator"))
                taken.add(start, end)
        found[:] = [m for m in found if id(m) not in dropped]
        return extra

    def _known(self, text: str, found: list[Mention], text_words: TextWords) -> list[Mention]:
        """Well-known organisations and agencies the model missed, except at a sentence start,
        where a capitalised "Target" or "Shell" is as likely an ordinary word."""
        extra = []
        names = _Coverage(len(text), (m for m in found if m.label in self.name_labels))
        for start, end, _ in occurrences(text, self.book.known_index, text_words):
            if names.overlaps(start, end):  # (a quick answer for the tests below)
                continue
            if _SENTENCE_START.search(text, max(0, start - 8), start):
                continue
            clashes = [m for m in [*found, *extra] if m.start < end and start < m.end]
            if any(m.label in self.name_labels for m in clashes):
                continue
            for m in clashes:  # "Last year SoftBank" (DATE) -> "Last year" + SoftBank
                if m.end == end and m.start < start:
                    m.end = len(text[m.start : start].rstrip()) + m.start
                elif m.start == start and end < m.end:
                    m.start = end + len(text[end : m.end]) - len(text[end : m.end].lstrip())
                else:
                    break
            else:
                extra.append(Mention(start, end, "ORG", "known"))
                names.add(start, end)
        return extra

    def _acronyms_defined(self, text: str, found: list[Mention]) -> dict[str, str]:
        """Acronyms defined in parentheses after a name ("Office of Fair Trading (OFT)",
        "Norwegian University of Science and Technology (NTNU)"), by key: the name's key.
        Where no name the model found ends there, the capitalised words before the
        parenthesis whose initials spell the acronym are the name ("Australian Competition
        and Consumer Commission (ACCC)"), replacing the model's pieces of it. An acronym the
        model missed is added to ``found``."""
        ends = {m.end: m for m in found if m.label in self.name_labels}
        defined = {}
        for match in _DEFINITION.finditer(text):
            acronym, before = match.group(1), _blanks_before(text, match.start())
            m = ends.get(before)
            if m is None and (span := _spelled_before(text, before, acronym)):
                pieces = [o for o in found if o.start < span[1] and span[0] < o.end]
                if all(span[0] <= o.start and o.end <= span[1] for o in pieces):
                    for piece in pieces:
                        found.remove(piece)
                    m = Mention(*span, "ORG", "acronym")
                    found.append(m)
            if m is None:
                continue
            name = self.book.strip(text[m.start : m.end])
            if acronym[0] != name[0] or " " not in name:
                continue
            defined[key(acronym)] = key(name)
            start, end = match.span(1)
            if not any(o.start < end and start < o.end for o in found):
                found.append(Mention(start, end, m.label, "acronym"))
        return defined

    def _split_conjoined(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """A span "Quillon and Orbis" is two names when each part is a name found elsewhere in
        the document (or the start of one), or a known organisation."""
        names: set[str] = set()  # the keys a part may have, made when first needed
        result = []
        for m in mentions:
            surface = text[m.start : m.end]
            # (a cheap test first: the pattern needs an "and" or a "&")
            parts = (
                _CONJOINED.fullmatch(text, m.start, m.end)
                if "and" in surface or "&" in surface
                else None
            )
            if m.label in self.name_labels and parts:
                if not names:
                    found = {self.book.name_key(text[o.start : o.end]) for o in mentions}
                    names = found | {n.split()[0] for n in found} | self.known_parts
                if all(key(p) in names for p in parts.groups()):
                    result += [Mention(*parts.span(i), m.label, m.method) for i in (1, 2)]
                    continue
            result.append(m)
        return result

    def _propagated(self, text: str, found: list[Mention], text_words: TextWords) -> list[Mention]:
        """Other mentions of names already found: full and designator-free forms, a person's
        surname, a designated company's first word, and all-caps headline forms."""
        forms: dict[str, str] = {}
        lower = _LowerWords(text)
        done = set()  # (surface, label): the same forms again
        for m in found:
            if m.label not in self.name_labels or m.fixed:
                continue
            surface = text[m.start : m.end]
            if (surface, m.label) in done:
                continue
            done.add((surface, m.label))
            for form in self._forms(surface, m.label, lower):
                forms.setdefault(form, m.label)
                forms.setdefault(form.upper(), m.label)
        forms = {f: label for f, label in forms.items() if f not in self.book.not_names}
        taken = _Coverage(len(text), found)
        extra = []
        for start, end, form in occurrences(text, name_index(forms), text_words):
            if not taken.overlaps(start, end):
                extra.append(Mention(start, end, forms[form], "name-match"))
                taken.add(start, end)
        return extra

    def _forms(self, surface: str, label: str, lower: _LowerWords) -> set[str]:
        """The forms of a name that propagation looks for (the caller adds all-caps ones)."""
        forms, company_word = self._name_forms(surface, label)
        if company_word is not None and company_word[0] not in lower:
            forms = forms | {company_word[1]}
        return forms

    def _forms_of(self, surface: str, label: str) -> tuple[set[str], tuple[str, str] | None]:
        """``_forms`` but for a designated company's first word ("Arcturus" for "Arcturus
        Automation Corp."): that word lower-cased, which must not be written in lower case
        in the text, and the form it adds; or None."""
        stripped = self.book.strip(surface)
        forms = {surface, stripped}
        words = stripped.split()
        if len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper() and label == "PERSON":
            forms.add(words[-1])
        company_word = None
        if (
            len(words) > 1
            and self.book.is_company_name(surface)
            and len(words[0]) > 3
            and words[0][0].isupper()
            and words[0] not in self.book.stoplist
        ):
            # "Arcturus" for "Arcturus Automation Corp."; only "TESSALY" (a headline) for the
            # undesignated "Tessaly Labs", where "Nordic" of "Nordic Cell Alliance" is no name
            form = words[0] if self.book.has_designator(surface) else words[0].upper()
            if len(form) > 1 and form[0].isupper():
                company_word = (words[0].lower(), form)
        return {f for f in forms if len(f) > 1 and f[0].isupper()}, company_word


def _spelled_before(text: str, end: int, acronym: str) -> tuple[int, int] | None:
    """The span of the capitalised words (with "of", "and", "for"… between them) ending at
    ``end`` whose initials spell ``acronym``, if any."""
    letters = acronym.replace(".", "").replace("&", "")
    words = list(_NAME_WORD.finditer(text, max(0, end - 120), end))
    run: list[re.Match[str]] = []
    for word in reversed(words):
        if run and text[word.end() : run[-1].start()].strip(" -"):
            break  # punctuation between: the run is over
        run.append(word)
    capitals = ""
    for index, word in enumerate(run):
        if word.group()[0].isupper():
            capitals = word.group()[0] + capitals
        elif word.group().lower() not in ACRONYM_SKIPS:
            return None
        if capitals == letters and word.group()[0].isupper():
            return word.start(), run[0].end()
        if len(capitals) > len(letters) or index > 2 * len(letters):
            return None
    return None


def _blanks_before(text: str, end: int) -> int:
    """Where the blanks (whitespace other than newlines) that end at ``end`` start."""
    while end > 0 and text[end - 1] != "\n" and text[end - 1].isspace():
        end -= 1
    return end


def _split_at_numbers(text: str, m: Mention) -> list[Mention]:
    """The parts of a name between numbers standing alone in it."""
    parts, start = [], m.start
    for number_start, number_end in _inner_numbers(text[m.start : m.end]):
        parts.append(Mention(start, m.start + number_start, m.label, m.method))
        start = m.start + number_end
    return [*parts, Mention(start, m.end, m.label, m.method)] if parts else [m]


@functools.lru_cache(maxsize=2048)
def _inner_numbers(surface: str) -> tuple[tuple[int, int], ...]:
    """The spans of the numbers standing alone inside a name (with the blanks around them)."""
    return tuple(number.span() for number in _INNER_NUMBER.finditer(surface))


class _LowerWords:
    """The words of a text that start in lower case, found when first asked about a word
    that the text contains at all."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: set[str] | None = None

    def __contains__(self, word: str) -> bool:
        if word not in self.text:
            return False
        if self.found is None:
            self.found = set(_LOWER_WORD.findall(self.text))
        return word in self.found


def _overlaps(m: Mention, others: list[Mention]) -> bool:
    return any(o.start < m.end and m.start < o.end for o in others)


class _Coverage:
    """Characters already inside a mention, for overlap checks in time linear in the span."""

    def __init__(self, size: int, mentions: Iterable[Mention]) -> None:
        self.mask = mask = bytearray(size)
        for m in mentions:
            mask[m.start : m.end] = b"\x01" * (m.end - m.start)

    def overlaps(self, start: int, end: int) -> bool:
        return self.mask.find(1, start, end) != -1

    def add(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)

    def remove(self, start: int, end: int) -> None:
        self.mask[start:end] = bytes(end - start)
