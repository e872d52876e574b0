"""The organisations stance can be about: entities of a target label, by canonical name.

The entities layer has already joined short forms, acronyms and possessives to their full
name (``attrs.canonical``) and marked news agencies (``attrs.role: source``); this module only
maps its mentions onto the parse and leaves out what is never a party.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from annotate.model import Annotation

# "Stuttgart-based": a place in an adjective, not a party.
_PLACE_ADJECTIVES = frozenset({"based", "headquartered"})


@dataclass(frozen=True)
class Organisation:
    """One mention of a target organisation: canonical name, entity id, token range."""

    name: str
    id: str
    start: int
    end: int


def organisations(
    doc: Doc,
    entities: Iterable[Annotation],
    sentences: list[Span],
    labels: frozenset[str],
    not_parties: frozenset[str],
) -> tuple[list[list[Organisation]], set[int]]:
    """Target organisations per sentence, and the tokens inside any name.

    Parties are entities of a label in ``labels`` with a canonical name, except news agencies
    (``role: source``), names whose head noun is one of ``not_parties`` ("U.S. District
    Court", "Office of Fair Trading", but not "Union Pacific") and
    names used as an adjective ("Stuttgart-based").
    """
    starts = [s.start for s in sentences]
    per_sentence: list[list[Organisation]] = [[] for _ in sentences]
    in_entity: set[int] = set()
    for entity in entities:
        span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
        name = entity.attrs.get("canonical")
        if span is None or not len(span) or not name:
            continue
        in_entity.update(range(span.start, span.end))
        if (
            entity.label not in labels
            or entity.attrs.get("role") == "source"
            or _head_noun(name) in not_parties
            or _adjective(doc, span)
        ):
            continue
        index = bisect_right(starts, span.start) - 1
        per_sentence[index].append(Organisation(name, entity.id, span.start, span.end))
    return per_sentence, in_entity


def _head_noun(name: str) -> str:
    """The noun a name is about: the word before "of", else its last word (lower case)."""
    words = name.split(" of ")[0].split()
    return words[-1].lower() if words else ""


def _adjective(doc: Doc, span: Span) -> bool:
    after = doc[span.end + 1] if span.end + 1 < len(doc) else None
    return (
        doc[span.end - 1].whitespace_ == ""
        and after is not None
        and (after.lower_ in _PLACE_ADJECTIVES)
    )
