"""The dates annotator: gold cases, determinism, robustness, config and the real pipeline."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.annotators import dates as dates_module
from annotate.annotators import dates_resolver, timex
from annotate.annotators.dates import DEFAULTS, Dates
from annotate.annotators.dates_join import Found, modified
from annotate.config import deep_merge
from annotate.model import Annotation, Document

GOLD = yaml.safe_load((Path(__file__).parent / "gold" / "dates.yaml").read_text())["cases"]
ANNOTATOR = Dates(DEFAULTS)
LABELS = {"DATE", "TIME", "DURATION", "SET"}


def run(text: str, date: str | None = None, annotator: Dates = ANNOTATOR) -> list[Annotation]:
    doc = Document(id="t", text=text, meta={"date": date} if date else {})
    return list(annotator.annotate(doc))


def expected(case: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    """Expected spans by offsets: label and the attrs that must match."""
    spans = {}
    for span in case["spans"]:
        span = dict(span)
        text = span.pop("text")
        start = span.pop("at", None)
        start = case["text"].index(text) if start is None else start
        spans[(start, start + len(text))] = span
    return spans


@pytest.mark.parametrize("case", GOLD, ids=[f"{i}-{c['text'][:40]}" for i, c in enumerate(GOLD)])
def test_gold(case: dict[str, Any]) -> None:
    text = case["text"]
    found = {a.span: a for a in run(text, case["date"])}
    want = expected(case)
    assert [text[s:e] for s, e in sorted(found)] == [text[s:e] for s, e in sorted(want)]
    for span, attrs in want.items():
        got = found[span]
        assert got.label == attrs["label"], text[span[0] : span[1]]
        mismatched = {
            k: (got.attrs.get(k), v)
            for k, v in attrs.items()
            if k != "label" and got.attrs.get(k) != v
        }
        assert not mismatched, f"{text[span[0] : span[1]]!r}: (got, want) {mismatched}"


class _NoClockDate(dt.date):
    @classmethod
    def today(cls):
        raise AssertionError("the dates annotator read the clock")


class _NoClockDatetime(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        raise AssertionError("the dates annotator read the clock")

    today = now
    utcnow = now


def test_output_never_depends_on_today(monkeypatch: pytest.MonkeyPatch) -> None:
    before = [[a.to_json() for a in run(c["text"], c["date"])] for c in GOLD]
    for module in (timex, dates_module, dates_resolver):
        monkeypatch.setattr(module, "date", _NoClockDate)
        if hasattr(module, "datetime"):
            monkeypatch.setattr(module, "datetime", _NoClockDatetime)
    unclocked = Dates(DEFAULTS)  # built, and then run, with no clock to read
    after = [[a.to_json() for a in run(c["text"], c["date"], unclocked)] for c in GOLD]
    assert after == before


def test_unknown_or_odd_document_dates_leave_relative_expressions_unresolved() -> None:
    for date in (None, "", "soon", "2025-02-30"):
        (found,) = run("Sales fell last month.", date)
        assert found.attrs["unresolved"] is True
        assert found.attrs["relative"] == {"unit": "month", "offset": -1}


def test_document_date_may_carry_a_time() -> None:
    (found,) = run("Sales fell yesterday.", "2025-01-22T09:30:00Z")
    assert found.attrs["value"] == "2025-01-21"


def test_config_extends_word_tables_and_numeric_order() -> None:
    config = deep_merge(
        DEFAULTS,
        {"numeric_order": "dmy", "holidays": {"Diwali": "10-20"}, "months": {"Sept": None}},
    )
    annotator = Dates(config)
    values = [a.attrs["value"] for a in run("On 01/02/2025 and Diwali 2025.", None, annotator)]
    assert values == ["2025-02-01", "2025-10-20"]
    assert [a.attrs["value"] for a in run("in Sept. 2024", None, annotator)] == ["2024"]


def test_fiscal_year_start_moves_the_interval_not_the_value() -> None:
    annotator = Dates(deep_merge(DEFAULTS, {"fiscal_year_start": 7}))
    (found,) = run("Revenue grew in FY2025.", None, annotator)
    assert (found.attrs["value"], found.attrs["start"], found.attrs["end"]) == (
        "2025",
        "2024-07-01",
        "2025-07-01",
    )


FRAGMENTS = [
    "January",
    "May",
    "21",
    "2025",
    "Q3",
    "H1",
    "FY",
    "fiscal",
    "early",
    "late",
    "mid-",
    "the",
    "end of",
    "by",
    "before",
    "from",
    "to",
    "between",
    "and",
    "-",
    "/",
    ".",
    ":",
    "3",
    "p.m.",
    "ET",
    "noon",
    "last",
    "next",
    "this",
    "week",
    "weekend",
    "year",
    "quarter",
    "ago",
    "in",
    "every",
    "each",
    "Monday",
    "twice a",
    "two and a half",
    "hours",
    "decade",
    "'90s",
    "1990s",
    "century",
    "21st",
    "Feb 30",
    "2025-13-45",
    "99/99/9999",
    "00:00",
    "24:00",
    "Christmas",
    "summer",
    "the past",
    "coming",
    "months",
    "9999",
    "0001",
    "more than",
    "nearly",
    "ＭＡＹ",
    "\n",
    "’",
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.dates().map(dt.date.isoformat)))
def test_never_raises_on_arbitrary_text(text: str, date: str | None) -> None:
    _check_spans(text, run(text, date))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=12),
    st.sampled_from([" ", "", ", "]),
    st.one_of(st.none(), st.dates().map(dt.date.isoformat)),
)
def test_never_raises_on_date_like_fragments(words: list[str], glue: str, date: str | None) -> None:
    text = glue.join(words)
    _check_spans(text, run(text, date))


def _check_spans(text: str, found: list[Annotation]) -> None:
    last_end = 0
    for a in found:
        assert 0 <= last_end <= a.start < a.end <= len(text)
        assert a.label in LABELS and a.attrs["value"]
        last_end = a.end


def test_runs_through_the_pipeline_and_absorbs_spacy_dates() -> None:
    from annotate.api import annotate_text, build_pipeline

    pipeline = build_pipeline(
        plugins=["annotate.annotators.dates"],
        overrides={  # spaCy's DATE spans are kept in entities only when asked for
            "pipeline": ["entities", "dates"],
            "annotators": {"entities": {"labels": ["ORG", "DATE", "TIME"]}},
        },
    )
    doc = annotate_text(
        "Microsoft invested $1 billion in 2019 and will spend more next year.",
        pipeline=pipeline,
        date="2025-01-22",
    )
    dates = doc.layer("dates")
    assert [(a.text, a.attrs["value"]) for a in dates] == [("2019", "2019"), ("next year", "2026")]
    spacy_dates = [a for a in doc.layer("entities") if a.label == "DATE"]
    assert not [a for a in spacy_dates if a.span in {d.span for d in dates}]
    assert all(
        "entities" in d.sources for d in dates if d.span in {a.span for a in spacy_dates}
    ) and any(len(d.sources) == 2 for d in dates)


@pytest.mark.parametrize(
    "text",
    [
        "in the 88th minute of the match",
        "88 minutes ago",
        "the last 88 minutes",
        "the past hour",
        "3 hours from now",
        "the next 2 seconds",
        "the 3rd hour",
        "the second minute",
    ],
)
def test_sub_day_units_never_raise(text: str) -> None:
    _check_spans(text, run(text, "2025-01-22"))
    for found in run(text, "2025-01-22"):
        assert found.attrs.get("start", "2025-01-22") <= "2025-01-22"


@pytest.mark.parametrize(
    ("policy", "value"), [("news", "2025-03-07"), ("future", "2025-03-14"), ("past", "2025-03-07")]
)
def test_relative_policy_picks_the_occurrence(policy: str, value: str) -> None:
    annotator = Dates(deep_merge(DEFAULTS, {"relative_policy": policy}))
    (found,) = run("The vote was held on Friday.", "2025-03-12", annotator)
    assert found.attrs["value"] == value and found.attrs["policy"] == policy
    assert ("tense" in found.attrs) == (policy == "news")


def test_an_unknown_policy_is_an_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="news, future, past"):
        Dates(deep_merge(DEFAULTS, {"relative_policy": "sometimes"}))


@functools.cache
def _nlp() -> Any:
    from annotate.api import build_pipeline

    return build_pipeline().nlp


@pytest.mark.parametrize(
    ("text", "date", "value", "cue"),
    [
        ("Shares will be listed in June, it said.", "2025-03-12", "2025-06", "will"),
        (
            "Farmers urged the board to act before the fall harvest.",
            "2025-08-14",
            "2025-FA",
            "urged",
        ),
        ("The company plans to list its shares in June.", "2025-08-14", "2026-06", "plans"),
        ("The board met on Monday.", "2025-03-12", "2025-03-10", "met"),
    ],
)
def test_news_policy_reads_the_tense_from_the_spacy_parse(
    text: str, date: str, value: str, cue: str
) -> None:
    doc = Document(id="t", text=text, meta={"date": date})
    doc.spacy = _nlp()(text)
    (found,) = ANNOTATOR.annotate(doc)
    assert (found.attrs["value"], found.attrs["cue"]) == (value, cue)


def test_holidays_come_from_the_holidays_package_and_rules() -> None:
    values = {a.attrs["value"] for a in run("Memorial Day 2026 and Black Friday 2026.")}
    assert values == {"2026-05-25", "2026-11-27"}


def test_holiday_rules_and_countries() -> None:
    from annotate.annotators.timex import Holiday

    black_friday = Holiday.from_config({"month": 11, "weekday": "TH(+4)", "days": 1}, ())
    assert [black_friday.on(y).isoformat() for y in (2024, 2025)] == ["2024-11-29", "2025-11-28"]
    assert Holiday.from_config({"easter": -2}, ()).on(2025).isoformat() == "2025-04-18"
    assert Holiday.from_config("Christmas Day", ("US",)).fixed == (12, 25)
    assert Holiday.from_config("Thanksgiving Day", ("US",)).fixed is None
    with pytest.raises(ValueError, match="TH\\(\\+4\\)"):
        Holiday.from_config({"month": 11, "weekday": "Thursday"}, ()).on(2025)
    with pytest.raises(ValueError, match="holiday_countries"):
        Dates(deep_merge(DEFAULTS, {"holiday_countries": ["ZZ"]}))


def test_the_news_policy_reads_the_same_parse_whatever_else_runs() -> None:
    from annotate.api import annotate_text, build_pipeline

    text = "Shareholders urged the board to act before December, the filing said."
    values = []
    for names in (["dates"], ["entities", "dates", "stance"]):
        pipeline = build_pipeline(overrides={"pipeline": names})
        doc = annotate_text(text, pipeline=pipeline, date="2025-03-10")
        values.append([(a.text, a.attrs["value"]) for a in doc.layer("dates")])
    assert values[0] == values[1]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(3000, 12, 31)),
    unit=st.sampled_from(
        (
            "day",
            "week",
            "weekend",
            "fortnight",
            "month",
            "quarter",
            "season",
            "half",
            "year",
            "decade",
            "century",
        )
    ),
    amount=st.integers(-40, 40),
)
def test_calendar_steps_move_a_date_as_relativedelta_does(day, unit, amount):
    """Periods shift by plain date arithmetic: the same dates as dateutil's, month ends
    clamped ("Jan 31" + 1 month is Feb 28 or 29)."""
    from dateutil.relativedelta import relativedelta

    days = {"day": 1, "week": 7, "weekend": 7, "fortnight": 14}
    months = {"decade": 120, "century": 1200, "year": 12, "half": 6, "month": 1}
    step = (
        relativedelta(days=days[unit])
        if unit in days
        else relativedelta(months=months.get(unit, 3))
    )
    assert _or_error(timex.add, day, unit, amount) == _or_error(lambda: day + step * amount)
    assert timex.add_months(day, amount) == day + relativedelta(months=amount)


def _or_error(function, *args):
    try:
        return function(*args)
    except (ValueError, OverflowError) as error:
        return type(error)


def test_a_calendar_step_beyond_year_9999_is_a_value_error():
    with pytest.raises(ValueError):
        timex.add_months(dt.date(9999, 12, 1), 1)
    with pytest.raises(ValueError):
        timex.add(dt.date(1, 1, 31), "year", -1)
    with pytest.raises(ValueError, match="unknown duration unit"):
        timex.add(dt.date(2024, 1, 1), "eon", 1)


@pytest.mark.parametrize("offset", [None, -1, 0, 1])
@pytest.mark.parametrize("lean", [-1, 0, 1])
def test_a_weekday_is_picked_from_the_days_within_a_week_of_the_anchor(offset, lean):
    for shift in range(7):
        anchor = dt.date(2025, 3, 10) + dt.timedelta(days=shift)
        days = [anchor + dt.timedelta(days=n) for n in range(-7, 8)]
        for index in range(1, 8):
            candidates = [timex.Period("day", d) for d in days if d.isoweekday() == index]
            expr = timex.Expr("weekday", index=index, offset=offset)
            picked = dates_resolver._pick(candidates, anchor, offset, lean)
            attrs = dates_resolver.resolve(expr, anchor, lean)
            assert (attrs and attrs["value"]) == (picked and picked.value)


def test_every_match_of_a_rule_in_the_gold_texts_holds_its_trigger():
    # ScanSet skips a rule whose trigger it cannot place: so every match must hold one
    tried = set()
    for case in GOLD:
        text = case["text"]
        for scanner, handler, trigger in ANNOTATOR.grammar.rules:
            for match in scanner.pattern.finditer(text) if trigger else ():
                tried.add(handler.__name__)
                assert trigger.search(text, match.start(), match.end()), match.group()
    assert len(tried) >= 25


MOD_PIECES = ["early", "mid", "more than", "by the end of", "no later than", "about", "the", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*MOD_PIECES, " ", "  ", "\n", "-", ","]), max_size=12))
def test_a_modifier_is_searched_for_only_as_far_back_as_its_longest_word(pieces):
    grammar = ANNOTATOR.grammar
    text = "".join(pieces) + "2025"
    everywhere = {kind: (pattern, len(text)) for kind, (pattern, _) in grammar.prefix.items()}
    for kind in ("point", "duration"):
        found = [Found(len(text) - 4, len(text), timex.Expr(kind)) for _ in range(2)]
        near = modified(text, found[:1], grammar.prefix, grammar.mods)
        assert near == modified(text, found[1:], everywhere, grammar.mods)
