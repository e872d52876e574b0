"""The stance lexicon: phrase patterns matched on token lemmas (see stance.yaml for the syntax)."""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

if TYPE_CHECKING:
    from annotate.annotators.stance_syntax import Parse

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
_ORDER = attrgetter("kind", "text")  # the order phrases starting at one token are tried in


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


def forms(lower: str, lemma: str) -> set[str]:
    """The keys a token matches a pattern word by: its lemma, its lower form, a naive singular."""
    keys = {lower, lemma.lower()}
    if len(lower) > 3 and lower.endswith("s"):
        keys.add(lower[:-1])
    return keys


class _Forms:
    """forms() of a sentence's tokens, each looked up when a pattern first asks for it
    (``forms_of``: forms() by a token's LOWER and LEMMA ids)."""

    def __init__(
        self, parse: Parse, sent: Span, forms_of: Callable[[int, int], frozenset[str]]
    ) -> None:
        self.parse, self.start, self.end = parse, sent.start, sent.end
        self.forms_of = forms_of
        self.known: dict[int, frozenset[str]] = {}

    def __len__(self) -> int:
        return self.end - self.start

    def __getitem__(self, i: int) -> frozenset[str]:
        if i not in self.known:
            token = self.start + i
            self.known[i] = self.forms_of(self.parse.lower_ids[token], self.parse.lemma_ids[token])
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
        # The first words of phrases of two words or more: only these look at the next token.
        self._continued = {w for w, nexts in self.by_second.items() if set(nexts) - {None}}
        self._cue_words = {w for p in patterns if p.kind == CUE for w in p.slots[0] or ()}
        # The matcher's key for a word is the word itself; its phrases are its lower form and
        # its plural ("s" added to a word of 3+ letters, which forms() takes off again).
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self._word_by_key: dict[int, str] = {}  # the matcher's keys: their words
        for word in self.by_first:
            phrases = [word, word + "s"] if len(word) >= 3 else [word]
            self.matcher.add(word, [Doc(vocab, words=[phrase]) for phrase in phrases])
            self._word_by_key[vocab.strings.add(word)] = word
        self._lemma_word: dict[int, str | None] = {}  # lemma hash: its lower form, if a word
        # (the same few words and next words come back in every document)
        self._candidates = functools.lru_cache(maxsize=4096)(self._candidates_for)
        self._forms_of = functools.lru_cache(maxsize=4096)(self._forms_by_ids)

    def _forms_by_ids(self, lower: int, lemma: int) -> frozenset[str]:
        """forms() of a token whose LOWER and LEMMA have these ids."""
        strings = self._vocab.strings
        return frozenset(forms(strings[lower], strings[lemma]))

    def _candidates_for(self, words: frozenset[str], ahead: frozenset[str]) -> tuple[Pattern, ...]:
        """The phrases a token may start, in the order they are tried: those whose first word
        is one of ``words`` (the token's) and whose second is one of ``ahead`` (the next
        token's forms) or that go on with no word there."""
        found = {
            p
            for word in words
            for next_word in (None, *ahead)
            for p in self.by_second[word].get(next_word, ())
        }
        return tuple(sorted(found, key=_ORDER))

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

    def find_all(self, parse: Parse, sents: Sequence[Span]) -> list[list[Match]]:
        """Every phrase in each of the sentences ``sents`` of ``parse``'s doc, matching the doc
        once; overlapping cues resolved longest (then heaviest) first. A sentence where no
        cue can start gets none: stance looks no further there."""
        strings = self._vocab.strings
        starts: dict[int, set[str]] = defaultdict(set)  # token: first words it has as a form
        word_by_key = self._word_by_key
        for key, start, _end in self.matcher(parse.doc):
            starts[start].add(word_by_key[key])
        lemma_word = self._lemma_word
        for i, h in enumerate(parse.lemma_ids):
            word = lemma_word.get(h, "")
            if word == "":  # a lemma not seen before
                lower = strings[h].lower() if h in strings else ""
                word = lemma_word[h] = lower if lower in self.by_first else None
            if word is not None:
                starts[i].add(word)
        positions = sorted(starts)
        cue_starts = [i for i in positions if not starts[i].isdisjoint(self._cue_words)]
        found = []
        for sent in sents:
            if bisect_left(cue_starts, sent.start) == bisect_left(cue_starts, sent.end):
                found.append([])
                continue
            first, last = bisect_left(positions, sent.start), bisect_left(positions, sent.end)
            keys = _Forms(parse, sent, self._forms_of)
            punct = parse.is_punct[sent.start : sent.end]
            matches: list[Match] = []
            for i in positions[first:last]:
                words = starts[i]
                ahead = (
                    keys[i - sent.start + 1]
                    if i + 1 < sent.end and not words.isdisjoint(self._continued)
                    else frozenset()
                )
                for p in self._candidates(frozenset(words), ahead):
                    end = _match(p.slots, 1, keys, punct, i - sent.start + 1)
                    if end is not None:
                        matches.append(Match(p, i, sent.start + end))
            found.append(_resolve(matches))
        return found


def _match(
    slots: tuple, s: int, keys: Sequence[set[str]], punct: Sequence[bool], i: int
) -> int | None:
    """End (sentence token index) of ``slots[s:]`` matched from token ``i``, longest first
    (``keys`` and ``punct``: the sentence's tokens' forms() and is_punct)."""
    if s == len(slots):
        return i
    slot = slots[s]
    if slot is GAP:
        for skip in range(MAX_GAP, -1, -1):
            if i + skip <= len(keys) and not any(punct[i : i + skip]):
                end = _match(slots, s + 1, keys, punct, i + skip)
                if end is not None:
                    return end
        return None
    if i < len(keys) and slot & keys[i]:
        return _match(slots, s + 1, keys, punct, i + 1)
    return None


def _resolve(matches: list[Match]) -> list[Match]:
    """Within each kind (negators as one), keep non-overlapping matches, longest first."""
    if len(matches) < 2:
        return matches
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
