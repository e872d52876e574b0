"""Annotators never raise on text: every builtin, on random unicode and on generated news.

An annotator may find nothing, or flag what it finds, but an error status on any text is a
bug. The news-like sentences are dense in what trips number, money and date grammars:
numbers in every notation, ordinals, units, currencies, scales, dates and ranges.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

BUILTINS = ("entities", "money", "dates", "stance")

ORGS = ["Microsoft", "OpenAI", "Norvalis AG", "the Fed", "Kestrel Robotics Inc.", "BHP", "ECB"]
NUMBERS = st.one_of(
    st.integers(0, 10**13).map(str),
    st.integers(0, 10**9).map("{:,}".format),
    st.floats(0, 1e6, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["1.5", "0.5", ".5", "1,5", "1 000", "3/4", "½", "two", "twenty-one",
                     "a dozen", "hundreds of", "1e6", "-3", "+4", "10-15", "5–7"]),
)  # fmt: skip


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


ORDINALS = st.one_of(
    st.integers(0, 120).map(_ordinal),
    st.sampled_from(["first", "second", "third", "twenty-first", "88th", "last", "final"]),
)
UNITS = st.sampled_from(
    ["minute", "minutes", "hour", "second", "day", "week", "month", "quarter", "year",
     "decade", "century", "half", "km", "%", "percent", "per cent", "bps", "points", "shares",
     "tonnes", "barrels", "season", "round", "lap", "inning", "period", "term", "fiscal year"]
)  # fmt: skip
CURRENCIES = st.sampled_from(
    ["$", "US$", "€", "£", "¥", "Rs", "Rs.", "₹", "CHF", "USD", "EUR", "yen", "euros",
     "dollars", "pounds", "rupees", "bitcoin", "C$", "A$", "HK$", "R$", "kr", "zł", "cents"]
)  # fmt: skip
SCALES = st.sampled_from(["", "million", "billion", "bn", "m", "k", "trillion", "crore", "lakh"])
DATES = st.one_of(
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.dates().map(lambda d: d.strftime("%B %d, %Y")),
    st.dates().map(lambda d: d.strftime("%d/%m/%y")),
    st.dates().map(lambda d: d.strftime("%d %b")),
    st.sampled_from(
        ["last Tuesday", "next year", "Q3 2024", "FY2025", "the 21st of March", "in 2019",
         "three weeks ago", "this week", "mid-2026", "the 1990s", "by 2030", "Christmas",
         "the end of the month", "on Friday night", "at 25:00", "2025-13-45", "31 February",
         "in the 88th minute of the match", "88 minutes ago", "the past hour", "H1", "1H25"]
    ),
)  # fmt: skip
WORDS = st.sampled_from(
    ["said", "paid", "raised", "between", "and", "to", "up to", "about", "from", "rose",
     "fell", "partnered with", "sued", "competes with", "acquired", "a", "the", "of", "in",
     "on", "at", "per", "each", "–", "-", ",", ".", "(", ")", "'", '"', "\n", "\n\n"]
)  # fmt: skip


def _pieces(draw) -> str:
    return " ".join(
        draw(
            st.lists(
                st.one_of(
                    st.sampled_from(ORGS),
                    NUMBERS,
                    ORDINALS,
                    UNITS,
                    DATES,
                    WORDS,
                    st.tuples(CURRENCIES, NUMBERS, SCALES).map(lambda t: f"{t[0]}{t[1]} {t[2]}"),
                    st.tuples(NUMBERS, SCALES, CURRENCIES).map(" ".join),
                    st.tuples(ORDINALS, UNITS).map(" ".join),
                    st.tuples(NUMBERS, UNITS).map(" ".join),
                ),
                min_size=1,
                max_size=30,
            )
        )
    )


NEWS = st.composite(_pieces)()
DOC_DATES = st.one_of(
    st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def assert_no_error(doc) -> None:
    failed = {n: s.get("error") for n, s in doc.annotators.items() if s["status"] != "ok"}
    assert not failed, failed


@pytest.fixture(scope="module")
def run(annotate_text):
    def go(text: str, date: str | None) -> None:
        assert_no_error(annotate_text(text, *BUILTINS, date=date))

    return go


@FUZZ
@given(text=NEWS, date=DOC_DATES)
@example(text="It came in the 88th minute of the match.", date="2025-01-22")
@example(text="Shares rose 88 minutes ago and fell in the past hour.", date="2025-01-22")
@example(text="The deal closes on 31 December.", date="9999-12-31")
@example(text="It was agreed on 1 January.", date="0001-01-01")
def test_builtins_never_raise_on_news(run, text, date):
    run(text, date)


@FUZZ
@given(text=st.text(min_size=1, max_size=300).filter(str.strip), date=DOC_DATES)
def test_builtins_never_raise_on_any_unicode(run, text, date):
    run(text, date)


FRONT_MATTER = st.lists(
    st.one_of(
        st.sampled_from(
            ["id: x", "date: 2025-13-45", "date: 2025-01-02 25:00:00", "title: !!binary aGk=",
             "tags: !!set {a}", "a: &a [1]", "b: *a", "n: .nan", "x: [[[", "? [a]\n: b",
             "id: [a]", "id: {a: 1}", "date: 20250101", "date: '2025-02-30'", "- a", "id: ''",
             "<<: *a", "t: !!python/object:os.system x", "k: !!omap [a: 1]", "s: |\n  text"]
        ),
        st.text(max_size=20),
    ),
    max_size=6,
).map(lambda lines: "---\n" + "\n".join(lines) + "\n---\nOracle grew.\n")  # fmt: skip


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
JSON_LINES = st.lists(
    st.dictionaries(
        st.sampled_from(["text", "id", "date", "title", "x"]), JSON_VALUES, max_size=4
    ).map(lambda d: json.dumps({"text": "Oracle grew.", **d})),
    min_size=1,
    max_size=3,
).map(lambda lines: "\n".join(lines).encode())


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), FRONT_MATTER.map(str.encode), JSON_LINES))
def test_readers_never_raise_on_any_bytes(data):
    from annotate.errors import InputError
    from annotate.io.readers import JsonlReader, TextReader
    from annotate.io.writers import dumps
    from annotate.model import Document

    for reader in (TextReader(), JsonlReader()):
        for item in reader.read("fuzz.txt", data):
            assert isinstance(item, Document | InputError)
            if isinstance(item, Document):
                dumps(item.to_json())  # strict JSON, UTF-8: writable
