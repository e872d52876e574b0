"""Money tries its expression only around currency signs, codes and words (``_expressions``):
the same annotations as trying it over the whole text, which these tests check against."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.annotators.money import DEFAULTS, Money
from annotate.model import Document
from annotate.testing import examples

GOLD = Path(__file__).resolve().parent / "gold" / "money.yaml"
MONEY = Money(DEFAULTS)


class WholeText(Money):
    """The former scan: ``finditer`` over the whole text."""

    def _expressions(self, text: str) -> list[re.Match]:
        return list(self.expression.finditer(text))


WHOLE = WholeText(DEFAULTS)

TOKENS = (
    "5 1.5 1,000 3,50 2024 1.000.000,5 .75 12 100 two twenty-five twenty five a an half one "
    "million millions bn m M k billion hundreds billions tens thousand "
    "$ € £ ¥ US$ C$ Can$ ¢ Rs. Rs kr zł dollars dollar euros euro USD EUR ALL TRY won pounds "
    "pound cents cent rupees yen Norwegian crowns Hong Kong u.s. U.S. "
    "to and - – between from up about more than or more less per / a year share barrel "
    "the company revenue rose fell lost weight of in for was said Can can Rand rand percent % "
    "per cent ago zone ( ) . , ; : ' \" ’s rate sterling paid".split()
)
SEPARATORS = [" ", " ", " ", "", "  ", "-", "\n", ", ", ". "]


def annotations(annotator: Money, text: str, **meta) -> list[tuple]:
    doc = Document(id="t", text=text, meta=meta)
    return [(a.start, a.end, a.label, a.attrs) for a in annotator.annotate(doc)]


@pytest.mark.parametrize("case", examples(GOLD))
def test_gold_texts_give_what_the_whole_text_scan_gives(case):
    meta = case.get("meta") or {}
    assert annotations(MONEY, case["text"], **meta) == annotations(WHOLE, case["text"], **meta)


def test_matches_are_those_of_the_whole_text_that_hold_a_currency():
    text = (
        "Revenue rose from 1 - 2 - 3 - 4 - 5 dollars to between 1.1 and 1.3 billion dollars, "
        "or about $2bn per share / year; 3 to 4 people paid 20 won per month. No money here: "
        "from 1 to 2 and up to 3 percent."
    )
    whole = [(m.span(), m.groupdict()) for m in MONEY.expression.finditer(text)]
    found = [(m.span(), m.groupdict()) for m in MONEY._expressions(text)]
    assert all(m in whole for m in found)
    assert annotations(MONEY, text) == annotations(WHOLE, text)
    assert MONEY._expressions("Nothing to see: 1 to 2 and 3 - 4.") == []


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(SEPARATORS)), max_size=40))
def test_random_texts_give_what_the_whole_text_scan_gives(parts):
    text = "".join(token + sep for token, sep in parts)
    assert annotations(MONEY, text) == annotations(WHOLE, text)
