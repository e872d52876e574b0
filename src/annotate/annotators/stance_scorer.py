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

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end,
                               "polarity": self.polarity, "weight": self.weight}
        if self.negated_by:
            out["negated_by"] = self.negated_by
        if self.hedged_by:
            out["hedged_by"] = self.hedged_by
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
        collaboration = competition = 0.0
        for cue in sentence.cues:
            collaboration = 1 - (1 - collaboration) * (1 - cue.effect.collaboration)
            competition = 1 - (1 - competition) * (1 - cue.effect.competition)
        return Scores(collaboration, competition)


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


def cue_effect(polarity: str, weight: float, negated: bool, hedged: bool,
               config: Mapping[str, Any]) -> Scores:
    """What one cue counts for each side, after hedging and negation (see stance.yaml)."""
    if hedged:
        weight *= config["hedge_factor"]
    if polarity == MIXED:
        both = 0.0 if negated else weight
        return Scores(both, both)
    if negated:
        weight *= config["negation_flip"][polarity]
        polarity = COMPETITION if polarity == COLLABORATION else COLLABORATION
    return Scores(weight, 0.0) if polarity == COLLABORATION else Scores(0.0, weight)


@dataclass
class Tally:
    """Summed sentence scores of a pair (or the whole document), with evidence and trends."""

    collaboration: float = 0.0
    competition: float = 0.0
    evidence: list[list[int]] = field(default_factory=list)
    trends: list[str] = field(default_factory=list)

    def add(self, scores: Scores, span: list[int], trend: str | None) -> None:
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
        """The most frequent directional trend, else "changing" if any trend was seen."""
        directional = [t for t in self.trends if t != "changing"]
        if directional:
            counts = {t: directional.count(t) for t in directional}
            best = max(counts.values())
            leaders = [t for t, n in counts.items() if n == best]
            return leaders[0] if len(leaders) == 1 else "changing"
        return "changing" if self.trends else None
