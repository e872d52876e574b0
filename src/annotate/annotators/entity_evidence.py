"""What the words around a name say it is, and the one label a name gets from that evidence.

Each cue is a named regular expression over the text just before or just after a mention
(see ``evidence`` in entities.yaml); a cue names the kind it argues for: an organisation
("rival X", "X's shares", "an analyst at X"), a person ("Mr. X", "chief executive X") or a
place ("X-based", "based in X"). ``decide`` turns a name's model labels and cues into a label.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotate.annotators.textscan import Scanner, ScanSet, matches_at, prefixes

ORG, PERSON, PLACE, PRODUCT = "ORG", "PERSON", "GPE", "PRODUCT"
KINDS = {"org": ORG, "person": PERSON, "place": PLACE, "product": PRODUCT}
# How far around a mention the cues look, in characters.
WINDOW = 50
# Labels the model gives places and groups: a context cue alone does not turn a known territory
# or a nationality into a company ("German shares", "Germany said in a statement").
_PLACE_LIKE = frozenset({"GPE", "LOC", "NORP", "FAC"})
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+|\n")
# Cues about the name itself rather than its context: they hold for every mention.
NAME_CUES = frozenset({"designator", "known", "name-word"})


@dataclass(frozen=True)
class Cue:
    name: str
    kind: str  # ORG, PERSON or GPE


class ContextCues:
    """The compiled ``evidence`` setting: one pattern for the cues before a mention (ending
    where it starts) and one for those after it (from its end); the first cue that holds wins.
    ``{org_nouns}`` and ``{org_roles}`` in a pattern stand for those word lists."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        words = {
            "{org_nouns}": "|".join(re.escape(n) for n in config["org_nouns"]),
            "{org_roles}": "|".join(
                re.escape(r) for r in sorted(config["org_roles"], key=len, reverse=True)
            ),
        }
        cues: dict[str, list[tuple[Cue, str]]] = {"before": [], "after": []}
        for kind, sides in config["evidence"].items():
            for side, patterns in sides.items():
                cues[side] += [
                    (Cue(name, KINDS[kind]), _fill(p, words)) for name, p in patterns.items()
                ]
        self.cues = {side: [cue for cue, _ in found] for side, found in cues.items()}
        # Every before-cue starts a word: the lookaround fails fast everywhere else.
        self.before = _union(cues["before"], prefix=r"(?<!\w)(?=\w)")
        self.after = _union(cues["after"])
        self.before_scan = ScanSet([Scanner(self.before)])  # tried where cues begin
        keys = self.before_scan.scanners[0].keys
        self.before_by_key = _by_key(cues["before"], r"(?<!\w)(?=\w)", keys)

    def ends_of_before_cues(self, text: str) -> dict[int, Cue]:
        """Where in ``text`` a before-cue ends (where a mention after it would start): one scan
        of the text rather than one search for each mention."""
        cues = self.cues["before"]
        return {m.end(): cues[int(m.lastgroup[1:])] for m in self._before_matches(text)}

    def _before_matches(self, text: str) -> Iterable[re.Match[str]]:
        """The matches of ``self.before.finditer(text)`` at the places ``before_scan`` gives,
        trying there only the cues that can begin with the text's first characters where they
        are ASCII (``before_by_key``): the first of those to match is the first of all."""
        by_key = self.before_by_key
        if by_key is None:
            return self.before_scan.finditers(text)[0]
        size = len(next(iter(by_key)))
        starts = self.before_scan.starts(text)[0]
        union = self.before.match

        def match_at(at: int) -> re.Match[str] | None:
            first = text[at : at + size]
            pattern = by_key.get(first.lower()) if first.isascii() else None
            return pattern.match(text, at) if pattern is not None else union(text, at)

        return matches_at(starts, match_at, lambda: self.before.finditer(text))

    def around(self, text: str, start: int, end: int, before: dict[int, Cue]) -> list[Cue]:
        """The cues that hold for the mention at ``text[start:end]``; ``before`` is
        ``ends_of_before_cues(text)``."""
        found = [before[start]] if start in before else []
        if match := self.after.match(text, end, end + WINDOW):
            found.append(self.cues["after"][int(match.lastgroup[1:])])
        return found


class CompanyAnaphors:
    """ "The company", "the firm"… opening a sentence: they refer back to the first name of the
    sentence before (the ``company_anaphors`` setting)."""

    def __init__(self, nouns: list[str]) -> None:
        alternation = "|".join(re.escape(n) for n in nouns)
        self.pattern = re.compile(
            rf"(?:^|(?<=[.!?]\s)|(?<=[.!?][\"”’]\s))The\s+(?:{alternation})\b", re.MULTILINE
        )
        # The same without what comes before "The": re finds its literal start fast, and
        # ``pattern`` is then tried only there (no two of these overlap: none holds "The"
        # after its start).
        self.candidates = re.compile(rf"The\s+(?:{alternation})\b")

    def referred_to(self, text: str, starts: list[int]) -> set[int]:
        """Of the mention ``starts`` (sorted), those that such a sentence refers back to."""
        found = set()
        for candidate in self.candidates.finditer(text):
            match = self.pattern.match(text, candidate.start())
            if match is None:
                continue
            window = max(0, match.start() - 400)
            ends = [e.end() for e in _SENTENCE_END.finditer(text, window, match.start())]
            sentence = ends[-2] if len(ends) > 1 else window
            first = bisect_left(starts, sentence)
            if first < len(starts) and starts[first] < match.start():
                found.add(starts[first])
        return found


def _fill(pattern: str, words: Mapping[str, str]) -> str:
    for placeholder, alternation in words.items():
        pattern = pattern.replace(placeholder, alternation)
    return pattern


def _union(
    cues: list[tuple[Cue, str]], prefix: str = "", only: Iterable[int] | None = None
) -> re.Pattern[str]:
    """One pattern for ``cues`` (or the cues numbered ``only``), each its own group ``c<i>``."""
    numbers = range(len(cues)) if only is None else only
    alternatives = "|".join(f"(?P<c{i}>{cues[i][1]})" for i in numbers)
    return re.compile(f"{prefix}(?:{alternatives})")


def _by_key(
    cues: list[tuple[Cue, str]], prefix: str, keys: frozenset[str] | None
) -> dict[str, re.Pattern[str]] | None:
    """For each of a union's scanner ``keys`` (the first characters of a place where it is
    tried), the union of only those cues whose matches can begin with them; None where a cue's
    beginnings are not known (textscan.prefixes)."""
    if keys is None:
        return None
    starts = [prefixes(re.compile(prefix + pattern)) for _, pattern in cues]
    if any(s is None for s in starts):
        return None
    unions: dict[tuple[int, ...], re.Pattern[str]] = {}
    by_key = {}
    for key in sorted(keys):
        only = tuple(
            i
            for i, found in enumerate(starts)
            if any(key[: len(s)] == s[: len(key)] for s in found)
        )
        if only not in unions:
            unions[only] = _union(cues, prefix, only)
        by_key[key] = unions[only]
    return by_key


@dataclass
class Evidence:
    """Everything known about one name: the model's labels and the cues, by kind."""

    model: dict[str, int] = field(default_factory=dict)  # label -> times the model gave it
    # Cue name -> times, by kind (plain dicts: a document has thousands of these to make).
    cues: dict[str, dict[str, int]] = field(
        default_factory=lambda: {ORG: {}, PERSON: {}, PLACE: {}, PRODUCT: {}}
    )

    typed: str | None = None  # a label given by the name's last word ("Act": LAW)

    def add(self, kind: str, name: str, times: int = 1) -> None:
        cues = self.cues[kind]
        cues[name] = cues.get(name, 0) + times

    def reasons(self, label: str) -> list[str]:
        if label == self.typed:
            return ["name-word"]
        kind = label if label in (ORG, PERSON, PRODUCT) else PLACE if label in _PLACE_LIKE else None
        names = sorted(self.cues[kind]) if kind else []
        return names or ["model"]


@functools.lru_cache(maxsize=64)
def _with_name_cues(strong: frozenset[str]) -> frozenset[str]:
    return strong | NAME_CUES


def decide(evidence: Evidence, protected: bool, strong: frozenset[str]) -> str:
    """The label of a name from its evidence.

    With cues of one kind only, that kind wins; a ``protected`` name (a known territory, a
    nationality, a person's full name) turns into an organisation only on ``strong`` cues or
    cues about the name itself (a designator, a known organisation, an organisation word such
    as "Systems"). With cues of several kinds, the kind with the most wins, those cues
    counting three. With none, the model's majority label, ORG votes weighing 1.5 (the small
    model under-calls new companies).
    """
    model = evidence.model
    if len(model) == 1:
        majority = next(iter(model))
    elif model:
        majority = max(
            model,
            key=lambda label: (model[label] * (1.5 if label == ORG else 1.0), label == ORG, label),
        )
    else:
        majority = ORG
    strong = _with_name_cues(strong)
    weights = {}
    for kind, cues in evidence.cues.items():
        weight = 0
        for name, n in cues.items():  # (plain loops: most kinds have no cue, none many)
            weight += n * 3 if name in strong else n
        weights[kind] = weight
    if protected and strong.isdisjoint(evidence.cues[ORG]):
        weights[ORG] = 0
    most = max(weights.values())
    if not most:
        return majority  # no cue (every weight would be 0), or only those ``protected`` voids
    # (the most weight; ORG where it ties)
    best = ORG if weights[ORG] == most else next(k for k, w in weights.items() if w == most)
    if best == PLACE:  # keep the model's finer place label (LOC, FAC), not NORP for a country
        if "territory" in evidence.cues[PLACE]:
            return majority if majority == "LOC" else PLACE
        return majority if majority in _PLACE_LIKE else PLACE
    return best
