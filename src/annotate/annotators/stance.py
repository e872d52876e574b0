"""Stance: do a sentence, a pair of organisations and the document speak of collaboration or
competition (or both, or neither)? With the evidence.

Cues from the lexicon (stance.yaml) are matched on lemmas; the dependency parse decides which
negations and hedges apply to a cue and which organisations (``entities`` of a target label)
it connects: those in the cue's clause, with a light coreference for "the company", "they",
"both organizations". A replaceable scorer turns a sentence's cues into two scores; sentences
sum into pairs and the document. See docs/layers/stance.md for the output contract.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import combinations
from typing import TYPE_CHECKING, Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators.stance_cues import (
    ANAPHOR, CHANGE, CUE, DENIAL, HEDGE, PARTICLE, SOURCE, TERMINATOR, TREND, Lexicon, Match,
)
from annotate.annotators.stance_scorer import (
    COLLABORATION, COMPETITION, Cue, Scores, SentenceEvidence, Tally, cue_effect,
    dominant_trend, label_for, load_scorer,
)
from annotate.annotators.stance_syntax import (
    SUBJECTS, ancestors_and_self, clause_head, governing_path, in_clause, inherited_subjects,
)
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("stance.yaml").read_text())
# How many sentences back the light coreference looks for organisations.
COREFERENCE_WINDOW = 2
_AWAY = {COLLABORATION: "toward_competition", COMPETITION: "toward_collaboration"}
_TOWARD = {COLLABORATION: "toward_collaboration", COMPETITION: "toward_competition"}


@dataclass(frozen=True)
class Organisation:
    """One mention of a target organisation: canonical name, entity id, token range."""

    name: str
    id: str
    start: int
    end: int


class Stance(Annotator):
    """Collaboration / competition / mixed / neutral, per sentence, organisation pair, document."""

    name = "stance"
    version = "0.1.0"
    assigns = ("stance",)
    requires = ("entities",)
    spacy_components = ("parser", "lemmatizer")
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.scorer = load_scorer(config)
        self.labels = config["labels"]
        self.target_labels = frozenset(config["target_labels"])
        self.lexicon: Lexicon | None = None

    def setup(self, nlp: Language | None) -> None:
        if nlp is None:
            raise RuntimeError("the stance annotator needs a spaCy pipeline with a parser")
        self.lexicon = Lexicon(self.config, lambda word: [t.text for t in nlp.tokenizer(word)])

    def annotate(self, doc: Document) -> list[Annotation]:
        parsed = doc.spacy
        sentences = list(parsed.sents)
        organisations, in_entity = self._organisations(doc, sentences)
        document: Tally = Tally()
        pairs: dict[tuple[str, str], Tally] = defaultdict(Tally)
        annotations = []
        for index, sent in enumerate(sentences):
            matches = self.lexicon.find(sent)
            cue_matches = [m for m in matches if m.pattern.kind == CUE
                           and not in_entity.intersection(range(m.start, m.end))]
            if not cue_matches:
                continue
            earlier = [o for s in organisations[max(0, index - COREFERENCE_WINDOW) : index]
                       for o in s]
            cues, mentions = [], {}
            for m in cue_matches:
                cue, used = self._cue(parsed, m, matches, organisations[index], earlier)
                cues.append(cue)
                mentions.update({o.id: o for o in used})
            targets = sorted({o.name for o in mentions.values()})
            scores = self.scorer.score_sentence(SentenceEvidence(sent, cues, targets))
            label = label_for(scores, **self.labels["sentence"])
            trend = self._trend(matches, cues, label)
            span = [sent.start_char, sent.end_char]
            document.add(scores, span, trend)
            for pair, share in _pair_shares(cues, scores, targets).items():
                pairs[pair].add(share, span, trend)
            attrs: dict[str, Any] = {
                "collaboration": round(scores.collaboration, 3),
                "competition": round(scores.competition, 3),
                "targets": targets,
                "target_ids": sorted(mentions, key=lambda i: mentions[i].start),
                "cues": [c.to_json() for c in cues],
                "negated": any(c.negated_by for c in cues),
                "hedged": any(c.hedged_by for c in cues),
            }
            if trend:
                attrs["trend"] = trend
            annotations.append(Annotation("stance", *span, label, attrs))
        doc.document["stance"] = {
            **document.result(self.labels, "document"),
            "pairs": [
                {"orgs": list(pair), **tally.result(self.labels, "pair"),
                 "trend": tally.trend(), "evidence": tally.evidence}
                for pair, tally in sorted(pairs.items())
            ],
        }
        return annotations

    def _organisations(self, doc: Document, sentences: list[Span]
                       ) -> tuple[list[list[Organisation]], set[int]]:
        """Target organisations per sentence, and the tokens inside any entity."""
        per_sentence: list[list[Organisation]] = [[] for _ in sentences]
        starts = [s.start for s in sentences]
        in_entity: set[int] = set()
        for entity in doc.layer("entities"):
            span = doc.spacy.char_span(entity.start, entity.end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            in_entity.update(range(span.start, span.end))
            name = entity.attrs.get("canonical")
            if entity.label in self.target_labels and name:
                index = _sentence_of(starts, span.start)
                per_sentence[index].append(Organisation(name, entity.id, span.start, span.end))
        return per_sentence, in_entity

    def _cue(self, parsed: Doc, match: Match, matches: list[Match],
             organisations: list[Organisation], earlier: list[Organisation]
             ) -> tuple[Cue, list[Organisation]]:
        """A cue with its negation, hedge and the organisations it connects."""
        root = match.root(parsed)
        path = governing_path(root)
        on_path = {t.i for t in path}
        above = ancestors_and_self(root)
        negated_by, trend = None, None
        for m in matches:
            kind, head = m.pattern.kind, m.root(parsed)
            if m.start < match.end and match.start < m.end:
                continue
            if kind in (PARTICLE, CHANGE) and _attached(head, on_path):
                negated_by = parsed[m.start : m.end].text
            elif kind in (TERMINATOR, DENIAL) and (
                head.i in on_path - {root.i}
                or (path[-1].dep_ in SUBJECTS and path[-1].head.i == head.i)
            ):
                negated_by = parsed[m.start : m.end].text
            else:
                continue
            trend = _AWAY.get(match.pattern.value) if kind in (CHANGE, TERMINATOR) else None
            break
        hedged_by = next((parsed[m.start : m.end].text for m in matches
                          if m.pattern.kind == HEDGE and (m.root(parsed).i in above
                                                          or m.root(parsed).head.i in above)),
                         None)
        polarity, weight = match.pattern.value, match.pattern.weight
        used = self._targets(parsed, root, matches, organisations, earlier)
        cue = Cue(
            text=parsed[match.start : match.end].text,
            start=parsed[match.start].idx,
            end=parsed[match.end - 1].idx + len(parsed[match.end - 1]),
            polarity=polarity, weight=weight,
            effect=cue_effect(polarity, weight, bool(negated_by), bool(hedged_by), self.config),
            negated_by=negated_by, hedged_by=hedged_by, trend=trend,
            targets=sorted({o.name for o in used}),
        )
        return cue, used

    def _targets(self, parsed: Doc, root: Any, matches: list[Match],
                 organisations: list[Organisation], earlier: list[Organisation]
                 ) -> list[Organisation]:
        """Organisations in the cue's clause (or its implied subject), not quoted as sources;
        fewer than two and an anaphor in the clause: earlier organisations fill in."""
        head = clause_head(root)
        implied = {t.i for t in inherited_subjects(head)}
        sources = {i for m in matches if m.pattern.kind == SOURCE for i in range(m.start, m.end)}
        used = []
        for org in organisations:
            token = parsed[org.start]
            if (in_clause(token, head) or org.start in implied) and not (
                ancestors_and_self(token) & sources
            ):
                used.append(org)
        names = {o.name for o in used}
        anaphors = [m for m in matches if m.pattern.kind == ANAPHOR
                    and in_clause(m.root(parsed), head) and m.root(parsed).dep_ != "preconj"]
        if len(names) < 2 and anaphors:
            before = [o for o in organisations if o.start < anaphors[0].start]
            for org in [*before, *earlier]:
                if len(names) >= 2:
                    break
                if org.name not in names:
                    names.add(org.name)
                    used.append(org)
        return used

    def _trend(self, matches: list[Match], cues: list[Cue], label: str) -> str | None:
        """The sentence's trend: its trend phrases ("follow" takes the sentence's own stance)
        and change negations ("no longer", "ended")."""
        directions = [c.trend for c in cues if c.trend]
        for m in matches:
            if m.pattern.kind == TREND:
                value = m.pattern.value
                directions.append(_TOWARD.get(label, "changing") if value == "follow" else value)
        return dominant_trend(directions)


def _attached(negator: Any, path: set[int]) -> bool:
    """Does a negation word modify a token of the cue's governing path ("no longer" via its
    adverb)?"""
    return (negator.i in path or negator.head.i in path
            or (negator.head.dep_ in ("advmod", "neg") and negator.head.head.i in path))


def _sentence_of(starts: list[int], token: int) -> int:
    """Index of the sentence whose first token is the last one at or before ``token``."""
    from bisect import bisect_right

    return bisect_right(starts, token) - 1


def _pair_shares(cues: list[Cue], scores: Scores, targets: list[str]
                 ) -> dict[tuple[str, str], Scores]:
    """Each organisation pair's part of the sentence scores: each side's score split by the
    effect of the cues connecting the pair (a scorer's score no cue explains goes to all pairs)."""
    shares: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for side in (0, 1):
        if not scores[side]:
            continue
        total = sum(c.effect[side] for c in cues)
        if not total:
            for pair in combinations(targets, 2):
                shares[pair][side] += scores[side]
            continue
        for cue in cues:
            for pair in combinations(cue.targets, 2):
                shares[pair][side] += scores[side] * cue.effect[side] / total
    return {pair: Scores(*values) for pair, values in shares.items()}


@hookimpl
def register_annotators(register) -> None:
    register(Stance)
