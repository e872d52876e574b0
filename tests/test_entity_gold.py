"""Entities and stance parties on our own marked-up gold articles (tests/gold/entities/).

Floors a little under the measured figures (benchmarks/entity_gold.py prints them all): a
change that loses organisations, mislabels unseen companies or pairs places again fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.gold import load_marked, parse_marked

GOLD = Path(__file__).resolve().parent / "gold" / "entities"


@pytest.fixture(scope="module")
def report():
    import sys

    sys.path.insert(0, str(GOLD.parent.parent.parent / "benchmarks"))
    from entity_gold import score

    gold = [load_marked(p) for p in sorted(GOLD.glob("*.md")) if p.name != "README.md"]
    assert len(gold) >= 15
    return score(gold, ["entities", "stance"])


def test_marked_text_gives_offsets_into_the_plain_text():
    text, spans = parse_marked("[Nordvale Systems AG|ORG|Nordvale Systems] hired [Ann Lee|PERSON].")
    assert text == "Nordvale Systems AG hired Ann Lee."
    assert [(text[a.start : a.end], a.label, a.attrs) for a in spans] == [
        ("Nordvale Systems AG", "ORG", {"canonical": "Nordvale Systems"}),
        ("Ann Lee", "PERSON", {}),
    ]


def test_entity_f1(report):
    spans = report["spans"]["entities"]
    assert spans["*"]["exact"]["f1"] >= 0.88
    assert spans["*"]["overlap"]["f1"] >= 0.90
    assert spans["ORG"]["exact"]["f1"] >= 0.92
    assert spans["GPE"]["exact"]["f1"] >= 0.90
    assert spans["PERSON"]["exact"]["f1"] >= 0.83


def test_canonical_names(report):
    assert report["values"]["entities"]["canonical"]["accuracy"] >= 0.80


def test_stance_parties_are_organisations_of_the_story(report):
    assert report["pair_precision"]["precision"] >= 0.55
    assert report["stance"]["document_label"]["accuracy"] >= 0.65
