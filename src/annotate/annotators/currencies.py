"""Currency reference data from CLDR (through ``babel``): ISO 4217 codes, English names and
plurals, symbols and minor-unit digits. Built once per process (about 60 ms) and cached.

Only what CLDR lacks stays in money.yaml: newsroom aliases ("crowns", "greenback"), the defaults
of ambiguous signs ("$", "kr", "dinar") and local signs CLDR keeps in non-English locales ("zł").
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies, list_currencies

# Tender on this day counts as current (a fixed day: the output never depends on the clock).
CURRENT_ON = date(2025, 1, 1)


@dataclass(frozen=True)
class CurrencyTables:
    """What CLDR says about currencies, in English."""

    codes: frozenset[str]  # every ISO 4217 code CLDR knows, current or historic
    current: frozenset[str]  # legal tender somewhere on CURRENT_ON
    names: dict[str, str]  # lower-case full name, singular and plural -> code
    heads: dict[str, tuple[str, ...]]  # last word of current names ("dinar") -> codes
    symbols: dict[str, str]  # English symbol ("CA$", "€") -> code
    countries: dict[str, str]  # lower-case English country name ("norway") -> its currency
    digits: dict[str, int]  # code -> digits of the minor unit (KWD 3, JPY 0)


def fold(text: str) -> str:
    """Lower case without accents: "Icelandic Króna" -> "icelandic krona"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ʻ", "'")


@functools.cache
def tables() -> CurrencyTables:
    """The CLDR tables, built on first use."""
    english = Locale.parse("en")
    tender = {
        territory: get_territory_currencies(territory, start_date=CURRENT_ON, tender=True)
        for territory in sorted(get_global("territory_currencies"))
    }
    current = frozenset(code for codes in tender.values() for code in codes)
    countries = {
        fold(name): tender[territory][0]
        for territory, name in sorted(english.territories.items())
        if territory.isalpha() and tender.get(territory)
    }
    # Metals, test and fund codes (XAU, XTS, XDR ...) are not money in news.
    codes = frozenset(c for c in list_currencies() if not c.startswith("X") or c in current)
    plurals = english._data["currency_names_plural"]
    names: dict[str, str] = {}
    heads: dict[str, set[str]] = defaultdict(set)
    for code in sorted(codes):
        forms = [english.currencies.get(code)]
        plural = plurals.get(code)
        if plural:
            forms += [plural.get("one"), plural.get("other")]
        for form in filter(None, forms):
            key = fold(" ".join(form.split()))
            if "(" in key or not key[0].isalpha():
                continue
            names.setdefault(key, code)
            if code in current and " " in key:
                heads[key.rsplit(" ", 1)[1]].add(code)
    symbols = {
        symbol: code
        for code, symbol in sorted(english.currency_symbols.items())
        if code in codes and symbol != code and not symbol.isalpha()
    }
    digits = {code: get_currency_precision(code) for code in codes}
    return CurrencyTables(
        codes=codes,
        current=current,
        names=names,
        heads={k: tuple(sorted(v)) for k, v in sorted(heads.items())},
        symbols=symbols,
        countries=countries,
        digits=digits,
    )
