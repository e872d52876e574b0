"""The deals plugin, through the real pipeline: parties, amount and date linked by id."""

from __future__ import annotations

PIPELINE = ("entities", "money", "dates", "deals")


def deals(doc):
    return doc.layer("deals")


def test_acquisition_links_buyer_target_amount_and_date(annotate_text):
    doc = annotate_text(
        "Kestrel Robotics Inc. agreed to acquire Norvalis AG for $2.1 billion in March 2024.",
        *PIPELINE,
        date="2024-03-05",
    )
    [deal] = deals(doc)
    assert deal.label == "ACQUISITION" and deal.text == "acquire"
    roles = {p["name"]: p["role"] for p in deal.attrs["parties"]}
    assert roles == {"Kestrel Robotics": "buyer", "Norvalis": "target"}
    for party in deal.attrs["parties"]:
        assert doc.get(party["id"]).layer == "entities"
    amount = deal.attrs["amount"]
    assert amount["value"] == 2_100_000_000 and amount["currency"] == "USD"
    assert doc.get(amount["id"]).layer == "money"
    assert deal.attrs["date"]["value"] == "2024-03"
    assert doc.get(deal.attrs["date"]["id"]).layer == "dates"


def test_investment_and_joint_venture(annotate_text):
    doc = annotate_text(
        "Microsoft invested $1 billion in OpenAI in 2019. Last year SoftBank and Oracle formed a "
        "joint venture.",
        *PIPELINE,
        date="2025-01-22",
    )
    kinds = {d.attrs["type"]: d for d in deals(doc)}
    invest = kinds["investment"]
    assert {p["name"]: p["role"] for p in invest.attrs["parties"]} == {
        "Microsoft": "investor",
        "OpenAI": "target",
    }
    assert invest.attrs["date"]["value"] == "2019"
    venture = kinds["joint_venture"]
    assert {p["name"] for p in venture.attrs["parties"]} == {"Oracle", "SoftBank"}


def test_no_deal_without_two_parties(annotate_text):
    doc = annotate_text("Investors want more investment in the sector.", *PIPELINE)
    assert deals(doc) == []
