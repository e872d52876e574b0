"""What the words around a name say it is, and the one label a name gets from that evidence.

Each cue is a named regular expression over the text just before or just after a mention
(see ``evidence`` in entities.yaml); a cue names the kind it argues for: an organisation
("rival X", "X's shares", "an analyst at X"), a person ("Mr. X", "chief executive X") or a
place ("X-based", "based in X"). ``decide`` turns a name's model labels and cues into a label.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from annotate.annotators.textscan import Places, Scanner

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
        self.before_scan = Scanner(self.before)  # tried only at the words cues begin with

    def ends_of_before_cues(self, text: str) -> dict[int, Cue]:
        """Where in ``text`` a before-cue ends (where a mention after it would start): one scan
        of the text rather than one search for each mention."""
        cues = self.cues["before"]
        return {
            m.end(): cues[int(m.lastgroup[1:])]
            for m in self.before_scan.finditer(text, Places(text))
        }

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


def _union(cues: list[tuple[Cue, str]], prefix: str = "") -> re.Pattern[str]:
    alternatives = "|".join(f"(?P<c{i}>{p})" for i, (_, p) in enumerate(cues))
    return re.compile(f"{prefix}(?:{alternatives})")


@dataclass
class Evidence:
    """Everything known about one name: the model's labels and the cues, by kind."""

    model: Counter[str] = field(default_factory=Counter)
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
    majority = (
        max(
            model,
            key=lambda label: (model[label] * (1.5 if label == ORG else 1.0), label == ORG, label),
        )
        if model
        else ORG
    )
    strong |= NAME_CUES
    weights = {}
    for kind, cues in evidence.cues.items():
        weights[kind] = sum(n * (3 if name in strong else 1) for name, n in cues.items())
    if protected and not (strong & set(evidence.cues[ORG])):
        weights[ORG] = 0
    if not any(weights.values()):
        return majority
    best = max(weights, key=lambda kind: (weights[kind], kind == ORG))
    if best == PLACE:  # keep the model's finer place label (LOC, FAC), not NORP for a country
        if "territory" in evidence.cues[PLACE]:
            return majority if majority == "LOC" else PLACE
        return majority if majority in _PLACE_LIKE else PLACE
    return best
