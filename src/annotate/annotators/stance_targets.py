"""The organisations stance can be about: entities of a target label, with their short forms."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from annotate.annotators.entities import DEFAULTS as ENTITY_DEFAULTS
from annotate.model import Annotation

# A mention ending in a corporate designator ("Kestrel Robotics Inc.") names a company.
_DESIGNATED = re.compile(
    r"\s(?:" + "|".join(re.escape(d) for d in ENTITY_DEFAULTS["designators"]) + r")$"
)
# "Stuttgart-based": a place in an adjective, not a party.
_PLACE_ADJECTIVES = frozenset({"based", "headquartered"})


@dataclass(frozen=True)
class Organisation:
    """One mention of a target organisation: canonical name, entity id, token range."""

    name: str
    id: str
    start: int
    end: int


def organisations(doc: Doc, entities: Iterable[Annotation], sentences: list[Span],
                  labels: frozenset[str], stoplist: frozenset[str], not_parties: frozenset[str]
                  ) -> tuple[list[list[Organisation]], set[int]]:
    """Target organisations per sentence, and the tokens inside any name.

    A name of another label whose words begin exactly one designated company name of the
    document is that company ("Kestrel", tagged PERSON, after "Kestrel Robotics Inc."), and so
    is that first word where no entity covers it (see ``short_forms``); an organisation
    "A and B" whose parts are both organisations is the two of them. Names holding a word of
    ``not_parties`` (courts, regulators) are left out.
    """
    named = []
    for entity in entities:
        span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
        if span is not None and len(span) and entity.attrs.get("canonical"):
            named.append((entity, span))
    companies = {e.attrs["canonical"] for e, _ in named if e.label in labels}
    full = {e.attrs["canonical"] for e, _ in named
            if e.label in labels and _DESIGNATED.search(e.text or doc.text[e.start : e.end])}
    starts = [s.start for s in sentences]
    per_sentence: list[list[Organisation]] = [[] for _ in sentences]
    in_entity: set[int] = set()
    for entity, span in named:
        in_entity.update(range(span.start, span.end))
        after = doc[span.end + 1] if span.end + 1 < len(doc) else None
        if doc[span.end - 1].whitespace_ == "" and after is not None and (
            after.lower_ in _PLACE_ADJECTIVES
        ):
            continue
        names = [n for n in _names(entity.attrs["canonical"], entity.label in labels, companies,
                                   full) if not not_parties.intersection(n.lower().split())]
        index = bisect_right(starts, span.start) - 1
        per_sentence[index] += [Organisation(n, entity.id, span.start, span.end) for n in names]
    for org in short_forms(doc, full, in_entity, stoplist):
        per_sentence[bisect_right(starts, org.start) - 1].append(org)
    for found in per_sentence:
        found.sort(key=lambda o: o.start)
    return per_sentence, in_entity


def short_forms(doc: Doc, full: set[str], taken: set[int], stoplist: frozenset[str]
                ) -> list[Organisation]:
    """Mentions of a designated company by its first word alone, outside any entity, when that
    word is never written in lower case in the document. They have no entity id."""
    firsts: dict[str, list[str]] = {}
    for name in full:
        words = name.split()
        if len(words) > 1 and len(words[0]) > 3 and words[0] not in stoplist:
            firsts.setdefault(words[0], []).append(name)
    lower = {t.lower_ for t in doc if t.is_lower}
    found = []
    for token in doc:
        names = firsts.get(token.text)
        if names and len(names) == 1 and token.i not in taken and token.lower_ not in lower:
            found.append(Organisation(names[0], "", token.i, token.i + 1))
    return found


def _names(name: str, is_company: bool, companies: set[str], full: set[str]) -> list[str]:
    longer = _longer_form(name, full)
    if longer:
        return [longer]
    if is_company and " and " in name:
        parts = [_longer_form(p, full) or p for p in name.split(" and ")]
        if all(p in companies for p in parts):
            return parts
    return [name] if is_company else []


def _longer_form(name: str, full: set[str]) -> str | None:
    """The one designated company name that ``name``'s words begin, if exactly one."""
    words = name.split()
    found = [f for f in full if f != name and f.split()[: len(words)] == words]
    return found[0] if len(found) == 1 else None
