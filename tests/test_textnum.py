"""The number parser shared by money and dates, and the CLDR currency tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from annotate.annotators import currencies
from annotate.annotators.textnum import alternation, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7", 7),
        ("1,000", 1000),
        ("1.5", 1.5),
        (".5", 0.5),
        ("twenty-five", 25),
        ("ninety nine", 99),
        ("one hundred and five", 105),
        ("a hundred", 100),
        ("three million two hundred thousand", 3_200_000),
        ("a", 1),
        ("an", 1),
        ("half", 0.5),
        ("a half", 0.5),
        ("a quarter", 0.25),
        ("three quarters", 0.75),
        ("two and a half", 2.5),
        ("one and a quarter", 1.25),
        ("a dozen", 12),
        ("two dozen", 24),
        ("1.5 million", 1_500_000),
        ("A Couple", 2),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == Decimal(str(value))


@pytest.mark.parametrize("text", ["", "several", "a few", "foo", "-", "1.2.3", "twenty foo"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_alternation_puts_the_longest_first_and_escapes() -> None:
    assert alternation(["a", "a b", "$"], r"\s+") == r"a\s+b|\$|a"


def test_currency_tables_come_from_cldr() -> None:
    tables = currencies.tables()
    assert {"KWD", "BGN", "MNT", "LBP", "ALL", "CUP", "TOP"} <= tables.codes
    assert tables.names["kuwaiti dinars"] == "KWD"
    assert tables.names["icelandic krona"] == "ISK"  # accents folded
    assert "KWD" in tables.heads["dinar"] and tables.digits["KWD"] == 3
    assert tables.symbols["€"] == "EUR"
    assert "XAU" not in tables.codes  # gold is no currency in news
