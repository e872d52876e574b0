"""The output contract holds on any text: offsets, order, ids, schema."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.merge import merge
from annotate.model import Annotation, Document
from annotate.schema import validate
from annotate.testing import check_contract

NEWSY = st.lists(
    st.sampled_from(
        [
            "Microsoft",
            "OpenAI’s",
            "Norvalis AG",
            "the Stargate Project",
            "$100 billion",
            "in 2019",
            "said",
            "and",
            "Satya Nadella",
            ",",
            ".",
            "\n",
            "  ",
            "😀",
            "e\u0301",
            "東京",
            "\u200b",
        ]
    ),
    max_size=40,
).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(min_size=1), NEWSY.filter(str.strip)))
def test_offsets_hold_on_arbitrary_unicode(annotate_text, text):
    doc = annotate_text(text)  # checks schema, text[start:end], order and unique ids
    for a in doc.annotations:
        assert 0 <= a.start <= a.end <= len(text)


def test_round_trip_through_json(annotate_text):
    doc = annotate_text("Microsoft Corp. invested $1 billion in OpenAI in 2019.", date="2025-01-22")
    record = doc.to_json()
    validate(record)
    assert Document.from_json(record).to_json() == record


def ann(layer: str, start: int, end: int, label: str) -> Annotation:
    return Annotation(layer, start, end, label, sources=[layer])


SETTINGS = {
    "policy": "merge",
    "match": "exact",
    "subsumes": {"money": {"entities": ["MONEY"]}, "dates": {"entities": ["DATE"]}},
}


def test_merge_keeps_one_annotation_per_compatible_span():
    annotations = [
        ann("entities", 0, 10, "MONEY"),
        ann("money", 0, 10, "MONEY"),
        ann("entities", 0, 10, "ORG"),
        ann("entities", 20, 24, "DATE"),
    ]
    merged = merge(annotations, SETTINGS)
    assert [(a.layer, a.label, a.sources) for a in merged] == [
        ("money", "MONEY", ["money", "entities"]),
        ("entities", "ORG", ["entities"]),
        ("entities", "DATE", ["entities"]),  # no dates annotation there: kept
    ]


def test_merge_overlap_and_keep_all():
    annotations = [ann("entities", 8, 20, "MONEY"), ann("money", 0, 40, "MONEY")]
    assert len(merge(list(annotations), SETTINGS)) == 2
    assert len(merge(list(annotations), {**SETTINGS, "match": "overlap"})) == 1
    assert len(merge(list(annotations), {**SETTINGS, "policy": "keep-all"})) == 2


def test_document_is_checked_by_the_contract_helper():
    doc = Document(id="x", text="Hello world")
    doc.annotations = [Annotation("l", 0, 5, "A", text="Hello", sources=["l"], id="T1")]
    check_contract(doc)


JSON_LIKE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),  # NaN and infinities too
        st.text(),
        st.just("\ud800"),  # a lone surrogate
        st.just(2**2000),
        st.just(b"bytes"),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(JSON_LIKE)
def test_json_problem_fast_path_agrees_with_strict_json(value):
    from annotate.contract import json_problem

    problem = json_problem(value, "v")
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
        strict = _only_str_keys(value) and not _huge(value)
    except (TypeError, ValueError):
        strict = False
    assert (problem is None) == strict, problem


def _only_str_keys(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _only_str_keys(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_only_str_keys(v) for v in value)
    return True


def _huge(value) -> bool:
    if isinstance(value, dict):
        return any(_huge(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_huge(v) for v in value)
    return isinstance(value, int) and value.bit_length() > 1024


class _Label(str):
    pass


class _Attrs(dict):
    pass


class _Span(Annotation):
    pass


ANNOTATION_PARTS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([Annotation, _Span]),
        "layer": st.sampled_from(["x", "y", 1, None]),
        "start": st.one_of(st.integers(-2, 12), st.booleans(), st.just(1.0)),
        "end": st.one_of(st.integers(-2, 12), st.booleans()),
        "label": st.one_of(st.sampled_from(["A", _Label("B")]), st.integers()),
        "attrs": st.one_of(
            st.dictionaries(st.text(max_size=3), JSON_LIKE, max_size=3),
            st.builds(_Attrs, st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
            st.lists(st.integers(), max_size=1),
        ),
        "sources": st.one_of(
            st.lists(st.sampled_from(["s", 1]), max_size=2), st.tuples(st.just("s"))
        ),
    }
)


@given(ANNOTATION_PARTS)
def test_the_fast_contract_check_agrees_with_the_careful_one(parts):
    """Exact types pass quickly; anything else gets the careful check, which allows
    subclasses (of Annotation, str, dict) and explains what it refuses."""
    from annotate.contract import ContractError, _check, check_annotations

    kind = parts.pop("kind")
    a = kind(**parts)
    doc = Document(id="d", text="0123456789")
    try:
        _check(a, {"x"}, len(doc.text), set())
        careful = None
    except ContractError as error:
        careful = str(error)
    try:
        assert check_annotations([a], doc, ["x"]) == [a]
        fast = None
    except ContractError as error:
        fast = str(error)
    assert fast == careful
