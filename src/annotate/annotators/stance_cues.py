"""The stance lexicon: phrase patterns matched on token lemmas (see stance.yaml for the syntax)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import LEMMA
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

GAP = None  # a "*" slot: 0 to MAX_GAP tokens, no punctuation
MAX_GAP = 4
# Kinds of phrase in the lexicon. "cue" patterns carry a polarity and a weight; the others a
# direction ("trend") or nothing.
CUE, PARTICLE, CHANGE, TERMINATOR, DENIAL, NOT_NEGATION = (
    "cue",
    "particle",
    "change",
    "terminator",
    "denial",
    "not_negation",
)
HEDGE, TREND, SOURCE, OPPONENT = "hedge", "trend", "source", "opponent"
ANAPHOR, POSSESSIVE, RELATIONAL = "anaphor", "possessive", "relational"
IGNORE = "ignore"  # the polarity of phrases that contain a cue but are none
NEGATORS = (PARTICLE, CHANGE, TERMINATOR, DENIAL, NOT_NEGATION)


@dataclass(frozen=True)
class Pattern:
    """One lexicon phrase: its slots (sets of accepted word forms, or GAP)."""

    kind: str
    text: str
    slots: tuple[frozenset[str] | None, ...]
    value: str = ""  # polarity of a cue, direction of a trend
    weight: float = 0.0


@dataclass(frozen=True)
class Match:
    """A pattern found at tokens ``start``..``end`` (document token indices, end exclusive)."""

    pattern: Pattern
    start: int
    end: int

    def root(self, doc: Doc) -> Token:
        """The match's syntactic head: its token whose head lies outside the match."""
        tokens = doc[self.start : self.end]
        return next(
            (t for t in tokens if not self.start <= t.head.i < self.end or t.head.i == t.i),
            tokens[0],
        )


def forms(token: Token) -> set[str]:
    """The keys a token matches a pattern word by: its lemma, its lower form, a naive singular."""
    lower = token.lower_
    keys = {lower, token.lemma_.lower()}
    if len(lower) > 3 and lower.endswith("s"):
        keys.add(lower[:-1])
    return keys


class _Forms:
    """forms() of a sentence's tokens, each worked out when a pattern first asks for it."""

    def __init__(self, sent: Span) -> None:
        self.sent = sent
        self.known: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return len(self.sent)

    def __getitem__(self, i: int) -> set[str]:
        if i not in self.known:
            self.known[i] = forms(self.sent[i])
        return self.known[i]


class Lexicon:
    """All phrases of the stance config, found by their first word with a spaCy PhraseMatcher.

    A token starts a phrase when one of its forms() is a word of the phrase's first slot.
    The matcher, built once, finds the lower forms (and plurals, whose naive singular is
    the word); lemmas are looked up once per distinct lemma, by hash. Only at those tokens
    is the rest of the phrase matched word by word (_match).
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        tokenize: Callable[[str], Iterable[str]],
        vocab: Vocab,
    ) -> None:
        self._tokenize = tokenize
        self._vocab = vocab
        patterns: list[Pattern] = []
        for polarity, cues in config["cues"].items():
            patterns += [self._pattern(CUE, text, polarity, float(w)) for text, w in cues.items()]
        negators = config["negators"]
        for kind, key in (
            (PARTICLE, "particles"),
            (CHANGE, "change_particles"),
            (TERMINATOR, "terminators"),
            (DENIAL, "denials"),
            (NOT_NEGATION, "not_negations"),
        ):
            patterns += [self._pattern(kind, text) for text in negators[key]]
        patterns += [self._pattern(HEDGE, text) for text in config["hedges"]]
        for direction, phrases in config["trends"].items():
            patterns += [self._pattern(TREND, text, direction) for text in phrases]
        patterns += [self._pattern(ANAPHOR, text) for text in config["anaphors"]]
        patterns += [self._pattern(POSSESSIVE, text) for text in config["possessive_anaphors"]]
        patterns += [self._pattern(RELATIONAL, text) for text in config["relational_anaphors"]]
        patterns += [self._pattern(SOURCE, text) for text in config["source_markers"]]
        patterns += [self._pattern(OPPONENT, text) for text in config["opponent_markers"]]
        self.by_first: dict[str, list[Pattern]] = defaultdict(list)
        # By first word, then by second word (None: a one-word phrase or a "*" next), so that
        # a common first word ("the") only tries the phrases the next token can continue.
        self.by_second: dict[str, dict[str | None, list[Pattern]]] = {}
        for p in patterns:
            for word in p.slots[0] or ():
                self.by_first[word].append(p)
                second = p.slots[1] if len(p.slots) > 1 else None
                for next_word in second or (None,):
                    self.by_second.setdefault(word, {}).setdefault(next_word, []).append(p)
        # The matcher's key for a word is the word itself; its phrases are its lower form and
        # its plural ("s" added to a word of 3+ letters, which forms() takes off again).
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        for word in self.by_first:
            phrases = [word, word + "s"] if len(word) >= 3 else [word]
            self.matcher.add(word, [Doc(vocab, words=[phrase]) for phrase in phrases])
        self._lemma_word: dict[int, str | None] = {}  # lemma hash: its lower form, if a word

    def _pattern(self, kind: str, text: str, value: str = "", weight: float = 0.0) -> Pattern:
        slots: list[frozenset[str] | None] = []
        for word in str(text).split():
            if word == "*":
                slots.append(GAP)
            elif "|" in word:
                slots.append(frozenset(w.lower() for w in word.split("|")))
            else:
                slots += [frozenset([piece.lower()]) for piece in self._tokenize(word)]
        if not slots or slots[0] is GAP or slots[-1] is GAP:
            raise ValueError(f"stance lexicon: '{text}' must start and end with a word")
        return Pattern(kind, str(text), tuple(slots), value, weight)

    def find(self, sent: Span) -> list[Match]:
        """Every phrase in ``sent``; overlapping cues resolved longest (then heaviest) first."""
        return self.find_all(sent.doc, [sent])[0]

    def find_all(self, doc: Doc, sents: Sequence[Span]) -> list[list[Match]]:
        """find() for each of the sentences ``sents`` of ``doc``, matching the doc once."""
        strings = self._vocab.strings
        starts: dict[int, set[str]] = defaultdict(set)  # token: first words it has as a form
        for key, start, _end in self.matcher(doc):
            starts[start].add(strings[key])
        lemmas = doc.to_array(LEMMA)
        words = []  # the lemmas (by hash) whose lower form is a first word
        for h in numpy.unique(lemmas).tolist():
            if h not in self._lemma_word:
                lower = strings[h].lower() if h in strings else ""
                self._lemma_word[h] = lower if lower in self.by_first else None
            if self._lemma_word[h] is not None:
                words.append(h)
        for i in numpy.flatnonzero(numpy.isin(lemmas, words)).tolist():
            starts[i].add(self._lemma_word[int(lemmas[i])])
        positions = sorted(starts)
        found = []
        for sent in sents:
            keys = _Forms(sent)
            matches: list[Match] = []
            for i in positions[
                bisect_left(positions, sent.start) : bisect_left(positions, sent.end)
            ]:
                ahead = keys[i - sent.start + 1] if i + 1 < sent.end else set()
                candidates = {
                    p
                    for word in starts[i]
                    for next_word in (None, *ahead)
                    for p in self.by_second[word].get(next_word, ())
                }
                for p in sorted(candidates, key=lambda p: (p.kind, p.text)):
                    end = _match(p.slots, 1, sent, keys, i - sent.start + 1)
                    if end is not None:
                        matches.append(Match(p, i, sent.start + end))
            found.append(_resolve(matches))
        return found


def _match(slots: tuple, s: int, sent: Span, keys: Sequence[set[str]], i: int) -> int | None:
    """End (sentence token index) of ``slots[s:]`` matched from token ``i``, longest first."""
    if s == len(slots):
        return i
    slot = slots[s]
    if slot is GAP:
        for skip in range(MAX_GAP, -1, -1):
            if i + skip <= len(keys) and not any(t.is_punct for t in sent[i : i + skip]):
                end = _match(slots, s + 1, sent, keys, i + skip)
                if end is not None:
                    return end
        return None
    if i < len(keys) and slot & keys[i]:
        return _match(slots, s + 1, sent, keys, i + 1)
    return None


def _resolve(matches: list[Match]) -> list[Match]:
    """Within each kind (negators as one), keep non-overlapping matches, longest first."""
    kept: list[Match] = []
    taken: dict[str, set[int]] = defaultdict(set)
    for m in sorted(
        matches,
        key=lambda m: (m.start - m.end, -m.pattern.weight, m.start, m.pattern.kind, m.pattern.text),
    ):
        group = "negator" if m.pattern.kind in NEGATORS else m.pattern.kind
        span = set(range(m.start, m.end))
        if not span & taken[group]:
            taken[group] |= span
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.end, m.pattern.kind, m.pattern.text))
