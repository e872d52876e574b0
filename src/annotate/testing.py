"""Test kit for annotator authors (a pytest plugin, loaded automatically once installed).

    def test_finds_tickers(annotate_text):
        doc = annotate_text("Shares of $MSFT rose.", "tickers")
        assert_span(doc, "tickers", "$MSFT", "TICKER", symbol="MSFT")

``annotate_text(text, *annotators, date=None, **meta)`` runs the named annotators (the
default pipeline if none are named) and checks the output contract: JSON Schema, offsets.
Pipelines are built once per test session and the spaCy model is loaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from annotate.api import build_pipeline
from annotate.model import Annotation, Document
from annotate.pipeline import Pipeline
from annotate.schema import validate


def check_contract(doc: Document) -> None:
    """Assert what every output must satisfy: the schema, offsets, order and unique ids."""
    record = doc.to_json()
    validate(record)
    for a in doc.annotations:
        assert doc.text[a.start : a.end] == a.text, f"{a.id} text does not match its offsets"
    keys = [(a.start, -a.end, a.layer) for a in doc.annotations]
    assert keys == sorted(keys), "annotations are not sorted by (start, -end, layer)"
    ids = [a.id for a in doc.annotations]
    assert len(ids) == len(set(ids)), "annotation ids are not unique"


def find_spans(doc: Document, layer: str, text: str, label: str | None = None) -> list[Annotation]:
    return [a for a in doc.layer(layer) if a.text == text and (label is None or a.label == label)]


def assert_span(
    doc: Document, layer: str, text: str, label: str | None = None, **attrs: Any
) -> Annotation:
    """Assert ``layer`` has a span ``text`` (with ``label`` and these ``attrs``); return it."""
    found = find_spans(doc, layer, text, label)
    assert found, (
        f"no {layer} span {text!r}{f' labelled {label}' if label else ''}; "
        f"found {[(a.text, a.label) for a in doc.layer(layer)]}"
    )
    annotation = found[0]
    for key, expected in attrs.items():
        assert annotation.attrs.get(key) == expected, (
            f"{layer} {text!r}: attrs[{key!r}] is {annotation.attrs.get(key)!r}, "
            f"expected {expected!r}"
        )
    return annotation


def assert_no_span(doc: Document, layer: str, text: str) -> None:
    """Assert no annotation of ``layer`` covers exactly ``text``."""
    found = find_spans(doc, layer, text)
    assert not found, f"unexpected {layer} span {text!r}: {[a.label for a in found]}"


def examples(path: str | Path) -> list[Any]:
    """Duckling-style example corpus -> ``pytest.param`` list, one per example.

    The YAML file::

        annotators: [tickers]        # what to run (default: the default pipeline)
        layer: tickers               # the layer the examples are about
        examples:
          - text: Shares of $MSFT rose.
            date: 2025-01-22         # optional document date
            expect:                  # spans that must be there (attrs: the keys given)
              - {text: $MSFT, label: TICKER, attrs: {symbol: MSFT}}
          - text: It costs 5 dollars.
            expect: []               # a negative: no span at all in the layer
    """
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    names = tuple(spec.get("annotators") or ())
    params = []
    for number, example in enumerate(spec["examples"], start=1):
        case = {"annotators": names, "layer": spec["layer"], **example}
        params.append(pytest.param(case, id=f"{number}-{example['text'][:40]}"))
    return params


def check_example(annotate_text: Callable[..., Document], case: dict[str, Any]) -> None:
    """Run one example from :func:`examples` and assert its expectations."""
    date = case.get("date")
    doc = annotate_text(case["text"], *case["annotators"], date=str(date) if date else None)
    expected = case.get("expect") or []
    if not expected:
        found = [(a.text, a.label) for a in doc.layer(case["layer"])]
        assert not found, f"expected no {case['layer']} span, found {found}"
    for span in expected:
        assert_span(doc, case["layer"], span["text"], span.get("label"), **span.get("attrs", {}))


@pytest.fixture(scope="session")
def annotate_pipeline() -> Callable[..., Pipeline]:
    """``annotate_pipeline(*names, **config)`` -> a Pipeline, cached for the session."""
    cache: dict[tuple[Any, ...], Pipeline] = {}

    def get(*names: str, **config: Any) -> Pipeline:
        key = (names, repr(sorted(config.items())))
        if key not in cache:
            overrides = {**config, **({"pipeline": list(names)} if names else {})}
            cache[key] = build_pipeline(overrides=overrides)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def annotate_text(annotate_pipeline: Callable[..., Pipeline]) -> Callable[..., Document]:
    """``annotate_text(text, *annotators, date=None, **meta)`` -> a checked Document."""

    def run(text: str, *names: str, date: str | None = None, **meta: Any) -> Document:
        if date is not None:
            meta["date"] = date
        doc = annotate_pipeline(*names).annotate(Document(id="test", text=text, meta=meta))
        check_contract(doc)
        return doc

    return run
