"""textscan: a pattern tried only where a match can start finds what ``finditer`` finds."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.annotators.dates import DEFAULTS, Dates
from annotate.annotators.textscan import Scanner, ScanSet, prefixes

TRICKY = [
    "On Monday, March 3rd 2025 at 10:30am (CET) the board met; the past two weeks were busy.",
    "mid-2024, the '90s, FY2025, Q3 2024, H1-25, 3/4/2025, 2024-01-05T10:00, 12h30.",
    "Société Générale’s İstanbul office said ﬁve years ago: “tomorrow morning”, KELVIN K.",
    "\tthe\u00a0last   week\nof\x1cMay 5 –\u20097 and 1,000 days from now, every other Friday.",
    "",
    "a",
]


def _texts() -> list[str]:
    rng = random.Random(7)
    pieces = " the last next 2024 May mid- '’ 3/4 10 am Q3 FY é İ \u00a0 \n , . - ( ) K ſ".split(
        " "
    )
    out = list(TRICKY)
    for _ in range(200):
        out.append("".join(rng.choice(pieces) + rng.choice(["", " ", "  "]) for _ in range(30)))
    return out


@pytest.fixture(scope="module")
def scanners() -> list[Scanner]:
    return [scanner for scanner, _, _ in Dates(DEFAULTS).grammar.rules]


def test_most_date_rules_are_indexed(scanners: list[Scanner]) -> None:
    assert sum(s.keys is not None for s in scanners) >= len(scanners) - 3


def test_same_matches_as_finditer(scanners: list[Scanner]) -> None:
    alone = [ScanSet([scanner]) for scanner in scanners]
    for text in _texts():
        for scanner, scans in zip(scanners, alone, strict=True):
            (matches,) = scans.finditers(text)
            expected = [(m.span(), m.groups()) for m in scanner.pattern.finditer(text)]
            assert [(m.span(), m.groups()) for m in matches] == expected


def test_scan_set_finds_what_each_scanner_finds(scanners: list[Scanner]) -> None:
    mixed = [*scanners, Scanner(re.compile(r"\s+x")), Scanner(re.compile(r"(?i:\bzz|\bq)"))]
    scans = ScanSet(mixed)
    for text in [*_texts(), "zz q", "Zz\nQ x"]:
        for scanner, matches in zip(mixed, scans.finditers(text), strict=True):
            expected = [(m.span(), m.groups()) for m in scanner.pattern.finditer(text)]
            assert [(m.span(), m.groups()) for m in matches] == expected


# words that begin keys, every ASCII character that is not a letter or a digit, and others:
# plain (’ – €) or not (a letter, a blank, one that lower-cases to two, a Kelvin sign)
PIECES = [
    *"the last next 2024 May mid 3 10 1st am Q3 FY a z 0".split(),
    *(chr(c) for c in range(128) if not chr(c).isalnum()),
    *"’“–€£é\u00a0İK",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_word_starts_are_the_places_that_begin_with_a_key(
    scanners: list[Scanner], text: str
) -> None:
    fast = ScanSet(scanners)
    slow = ScanSet(scanners)
    slow.word_starts = None  # every place of the text, as for any other text
    assert fast.word_starts is not None
    assert fast.starts(text) == slow.starts(text)


@pytest.mark.parametrize(
    ("pattern", "readable"),
    [
        (r"\bfoo", True),
        (r"(?<![\w$])\d{4}", True),
        (r"(?<=\bin\s)years", True),
        (r"foo", False),  # may start inside a word
        (r"\s+x", False),  # starts with a blank
        (r"(?a:\bfoo)", False),
        (r".x", False),
    ],
)
def test_prefixes_only_when_sure(pattern: str, readable: bool) -> None:
    assert (prefixes(re.compile(pattern)) is not None) is readable


@pytest.mark.parametrize("pattern", [r"\bfoo\w*", r"foo\w*"])  # prefixes known, unknown
@pytest.mark.parametrize(
    ("needs", "text", "found"),
    [
        (r"\bbar", "foo bar", ["foo", "foot"]),
        (r"\bbar", "foo xbar", []),  # not where its prefixes say it can be: not in the text
        (r"\bbar", "foo", []),
        (r"bar", "foo xbar", ["foo", "foot"]),  # where it can be is not known: tried
    ],
)
def test_a_scanner_is_tried_only_where_what_it_needs_is(
    pattern: str, needs: str, text: str, found: list[str]
) -> None:
    scanner = Scanner(re.compile(pattern), needs=re.compile(needs))
    (matches,) = ScanSet([scanner]).finditers(text + " foot")
    assert [m.group() for m in matches] == found


def test_empty_match_falls_back() -> None:
    scanner = Scanner(re.compile(r"\b(?:x|)"))
    text = "x y x"
    (matches,) = ScanSet([scanner]).finditers(text)
    assert [m.span() for m in matches] == [m.span() for m in re.finditer(r"\b(?:x|)", text)]
