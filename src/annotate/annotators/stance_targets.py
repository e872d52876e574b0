"""The organisations stance can be about: entities of a target label, by canonical name.

The entities layer has already joined short forms, acronyms and possessives to their full
name (``attrs.canonical``) and marked news agencies (``attrs.role: source``); this module only
maps its mentions onto the parse and leaves out what is never a party.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Span

from annotate.model import Annotation

if TYPE_CHECKING:
    from annotate.annotators.stance_syntax import Parse

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
    parse: Parse,
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
        start, end = _tokens(parse, entity.start, entity.end)
        attrs = entity.attrs
        name = attrs.get("canonical")
        if start >= end or not name:
            continue
        in_entity.update(range(start, end))
        if (
            entity.label not in labels
            or attrs.get("role") == "source"
            or _head_noun(name) in not_parties
            or _adjective(parse, end)
        ):
            continue
        index = bisect_right(starts, start) - 1
        per_sentence[index].append(Organisation(name, entity.id, start, end))
    return per_sentence, in_entity


def _tokens(parse: Parse, start_char: int, end_char: int) -> tuple[int, int]:
    """The tokens a character span covers at least partly (``Doc.char_span`` with
    ``alignment_mode="expand"``, without its Span); none: an empty range."""
    idx, length, space = parse.idx, parse.length, parse.space
    # The tokens whose text or trailing whitespace hold its first and its last character.
    start = bisect_right(idx, start_char) - 1
    last = bisect_right(idx, end_char - 1) - 1
    if (
        start < 0
        or last < 0
        or start_char >= idx[start] + length[start] + space[start]
        or end_char - 1 >= idx[last] + length[last] + space[last]
    ):
        return 0, 0
    if start_char == idx[start] + length[start]:  # in the whitespace after it
        start += 1
    return start, last + 1


@functools.lru_cache(maxsize=1024)
def _head_noun(name: str) -> str:
    """The noun a name is about: the word before "of", else its last word (lower case)."""
    words = name.split(" of ")[0].split()
    return words[-1].lower() if words else ""


def _adjective(parse: Parse, end: int) -> bool:
    return (
        not parse.space[end - 1]
        and end + 1 < len(parse.head)
        and parse.lower(end + 1) in _PLACE_ADJECTIVES
    )
