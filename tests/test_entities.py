"""Entities beyond bare spaCy: clean spans, canonical names, every mention found."""

from __future__ import annotations

from annotate.testing import assert_no_span, assert_span


def orgs(doc):
    return [(a.text, a.attrs["canonical"]) for a in doc.layer("entities") if a.label == "ORG"]


def test_possessive_and_leading_the_are_outside_the_span(annotate_text):
    doc = annotate_text(
        "Microsoft’s shares rose. The Stargate Project will cost billions, "
        "and Oracle's role grows.",
        "entities",
    )
    assert_span(doc, "entities", "Microsoft", "ORG", canonical="Microsoft")
    assert_no_span(doc, "entities", "Microsoft’s")
    assert_span(doc, "entities", "Stargate Project", canonical="Stargate Project")
    assert_span(doc, "entities", "Oracle", "ORG")


def test_designators_and_aliases_give_canonical_names(annotate_text):
    doc = annotate_text(
        "Microsoft Corp. said on Tuesday that it would expand. Analysts said Microsoft "
        "had little choice. MSFT shares fell.",
        "entities",
    )
    assert_span(doc, "entities", "Microsoft Corp.", "ORG", canonical="Microsoft")
    assert_span(doc, "entities", "Microsoft", "ORG", canonical="Microsoft")


def test_a_name_found_once_is_found_everywhere(annotate_text):
    doc = annotate_text(
        "Norvalis AG, a Swiss maker of sensors, agreed to supply Kestrel Robotics Inc. "
        "Norvalis will ship the first units in May. Kestrel Robotics said Norvalis was a "
        "reliable partner.",
        "entities",
    )
    norvalis = [a for a in doc.layer("entities") if a.attrs.get("canonical") == "Norvalis"]
    assert [a.text for a in norvalis] == ["Norvalis AG", "Norvalis", "Norvalis"]
    assert {a.label for a in norvalis} == {"ORG"}
    assert_span(doc, "entities", "Kestrel Robotics Inc.", "ORG", canonical="Kestrel Robotics")
    assert_span(doc, "entities", "Kestrel Robotics", "ORG", canonical="Kestrel Robotics")


def test_surname_alone_gets_the_full_name(annotate_text):
    doc = annotate_text(
        "Satya Nadella, the chief executive of Microsoft, spoke on Monday. "
        "Nadella said the deal was good.",
        "entities",
    )
    assert_span(doc, "entities", "Nadella", "PERSON", canonical="Satya Nadella")


def test_one_name_gets_one_label(annotate_text):
    from conftest import CORPUS

    text = (CORPUS / "microsoft-openai-stargate.txt").read_text().split("---\n", 2)[2]
    doc = annotate_text(text, "entities")
    labels = {a.label for a in doc.layer("entities") if a.attrs.get("canonical") == "OpenAI"}
    assert labels == {"ORG"}
    mentions = [a for a in doc.layer("entities") if a.attrs.get("canonical") == "OpenAI"]
    assert len(mentions) == text.count("OpenAI")  # every mention, possessives included
