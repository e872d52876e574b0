"""Stance scoring: the replaceable sentence scorer, labels, and pair/document tallies."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from spacy.tokens import Span

from annotate.errors import ConfigError

COLLABORATION, COMPETITION, MIXED, NEUTRAL = "collaboration", "competition", "mixed", "neutral"


class Scores(NamedTuple):
    """Collaboration and competition scores, each in [0, 1]."""

    collaboration: float
    competition: float


@dataclass
class Cue:
    """A lexicon cue in a sentence, its modifiers, the organisations it connects, its effect."""

    text: str
    start: int
    end: int
    polarity: str
    weight: float
    effect: Scores  # what it counts for each side, after negation and hedging
    negated_by: str | None = None
    hedged_by: str | None = None
    trend: str | None = None  # set by a change negator: the direction away from the cue
    targets: list[str] = field(default_factory=list)  # canonical organisation names
    root: int = -1  # token index of the cue's head in the parse
    governors: frozenset[int] = frozenset()  # token indices of its heads up to its clause head

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "polarity": self.polarity,
            "weight": self.weight,
        }
        if self.negated_by:
            out["negated_by"] = self.negated_by
        if self.hedged_by:
            out["hedged_by"] = self.hedged_by
        out["targets"] = self.targets
        return out


@dataclass
class SentenceEvidence:
    """What a scorer sees of one sentence: the parse span, its cues and target organisations."""

    span: Span
    cues: list[Cue]
    targets: list[str]


class Scorer(Protocol):
    """Anything with ``score_sentence``; a class named by the ``scorer`` setting is built with
    the annotator's config."""

    def score_sentence(self, sentence: SentenceEvidence) -> Scores: ...


class LexiconScorer:
    """The default scorer: a noisy-or of the cues' effects on each side."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def score_sentence(self, sentence: SentenceEvidence) -> Scores:
        return noisy_or(sentence.cues)


def noisy_or(cues: list[Cue]) -> Scores:
    """Each side's chance that at least one cue holds, taking each cue's effect as its own."""
    collaboration = competition = 0.0
    for cue in cues:
        collaboration = 1 - (1 - collaboration) * (1 - cue.effect.collaboration)
        competition = 1 - (1 - competition) * (1 - cue.effect.competition)
    return Scores(collaboration, competition)


def subordinate_cues(cues: list[Cue], config: Mapping[str, Any]) -> None:
    """Scale down (by ``weak_cues.factor``) a cue governed by a cue of the other side in its
    clause ("battling X for restaurant partners"), and a weak cue in a sentence with a strong
    cue of the other side ("won customers by undercutting a rival")."""
    settings = config["weak_cues"]
    strong = {c.polarity for c in cues if c.weight >= settings["strong_from"] and not c.negated_by}
    for cue in cues:
        if cue.polarity == MIXED:
            continue
        other = COMPETITION if cue.polarity == COLLABORATION else COLLABORATION
        governed = any(c.polarity == other and c.root in cue.governors for c in cues)
        if governed or (cue.weight < settings["weak_below"] and other in strong):
            cue.effect = Scores(*(e * settings["factor"] for e in cue.effect))


def load_scorer(config: Mapping[str, Any]) -> Scorer:
    """The scorer the ``scorer`` setting names ("package.module:Class"), else the lexicon one."""
    spec = config.get("scorer")
    if not spec:
        return LexiconScorer(config)
    module_name, _, class_name = str(spec).partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ConfigError(
            f"annotators.stance.scorer: cannot import '{spec}' ({error}). Give an importable "
            "'package.module:Class' whose instances have score_sentence(), or null."
        ) from None
    return cls(config)


def label_for(scores: Scores, min_score: float, mixed_share: float) -> str:
    """Neutral below ``min_score``; mixed when the weaker side has ``mixed_share`` of both."""
    strong = max(scores)
    if strong < min_score:
        return NEUTRAL
    if min(scores) >= mixed_share * sum(scores):
        return MIXED
    return COLLABORATION if scores.collaboration >= scores.competition else COMPETITION


def cue_effect(
    polarity: str, weight: float, negated: str | None, hedged: bool, config: Mapping[str, Any]
) -> Scores:
    """What one cue counts for each side, after hedging and negation: ``negated`` is None,
    "negated" (counts nothing) or "ended" (counts ``negation_flip`` for the other side)."""
    if hedged:
        weight *= config["hedge_factor"]
    if polarity == MIXED:
        both = 0.0 if negated else weight
        return Scores(both, both)
    if negated:
        weight *= config["negation_flip"][polarity] if negated == "ended" else 0.0
        polarity = COMPETITION if polarity == COLLABORATION else COLLABORATION
    return Scores(weight, 0.0) if polarity == COLLABORATION else Scores(0.0, weight)


def vote(scores: Scores, min_score: float, mixed_share: float) -> Scores:
    """What a sentence adds to its pairs and its document: its stronger score for the side its
    label names (both scores if mixed, nothing if neutral), so weak cues of the other side
    in a clear sentence do not leak into the totals."""
    label = label_for(scores, min_score, mixed_share)
    if label == COLLABORATION:
        return Scores(scores.collaboration, 0.0)
    if label == COMPETITION:
        return Scores(0.0, scores.competition)
    return scores if label == MIXED else Scores(0.0, 0.0)


@dataclass
class Tally:
    """Summed sentence votes of a pair (or the whole document), with evidence and trends."""

    collaboration: float = 0.0
    competition: float = 0.0
    evidence: list[list[int]] = field(default_factory=list)
    trends: list[str] = field(default_factory=list)

    def add(self, scores: Scores, span: list[int], trend: str | None) -> None:
        if not any(scores):
            return
        self.collaboration += scores.collaboration
        self.competition += scores.competition
        if span not in self.evidence:
            self.evidence.append(span)
            if trend:
                self.trends.append(trend)

    def result(self, labels: Mapping[str, Any], level: str) -> dict[str, Any]:
        """Label and scores: each side's sum over (both sums + ``prior``)."""
        totals = Scores(self.collaboration, self.competition)
        denominator = sum(totals) + labels["prior"]
        return {
            "label": label_for(totals, **labels[level]),
            "collaboration": round(totals.collaboration / denominator, 3),
            "competition": round(totals.competition / denominator, 3),
        }

    def trend(self) -> str | None:
        return dominant_trend(self.trends)


def dominant_trend(trends: list[str]) -> str | None:
    """The most frequent directional trend (a tie is "changing"), else "changing" if any."""
    directional = [t for t in trends if t != "changing"]
    if directional:
        counts = {t: directional.count(t) for t in directional}
        best = max(counts.values())
        leaders = [t for t, n in counts.items() if n == best]
        return leaders[0] if len(leaders) == 1 else "changing"
    return "changing" if trends else None
