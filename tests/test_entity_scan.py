"""The entities layer's faster scans find what the plain ones found."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.annotators import entity_datelines
from annotate.annotators.entities import DEFAULTS, Entities
from annotate.annotators.entity_evidence import CompanyAnaphors
from annotate.annotators.entity_mentions import _HEADLINE, Mention

ENTITIES = Entities(DEFAULTS)
ROOT = Path(__file__).resolve().parent.parent
TEXTS = [p.read_text() for p in sorted((ROOT / "corpus").glob("*.txt"))]

WORDS = (
    "The the Nordvale Systems AG Inc. Inc Corp. Ltd Co. Group Holdings ASA and & of "
    "Kumamoto-based London-listed company firm said . , ( ) ' ’s s' 3 737 1-0 Mr. Lund "
    "Maria Solheim Grid SA Bank"
).split()
SEPARATORS = [" ", " ", "  ", "\n", ". ", ", ", "", "\t"]
texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=30).map(
    lambda parts: "".join(w + s for w, s in parts)
)


def former_designated_name() -> re.Pattern[str]:
    return re.compile(
        rf"\b((?:[A-Z][\w&.'’-]*[^\S\n]+){{0,4}}?[A-Z][\w&.'’-]*),?[^\S\n]+"
        rf"(?:{ENTITIES.book.alternation})(?![\w-])"
    )


def spans(pattern: re.Pattern[str], text: str) -> list:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("text", TEXTS)
def test_designated_names_match_as_before_on_the_corpus(text):
    assert spans(ENTITIES.finder.designated_name, text) == spans(former_designated_name(), text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_designated_names_match_as_before(text):
    assert spans(ENTITIES.finder.designated_name, text) == spans(former_designated_name(), text)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(st.integers(0, 200), max_size=10))
def test_company_anaphors_refer_as_before(text, starts):
    anaphors = CompanyAnaphors(DEFAULTS["company_anaphors"])
    starts = sorted(set(starts))

    class Former(CompanyAnaphors):
        """Every match of the whole pattern, as before."""

        def __init__(self) -> None:
            self.pattern = anaphors.pattern
            self.candidates = anaphors.pattern

    text = text.replace("company", "The company").replace("firm", "\nThe firm")
    assert anaphors.referred_to(text, starts) == Former().referred_to(text, starts)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(["ORG", "PERSON", "GPE", "PRODUCT", "DATE"]), st.data())
def test_names_are_trimmed_as_before(text, label, data):
    finder = ENTITIES.finder
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    fast = finder._trim(text, Mention(start, end, label, "ner"))
    full = Mention(start, end, label, "ner")
    if label in finder.name_labels:  # every pattern tried, as before
        finder._trim_words(text, full)
        finder._trim_edges(text, full)
    assert fast.span == full.span


CUE_WORDS = (
    "rival shares in stake analysts at Mr. Mr Dr. chief executive officer of head of the "
    "unit in near based in city of acquired drug Acme Nordvale Ltd. co-founder spin-off "
    "Société été İstanbul ’s rivals CEO at"
).split()
cue_texts = st.lists(
    st.tuples(st.sampled_from(CUE_WORDS), st.sampled_from(SEPARATORS)), max_size=30
).map(lambda parts: "".join(w + s for w, s in parts))


def cue_matches(matches) -> list:
    return [(m.span(), m.lastgroup) for m in matches]


@pytest.mark.parametrize("text", TEXTS)
def test_before_cues_match_as_before_on_the_corpus(text):
    cues = ENTITIES.cues
    assert cue_matches(cues._before_matches(text)) == cue_matches(cues.before.finditer(text))


@settings(max_examples=300, deadline=None)
@given(cue_texts)
def test_before_cues_match_as_before(text):
    cues = ENTITIES.cues
    assert cue_matches(cues._before_matches(text)) == cue_matches(cues.before.finditer(text))


LINE_WORDS = (
    "BERLIN (Reuters) - LONDON, March 3 (AP) — 1996-08-22 Norway HEADLINE IN CAPS a of".split()
)
line_texts = st.lists(
    st.tuples(st.sampled_from(LINE_WORDS), st.sampled_from([" ", "\n", "\n\n", ", ", "\t"])),
    max_size=30,
).map(lambda parts: "".join(w + s for w, s in parts))


@settings(max_examples=300, deadline=None)
@given(line_texts)
def test_line_patterns_match_as_before(text):
    for pattern in (entity_datelines._DATELINE, entity_datelines._DATED_LINE, _HEADLINE):
        assert [m.span() for m in entity_datelines.line_matches(pattern, text)] == [
            m.span() for m in pattern.finditer(text)
        ]


_WORD_TEXTS = st.one_of(
    texts,
    st.text(alphabet="aAbB_&.-' \n1é", max_size=30),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(_WORD_TEXTS)
def test_capitalised_words_are_where_the_word_pattern_finds_them(text):
    from annotate.annotators.entity_names import _WORD, TextWords

    expected: dict[str, list[int]] = {}
    for word in _WORD.finditer(text):
        if "A" <= word.group()[0] <= "Z":
            expected.setdefault(word.group(), []).append(word.start())
    assert TextWords(text).capitalised() == expected


@settings(max_examples=300, deadline=None)
@given(_WORD_TEXTS, st.lists(st.sampled_from(["a", "A", "ab", "Ab", "AB", "a b", "A&b", "é"])))
def test_names_occur_where_the_word_pattern_finds_their_first_words(text, extra):
    from annotate.annotators.entity_names import _GOES_ON, _WORD, name_index, occurrences

    names = {word.group() for word in _WORD.finditer(text)} | set(extra)
    index = name_index(names).by_first
    expected, end = [], 0
    for word in _WORD.finditer(text):  # the longest name at each word, none inside another
        for name in index.get(word.group(), ()) if word.start() >= end else ():
            stop = word.start() + len(name)
            if text.startswith(name, word.start()) and not _GOES_ON.match(text, stop):
                expected.append((word.start(), stop, name))
                end = stop
                break
    assert list(occurrences(text, name_index(names))) == expected
