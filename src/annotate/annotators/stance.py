"""Stance: do a sentence, a pair of organisations and the document speak of collaboration or
competition (or both, or neither)? With the evidence.

Cues from the lexicon (stance.yaml) are matched on lemmas; the dependency parse decides which
negations and hedges apply to a cue and which organisations (``entities`` of a target label)
it connects: those in the cue's clause, with a light coreference for "the company", "they",
"both organizations". A replaceable scorer turns a sentence's cues into two scores; sentences
sum into pairs and the document. See docs/layers/stance.md for the output contract.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import combinations
from typing import TYPE_CHECKING, Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators.stance_cues import (
    ANAPHOR,
    CHANGE,
    CUE,
    HEDGE,
    IGNORE,
    OPPONENT,
    POSSESSIVE,
    RELATIONAL,
    SOURCE,
    TERMINATOR,
    TREND,
    Lexicon,
    Match,
)
from annotate.annotators.stance_scorer import (
    COLLABORATION,
    COMPETITION,
    Cue,
    Scores,
    SentenceEvidence,
    Tally,
    cue_effect,
    dominant_trend,
    label_for,
    load_scorer,
    noisy_or,
    subordinate_cues,
    vote,
)
from annotate.annotators.stance_syntax import CCOMP, PRECONJ, Parse
from annotate.annotators.stance_targets import Organisation
from annotate.annotators.stance_targets import organisations as find_organisations
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("stance.yaml").read_text())
# How many sentences back the light coreference looks for organisations.
COREFERENCE_WINDOW = 3
_PLURAL = re.compile(r"\b(?:they|them|both|two|pair|duo|companies|firms|partners|rivals)\b")
_AWAY = {COLLABORATION: "toward_competition", COMPETITION: "toward_collaboration"}
_TOWARD = {COLLABORATION: "toward_collaboration", COMPETITION: "toward_competition"}


@dataclass
class Context:
    """What a sentence's cues may refer to: its organisations, those of the sentences before
    (``window``, in text order) and the pairs found so far; the last two are looked at only
    for an anaphor."""

    organisations: list[Organisation]
    window: list[list[Organisation]]
    pairs: Mapping[tuple[str, str], Tally]

    def earlier(self) -> list[Organisation]:
        """The organisations of the sentences before, nearest first."""
        return [o for s in reversed(self.window) for o in s]

    def salient(self) -> list[tuple[str, str]]:
        """The pairs found so far, most evidence first."""
        pairs = self.pairs
        return sorted(pairs, key=lambda p: (-len(pairs[p].evidence), p))


class Stance(Annotator):
    """Collaboration / competition / mixed / neutral, per sentence, organisation pair, document."""

    name = "stance"
    version = "0.2.0"
    assigns = ("stance",)
    requires = ("entities",)
    spacy_components = ("parser", "lemmatizer")
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.scorer = load_scorer(config)
        self.labels = config["labels"]
        self.target_labels = frozenset(config["target_labels"])
        self.speech_verbs = frozenset(config["speech_verbs"])
        self.not_parties = frozenset(w.lower() for w in config["not_parties"])
        self.lexicon: Lexicon | None = None

    def setup(self, nlp: Language | None) -> None:
        if nlp is None:
            raise RuntimeError("the stance annotator needs a spaCy pipeline with a parser")
        self.lexicon = Lexicon(
            self.config, lambda word: [t.text for t in nlp.tokenizer(word)], nlp.vocab
        )

    def annotate(self, doc: Document) -> list[Annotation]:
        parsed = doc.spacy
        parse = Parse(parsed, doc.text)
        sentences = list(parsed.sents)
        organisations, in_entity = find_organisations(
            parse, doc.layer("entities"), sentences, self.target_labels, self.not_parties
        )
        document: Tally = Tally()
        pairs: dict[tuple[str, str], Tally] = defaultdict(Tally)
        annotations = []
        for index, (sent, matches) in enumerate(
            zip(sentences, self.lexicon.find_all(parse, sentences), strict=True)
        ):
            cue_matches = [
                m
                for m in matches
                if m.pattern.kind == CUE
                and m.pattern.value != IGNORE
                and in_entity.isdisjoint(range(m.start, m.end))
            ]
            if not cue_matches:
                continue
            window = organisations[max(0, index - COREFERENCE_WINDOW) : index]
            context = Context(organisations[index], window, pairs)
            cues, mentions = [], {}
            for m in cue_matches:
                cue, used = self._cue(parse, m, matches, context)
                cues.append(cue)
                mentions.update({o.id: o for o in used if o.id})
            subordinate_cues(cues, self.config)
            targets = sorted({name for c in cues for name in c.targets})
            scores = self.scorer.score_sentence(SentenceEvidence(sent, cues, targets))
            label = label_for(scores, **self.labels["sentence"])
            trend = self._trend(matches, cues, label)
            span = [sent.start_char, sent.end_char]
            document.add(vote(scores, **self.labels["sentence"]), span, trend)
            for pair, share in _pair_scores(cues, scores, targets).items():
                pairs[pair].add(vote(share, **self.labels["sentence"]), span, trend)
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
                {
                    "orgs": list(pair),
                    **tally.result(self.labels, "pair"),
                    "trend": tally.trend(),
                    "evidence": tally.evidence,
                }
                for pair, tally in sorted(pairs.items())
                if tally.evidence
            ],
        }
        return annotations

    def _cue(
        self, parse: Parse, match: Match, matches: list[Match], context: Context
    ) -> tuple[Cue, list[Organisation]]:
        """A cue with its negation, hedge and the organisations it connects."""
        root = parse.root(match)
        path = parse.governing_path(root)
        above = parse.ancestors_and_self(root)
        negated_by, trend = None, None
        for m in matches:
            if (
                not (m.end <= match.start or match.end <= m.start)
                or not parse.negates(m.pattern.kind, parse.root(m), root, path)
                or parse.negated_negator(m, matches)
            ):
                continue
            negated_by = parse.text(m.start, m.end)
            if m.pattern.kind in (CHANGE, TERMINATOR):
                trend = _AWAY.get(match.pattern.value)
            break
        hedged_by = next(
            (
                parse.text(m.start, m.end)
                for m in matches
                if m.pattern.kind == HEDGE
                and (parse.root(m) in above or parse.head[parse.root(m)] in above)
            ),
            None,
        )
        polarity, weight = match.pattern.value, match.pattern.weight
        used = self._targets(parse, root, matches, context, opponents=polarity == COLLABORATION)
        start, end = parse.char_span(match.start, match.end)
        cue = Cue(
            text=parse.text(match.start, match.end),
            start=start,
            end=end,
            polarity=polarity,
            weight=weight,
            effect=cue_effect(
                polarity,
                weight,
                "ended" if trend else negated_by and "negated",
                bool(hedged_by),
                self.config,
            ),
            negated_by=negated_by,
            hedged_by=hedged_by,
            trend=trend,
            targets=sorted({o.name for o in used}),
            root=root,
            governors=frozenset(parse.governors(root)),
        )
        return cue, used

    def _targets(
        self, parse: Parse, root: int, matches: list[Match], context: Context, opponents: bool
    ) -> list[Organisation]:
        """Organisations in the cue's clause (or its implied subject), not quoted as sources
        (nor, with ``opponents``, named as one: "an alliance against X"); fewer than two: the
        speaking company ("X said the deal ..."), then an anaphor's referents fill in."""
        organisations = context.organisations
        head = parse.clause_head(root)
        implied = parse.inherited_subjects(head)
        speaker = self._speaker(parse, head)
        excluded = (SOURCE, OPPONENT) if opponents else (SOURCE,)
        sources = {i for m in matches if m.pattern.kind in excluded for i in range(m.start, m.end)}
        used = []
        for org in organisations:
            token = org.start
            # "told Reuters", not what was told
            marked = parse.ancestors_and_self(token) & sources if sources else ()
            if (
                parse.in_clause(token, head) or not implied.isdisjoint(range(org.start, org.end))
            ) and not any(parse.in_clause(token, i) for i in marked):
                used.append(org)
        names = {o.name for o in used}
        if len(names) < 2 and speaker is not None:
            # the speaker's subject with its modifiers: "X chief executive Z", "Z, head of X"
            subjects = parse.subjects(speaker)
            for org in organisations:
                if subjects.intersection(range(org.start, org.end)) and org.name not in names:
                    names.add(org.name)
                    used.append(org)
        anaphors = [
            m
            for m in matches
            if m.pattern.kind in (ANAPHOR, POSSESSIVE, RELATIONAL)
            and parse.in_clause(parse.root(m), head)
            and parse.dep[parse.root(m)] != PRECONJ
        ]
        if len(names) >= 2 or not anaphors:
            return used
        kinds = {m.pattern.kind for m in anaphors}
        if RELATIONAL in kinds:  # "the partnership": the pair with most evidence so far
            pair = next((p for p in context.salient() if names <= set(p)), ())
            return used + [Organisation(n, "", -1, -1) for n in pair if n not in names]
        before = [o for o in organisations if o.start < anaphors[0].start]
        if names or ANAPHOR in kinds:
            before += context.earlier()
        # "the companies", "both", "the two" stand for two organisations besides those named
        # ("the companies signed an agreement with X"); other anaphors fill the pair
        plural = ANAPHOR in kinds and any(
            _PLURAL.search(parse.text(m.start, m.end).lower())
            for m in anaphors
            if m.pattern.kind == ANAPHOR
        )
        wanted = len(names) + 2 if plural else 2
        for org in before:
            if len(names) >= wanted:
                break
            if org.name not in names:
                names.add(org.name)
                used.append(org)
        return used

    def _speaker(self, parse: Parse, head: int) -> int | None:
        """The speech verb a clause is reported by, up to three complement clauses up ("X said
        that it expected the deal …", "X said: 'We remain confident that this merger …'")."""
        for _ in range(3):
            if parse.dep[head] != CCOMP:
                return None
            head = parse.clause_head(parse.head[head])
            if parse.lemma(head) in self.speech_verbs:
                return head
        return None

    def _trend(self, matches: list[Match], cues: list[Cue], label: str) -> str | None:
        """The sentence's trend: its trend phrases ("follow" takes the sentence's own stance)
        and change negations ("no longer", "ended")."""
        directions = [c.trend for c in cues if c.trend]
        for m in matches:
            if m.pattern.kind == TREND:
                value = m.pattern.value
                directions.append(_TOWARD.get(label, "changing") if value == "follow" else value)
        return dominant_trend(directions)


def _pair_scores(
    cues: list[Cue], scores: Scores, targets: list[str]
) -> dict[tuple[str, str], Scores]:
    """Each organisation pair's scores in a sentence: each side's sentence score scaled by how
    much of the cues' effect comes from cues connecting the pair (for the lexicon scorer, the
    noisy-or of those cues). A score no cue explains (another scorer's) goes to every pair."""
    if len(targets) < 2:
        return {}
    every = noisy_or(cues)
    result = {}
    # (``targets`` is sorted and holds every cue's, each sorted itself: its pairs are all there)
    for pair in combinations(targets, 2):
        own = noisy_or([c for c in cues if set(pair) <= set(c.targets)])
        result[pair] = Scores(
            *(scores[side] * (own[side] / every[side] if every[side] else 1.0) for side in (0, 1))
        )
    return result


@hookimpl
def register_annotators(register) -> None:
    register(Stance)
