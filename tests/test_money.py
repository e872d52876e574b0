"""The money annotator: gold cases, odd input, and a run through the real pipeline."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.annotators.money import DEFAULTS, Money
from annotate.model import Document
from annotate.testing import examples

GOLD = Path(__file__).resolve().parent / "gold" / "money.yaml"
MONEY = Money(DEFAULTS)


def run(text: str, annotator: Money = MONEY, **meta) -> list:
    doc = Document(id="t", text=text, meta=meta)
    found = list(annotator.annotate(doc))
    for a in found:
        assert 0 <= a.start < a.end <= len(text)
        a.text = text[a.start : a.end]
        json.dumps(a.attrs, allow_nan=False)  # finite JSON numbers only
    return found


@pytest.mark.parametrize("case", examples(GOLD))
def test_gold(case):
    found = run(case["text"], **(case.get("meta") or {}))
    expected = case["expect"] or []
    assert sorted(a.text for a in found) == sorted(span["text"] for span in expected)
    by_text = {a.text: a for a in found}
    for span in expected:
        attrs = by_text[span["text"]].attrs
        assert by_text[span["text"]].label == "MONEY"
        for key, want in (span.get("attrs") or {}).items():
            assert attrs.get(key) == pytest.approx(want), f"{span['text']!r}: {key}"


def test_values_keep_ints_as_ints_and_use_floats_for_fractions():
    (dollars,), (cents,) = run("$100 billion"), run("4 cents")
    assert dollars.attrs["value"] == 10**11 and isinstance(dollars.attrs["value"], int)
    assert cents.attrs["value"] == 0.04 and isinstance(cents.attrs["value"], float)


def test_a_bare_dollar_is_usd_without_comment():
    (a,) = run("It cost $5.")
    assert a.attrs["currency"] == "USD" and "currency_candidates" not in a.attrs


def test_config_can_change_what_a_dollar_is():
    canadian = Money({**DEFAULTS, "currency": "CAD"})
    (a,) = run("It cost $5.", canadian)
    assert a.attrs["currency"] == "CAD" and a.attrs["currency_reason"] == "config currency"
    (b,) = run("It cost $5.", canadian, currency="USD")
    assert b.attrs["currency"] == "USD" and b.attrs["currency_reason"] == "meta.currency"


def test_config_extends_the_tables():
    config = {**DEFAULTS, "words": {**DEFAULTS["words"], "doubloon": "XDB"}}
    (a,) = run("a chest of 300 doubloons", Money(config))
    assert (a.text, a.attrs["currency"], a.attrs["value"]) == ("300 doubloons", "XDB", 300)


@pytest.mark.parametrize("text", ["$", "$$$", "10^400 dollars", "US$", "$.", "$ $", "€€5€€"])
def test_malformed_input_gives_no_annotation(text):
    assert run(text) == []


@pytest.mark.parametrize("digits", [40, 200, 5000])
def test_absurd_amounts_are_flagged_with_null_numbers(digits):
    (a,) = run(f"They owe ${'9' * digits} now.")
    assert a.attrs["flag"] == "implausible amount"
    assert a.attrs["value"] is None and a.attrs["min"] is None and a.attrs["max"] is None


FRAGMENTS = [
    "$",
    "US$",
    "€",
    "£",
    "¥",
    "kr",
    "USD",
    "EUR",
    "4",
    "2.5",
    "1,000",
    "1.000.000,5",
    ".5",
    "100",
    "9" * 30,
    "one",
    "a",
    "twenty-five",
    "half a",
    "and a half",
    "billion",
    "bn",
    "m",
    "k",
    "million",
    "dollars",
    "cents",
    "euros",
    "pounds",
    "won",
    " ",
    "-",
    "–",
    " to ",
    " and ",
    "between ",
    "from ",
    "up to ",
    "more than ",
    "about ",
    " or more",
    "-plus",
    "+",
    " per ",
    " a ",
    "/",
    "share",
    "month",
    "year ago",
    "%",
    " percent",
    "^",
    "(",
    ")",
    ",",
    ".",
]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=200), st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
)
def test_never_raises_and_spans_stay_inside_the_text(text):
    for a in run(text):
        for key in ("value", "min", "max"):
            value = a.attrs[key]
            assert value is None or (isinstance(value, int | float) and math.isfinite(value))


@pytest.fixture(scope="module")
def pipeline():
    from annotate.api import build_pipeline

    return build_pipeline(
        plugins=["annotate.annotators.money"], overrides={"pipeline": ["entities", "money"]}
    )


def test_through_the_pipeline_spacy_money_folds_into_ours(pipeline):
    from annotate.api import annotate_text

    text = (
        Path(__file__).resolve().parent.parent / "corpus" / "microsoft-openai-stargate.txt"
    ).read_text(encoding="utf-8")
    doc = annotate_text(text, pipeline=pipeline, date="2025-01-22")
    money = {a.text: a for a in doc.layer("money")}
    assert set(money) == {"between $100 billion and up to $500 billion", "$1 billion"}
    assert money["$1 billion"].attrs["value"] == 10**9
    assert "money" in money["$1 billion"].sources
    assert doc.annotators["money"]["status"] == "ok"
