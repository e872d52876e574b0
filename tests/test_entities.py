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


# --- one decision per name over the whole document (issue 10) ------------------------------


def by_text(doc, text):
    return [a for a in doc.layer("entities") if a.text == text]


def test_dateline_place_is_a_place_and_the_agency_a_source(annotate_text):
    doc = annotate_text(
        "OSLO, Norway (Reuters) - Brekka Energi ASA said on Monday it would build a plant.\n\n"
        "Brekka shares rose 4%.",
        "entities",
    )
    oslo = assert_span(doc, "entities", "OSLO", "GPE", canonical="Oslo", method="dateline")
    assert_span(doc, "entities", "Norway", "GPE")
    reuters = assert_span(doc, "entities", "Reuters", "ORG", role="source")
    assert oslo.attrs["entity_id"] != reuters.attrs["entity_id"]


def test_short_forms_possessives_and_capitals_join_the_full_name(annotate_text):
    doc = annotate_text(
        "NORDVALE CUTS PRICES\n\nNordvale Systems AG cut its prices on Tuesday. Nordvale’s "
        "rival Tessaly Labs said it would not follow. Nordvale said demand was strong.",
        "entities",
    )
    nordvale = [a for a in doc.layer("entities") if a.attrs.get("canonical") == "Nordvale Systems"]
    assert [a.text for a in nordvale] == ["NORDVALE", "Nordvale Systems AG", "Nordvale", "Nordvale"]
    assert {a.label for a in nordvale} == {"ORG"}
    assert len({a.attrs["entity_id"] for a in nordvale}) == 1
    assert "designator" in nordvale[1].attrs["evidence"]


def test_an_acronym_defined_in_parentheses_is_the_same_body(annotate_text):
    doc = annotate_text(
        "The Office of Fair Trading (OFT) opened an inquiry into Harbor Point Group on Friday. "
        "The OFT said it would report in June.",
        "entities",
    )
    acronyms = by_text(doc, "OFT")
    assert len(acronyms) == 2
    assert {a.attrs["canonical"] for a in acronyms} == {"Office of Fair Trading"}
    full = assert_span(doc, "entities", "Office of Fair Trading", "ORG")
    assert {a.attrs["entity_id"] for a in acronyms} == {full.attrs["entity_id"]}


def test_unseen_company_called_a_person_becomes_an_organisation_from_evidence(annotate_text):
    doc = annotate_text(
        "Vantor lost two big customers this year. Vantor shares fell 8% on Tuesday after "
        "rival Quelmar cut its prices, and Vantor said in a statement that it would respond.",
        "entities",
    )
    vantor = by_text(doc, "Vantor")
    assert len(vantor) == 3 and {a.label for a in vantor} == {"ORG"}
    assert {"role", "statement"} <= set(vantor[0].attrs["evidence"])


def test_a_person_whose_surname_is_a_company_stays_a_person(annotate_text):
    doc = annotate_text(
        "“Prices will fall,” said Sarah Dell, an analyst at Peel Hunt in London. "
        "Dell said the market had turned.",
        "entities",
    )
    assert {a.label for a in by_text(doc, "Dell")} == {"PERSON"}
    assert_span(doc, "entities", "Dell", "PERSON", canonical="Sarah Dell")
    assert_span(doc, "entities", "Peel Hunt", "ORG")


def test_a_company_named_after_a_place_and_the_place(annotate_text):
    doc = annotate_text(
        "Coimbra Capital SA bought a stake in the retailer. Coimbra said the deal would close "
        "in May. The fund has offices in Lisbon and in Coimbra.",
        "entities",
    )
    labels = [a.label for a in by_text(doc, "Coimbra")]
    assert labels == ["ORG", "GPE"]


def test_generic_acronyms_and_numbers_are_not_entities(annotate_text):
    doc = annotate_text(
        "AI spending rose 20% to $4 billion in 2024, the CEO of Tessaly Labs said before "
        "the IPO. GDP grew by two points.",
        "entities",
    )
    texts = {a.text for a in doc.layer("entities")}
    assert not {"AI", "CEO", "IPO", "GDP"} & texts
    assert not {a.label for a in doc.layer("entities")} & {"MONEY", "PERCENT", "DATE", "CARDINAL"}
    assert_span(doc, "entities", "Tessaly Labs", "ORG", evidence=["name-word", "role-of"])


def test_the_numeric_types_come_back_when_configured():
    from annotate.api import annotate_text, build_pipeline

    pipeline = build_pipeline(
        overrides={
            "pipeline": ["entities"],
            "annotators": {"entities": {"labels": ["ORG", "PERCENT"]}},
        }
    )
    doc = annotate_text("Tessaly Labs grew 20% last year.", pipeline=pipeline)
    assert_span(doc, "entities", "20%", "PERCENT")


def test_news_agencies_and_places_are_never_stance_parties(annotate_text):
    doc = annotate_text(
        "FRANKFURT (dpa) - Ostmark Chemie AG and Veridane GmbH agreed to form a joint venture "
        "in Frankfurt, Ostmark told Reuters.",
        "entities",
        "stance",
    )
    assert_span(doc, "entities", "dpa", "ORG", role="source")
    pairs = [p["orgs"] for p in doc.document["stance"]["pairs"]]
    assert pairs == [["Ostmark Chemie", "Veridane"]]


def test_a_quote_is_attributed_to_the_speakers_company(annotate_text):
    doc = annotate_text(
        "Brekka ASA makes batteries. Nordvale Systems AG makes inverters. "
        "“We compete with Brekka every day,” Nordvale chief executive Maria Lund said.",
        "entities",
        "stance",
    )
    (pair,) = doc.document["stance"]["pairs"]
    assert pair["orgs"] == ["Brekka", "Nordvale Systems"] and pair["label"] == "competition"


def test_a_dated_dateline_and_an_all_caps_headline(annotate_text):
    doc = annotate_text(
        "TESSALY WINS ORDER FROM KVARN\nBRUSSELS 1996-08-22\n"
        "Tessaly Labs said on Thursday that Kvarn Energi had ordered 40 turbines. "
        "Uzbekistan and Norway welcomed the deal.",
        "entities",
    )
    assert_span(doc, "entities", "BRUSSELS", "GPE", canonical="Brussels", method="dateline")
    assert_span(doc, "entities", "TESSALY", "ORG", canonical="Tessaly Labs")
    assert_span(doc, "entities", "KVARN", "ORG", canonical="Kvarn Energi")
    assert_span(doc, "entities", "Uzbekistan", "GPE")  # a country, whatever the model says


def test_institutions_are_no_stance_parties_but_companies_named_union_are(annotate_text):
    doc = annotate_text(
        "Dakota Rail Holdings and Union Pacific agreed to work together on a new line, "
        "and the Office of Fair Trading said it would not object.",
        "entities",
        "stance",
    )
    assert [p["orgs"] for p in doc.document["stance"]["pairs"]] == [
        ["Dakota Rail Holdings", "Union Pacific"]
    ]


def test_numbers_are_not_part_of_names_of_people_places_or_teams(annotate_text):
    doc = annotate_text(
        "Results on Saturday :\nChelsea 1 Leeds 1\nBarcelona beat Valencia 3-1 on Sunday . "
        "Boeing delivered 40 Boeing 737 jets .",
        "entities",
    )
    texts = [a.text for a in doc.layer("entities")]
    assert "Chelsea" in texts and "Leeds" in texts and "Valencia" in texts
    people_places_teams = [a.text for a in doc.layer("entities") if a.label != "PRODUCT"]
    assert not [t for t in people_places_teams if t[-1].isdigit()]


def test_the_company_refers_back_to_an_organisation(annotate_text):
    doc = annotate_text(
        "Brekka said on Monday it would cut 300 jobs in Bergen. "
        "The company also lowered its forecast for the year.",
        "entities",
    )
    brekka = assert_span(doc, "entities", "Brekka", "ORG")
    assert "the-company" in brekka.attrs["evidence"]
    assert_span(doc, "entities", "Bergen", "GPE")


def test_an_acronym_defined_after_a_name_the_model_cut_in_pieces(annotate_text):
    doc = annotate_text(
        "The Australian Competition and Consumer Commission (ACCC) fined Kimberley Pastoral "
        "Ltd on Monday. The ACCC said the Kumamoto-based Shiranui Imaging Co. Ltd had "
        "cooperated, and that barges on the River Clyde were not involved.",
        "entities",
    )
    accc = by_text(doc, "ACCC")
    assert {a.attrs["canonical"] for a in accc} == {
        "Australian Competition and Consumer Commission"
    }
    assert_span(doc, "entities", "Australian Competition and Consumer Commission", "ORG")
    assert_span(doc, "entities", "Shiranui Imaging Co. Ltd", "ORG", canonical="Shiranui Imaging")
    assert_span(doc, "entities", "River Clyde", "LOC")


def test_a_product_named_after_its_kind_is_no_company(annotate_text):
    doc = annotate_text(
        "Hjortholm Pharma A/S, whose weekly injection Slimora sold well, cut prices. "
        "Kallisto Semiconductor Corp. said its new chip K9 would ship in May.",
        "entities",
        "stance",
    )
    assert {a.label for a in by_text(doc, "Slimora")} == {"PRODUCT"}
    assert "Slimora" not in str(doc.document["stance"]["pairs"])


def test_a_title_case_headline_is_left_to_the_names_of_the_story(annotate_text):
    doc = annotate_text(
        "Clydemoor and Verhoeven Team Up on Hydrogen Ferry Order\n\n"
        "Clydemoor Marine Ltd has signed a partnership with Verhoeven Propulsion NV.",
        "entities",
    )
    assert [(a.text, a.attrs["canonical"]) for a in doc.layer("entities")][:2] == [
        ("Clydemoor", "Clydemoor Marine"),
        ("Verhoeven", "Verhoeven Propulsion"),
    ]
    assert not by_text(doc, "Ferry Order")
