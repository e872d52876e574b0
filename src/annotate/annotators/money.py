"""Money: amounts of currency, with ranges, bounds, rates and an ISO 4217 code.

A compiled-regex scanner over ``doc.text`` (no spaCy). One expression is one annotation:
"between $100 billion and up to $500 billion" is a range with ``min``, ``max`` and the
modifiers its words carry; "4 cents or 4$" is two amounts. Currency codes, names, plurals and
symbols come from CLDR (``currencies``); money.yaml adds newsroom aliases, the defaults of
ambiguous signs, scales and cue phrases. See docs/layers/money.md for the attrs.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators import currencies
from annotate.annotators.textnum import (
    CARDINAL,
    ONES,
    TENS,
    alternation,
    norm,
    parse_number,
    squash,
)
from annotate.annotators.textscan import Scanner, ScanSet
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("money.yaml").read_text())

_FRACTIONS = ["a half", "a quarter", "three quarters", "three-quarters"]
_DIGITS = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"
    r"|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?|\.\d+)(?!\d|[.,]\d)"
)
_EURO_DIGITS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d+,\d{1,2}")
# An expression starts at a word boundary, not inside a number, a formula or a symbol run.
_GUARD = r"(?<![\w.,^/$€£¥₹@#])(?<!\d-)"
_MAX_INT = 2**53
# Scale words (matched after a space or hyphen, in any case, plural allowed) as opposed to
# abbreviations (space optional) and single letters (attached only).
_SCALE_WORDS = frozenset("hundred thousand million billion trillion lakh lac crore".split())
_DATELINE = re.compile(
    r"\A\s*(?P<city>[A-Z][A-Z.'’ ]*[A-Z])(?:,(?P<place>[^\n(—–-]{0,40}))?\s*"
    r"(?:\([^)\n]{0,40}\)\s*)?[-—–:]"
)
_YEAR_DOLLARS = re.compile(r"(?i:in|constant|real|nominal)\s+\Z")
_LETTERS = re.compile(r"[A-Za-z]+")
# After a code that is also a word ("ALL 5 ..."): what may follow the number.
_AFTER_WORD_CODE = re.compile(r"\s*(?:[^\w\s]|\Z|(?:in|for|of|to|and|or|per|a|from|on|at|by)\b)")
_VAGUE_SCALES = {
    "hundreds": 100,
    "thousands": 1000,
    "millions": 10**6,
    "billions": 10**9,
    "trillions": 10**12,
}
_VAGUE_MULTIPLES = {"tens": 10, "hundreds": 100}
# Runs of letters, in the text and in the source of the expression (escapes, classes and group
# syntax blanked out first).
_RUNS = re.compile(r"[^\W\d_]+")
_SYNTAX = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\(\?P<\w+>|\(\?P=\w+\)|\(\?[a-zA-Z-]*:|\(\?<?[=!]")
_STARTS = re.compile(_GUARD)  # where an expression can start
_ANCHOR, _WALL, _OTHER = "anchor", "wall", "other"  # kinds of words (Money._kind)
_KINDS = 100_000  # most words whose kind is kept
# Words of the expression's own that can begin a match (see ``spelled``, ``expression``).
_OPENERS = (*ONES, *TENS, "half", "a", "an", "between", "from")
# Letters of a pattern that re's IGNORECASE matches to ASCII ones (the text's words are
# judged only when they are ASCII).
_FOLDS = str.maketrans({"ſ": "s", "\u212a": "k", "ı": "i", "İ": "i"})


@dataclass(frozen=True)
class Unit:
    """What a currency sign or word means: candidate codes (first is the default) and factor."""

    key: str
    candidates: tuple[str, ...]
    factor: Decimal = Decimal(1)
    weak: Decimal | None = None  # for words that are also ordinary words: the least amount


@dataclass
class Part:
    """One number of an expression: its value before the unit factor, scale and unit."""

    number: Decimal
    scale: Decimal | None
    unit: Unit | None

    @property
    def amount(self) -> Decimal:
        return self.number * (self.scale or 1) * (self.unit.factor if self.unit else 1)


class Money(Annotator):
    """Amounts of money: currency, value, ranges and bounds, approximation and rates."""

    name = "money"
    version = "0.2.0"
    assigns = ("money",)
    requires = ()
    spacy_components = None
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        c = config
        cldr = currencies.tables()
        self.digits = cldr.digits
        symbols = {**cldr.symbols, **c["symbols"]}
        self.symbols = {squash(k): _unit(squash(k), v) for k, v in symbols.items() if v}
        self.word_codes = frozenset(c["word_codes"])
        self.codes = {code: Unit(code, (code,)) for code in [*cldr.codes, *c["codes"]]}
        weak = {norm(k): Decimal(str(v)) for k, v in c["weak_words"].items()}
        words = _cldr_words(cldr, c)
        # CLDR's bare last words ("rand", "dinars") only in lower case, as news writes them:
        # "5 Rand analysts" and "a Rand study" are the RAND Corporation.
        named = {norm(k) for k in c["words"]} | set(cldr.names)
        self.lower_only = {norm(k) for k in words if norm(k) not in named and " " not in k}
        self.words = {norm(k): _unit(norm(k), v, weak.get(norm(k))) for k, v in words.items() if v}
        self.weight_cues = {w.lower() for w in c["weight_cues"]}
        self.scales = {k: Decimal(str(v)) for k, v in c["scales"].items()}
        self.approx = {norm(p) for p in c["approx"]}
        self.exact = {norm(p) for p in c["exact"]}
        self.bounds = {norm(k): tuple(v) for k, v in c["bounds"].items()}
        self.tails = {norm(k): v for k, v in c["tails"].items()}
        self.rate_words = {k.lower(): v for k, v in c["rate_words"].items()}
        self.unit_aliases = {k.lower(): v for k, v in c["unit_aliases"].items()}
        self.change_verbs = {w.lower() for w in c["change_verbs"]}
        self.datelines = {norm(k).upper(): v for k, v in c["datelines"].items()}
        self.countries = cldr.countries
        self.confident = set(c["confident_defaults"])
        self.max_value = Decimal(str(c["max_value"]))
        self.signs: dict[str, list[str]] = {}  # code -> non-letter symbols meaning only it
        for key, unit in self.symbols.items():
            if len(unit.candidates) == 1 and not key.isalpha() and unit.factor == 1:
                self.signs.setdefault(unit.candidates[0], []).append(key)
        self._compile({**c, "symbols": symbols, "codes": sorted(self.codes), "words": self.words})

    def _compile(self, c: Mapping[str, Any]) -> None:
        words = [k for k in c["scales"] if len(k) > 1 and k.lower() in _SCALE_WORDS]
        abbrs = [k for k in c["scales"] if len(k) > 1 and k not in words]
        letters = [k for k in c["scales"] if len(k) == 1]
        scale = (
            rf"(?:[\s-]?(?i:{_alt(words)})s?|\s?(?i:{_alt(abbrs)})"
            rf"|{_alt(letters)})(?![A-Za-z])"
        )
        scales = rf"(?:{scale}){{1,3}}"
        blockers = _alt(c["not_money_after"])
        anycase = [k for k in c["words"] if k not in self.lower_only]
        word = (
            rf"(?:(?i:{_alt(anycase, spaced=True)})|{_alt(self.lower_only)})"
            rf"(?:s|(?<=[A-Z])S)?(?![A-Za-z])"
            rf"(?![\s-]+(?i:{blockers})\b)"
        )
        before_scale = rf"(?=\s+(?i:{_alt(words)})\b)"
        before_word = rf"(?=[\s-]+(?:{word})(?!\s+for\b))"
        spelled = (
            rf"(?i:\b(?:{CARDINAL}|half\s+an?{before_scale}|an?{before_scale}"
            rf"|an?{before_word})"
            rf"(?:\s+and\s+(?:{_alt(_FRACTIONS, spaced=True)}))?)(?!\w)"
        )
        number = rf"(?:{_DIGITS}|{spelled})"
        symbols = _alt(c["symbols"])
        post_symbols = _alt(k for k in c["symbols"] if not k.endswith(".") and " " not in k)
        codes = _alt(c["codes"])
        minor = (
            rf"(?:,?\s+(?:and\s+)?(?P<minor>\d{{1,3}}|{CARDINAL})\s+"
            rf"(?i:{_alt(c['minor_units'], spaced=True)})(?![A-Za-z]))?"
        )
        amount = (
            rf"(?:(?P<pre>{symbols}|{codes})\s?(?P<num1>{_DIGITS})(?P<sc1>{scales})?"
            rf"(?:\s?(?P<code1>{codes})(?![A-Za-z]))?"
            rf"|(?P<num2>{number})(?P<sc2>{scales})?"
            rf"(?:\s?(?P<post>{post_symbols})(?![A-Za-z])(?!\s?\d)|[\s-]+(?P<word>{word})"
            rf"|\s?(?P<code2>{codes})(?![A-Za-z]))){minor}"
        )
        vague = re.compile(
            rf"{_GUARD}(?i:(?P<mult>tens|hundreds)\s+of\s+)?"
            rf"(?P<scale>(?i:{_alt(_VAGUE_SCALES)}))\s+(?i:of)\s+(?P<word>{word})"
        )
        self.vague = ScanSet([Scanner(vague)])  # tried where its scale words begin
        bare = rf"(?P<num>{number})(?P<sc>{scales})?(?!\s*(?:%|(?i:percent|per\s*cent)\b))"
        leads_keys = [*c["approx"], *c["exact"], *c["bounds"]]
        leads = _alt(leads_keys, spaced=True)
        bounds = _alt(c["bounds"], spaced=True)
        tails = "|".join(
            rf"\s+(?i:{_alt([k])})(?![A-Za-z])" if k[0].isalpha() else rf"{_alt([k])}(?![\w+])"
            for k in sorted(c["tails"], key=len, reverse=True)
        )
        rate = (
            rf"\s*/\s*(?P<slash>[A-Za-z]{{1,12}})(?![A-Za-z])"
            rf"|[\s-]+(?i:per)[\s-]+(?!(?i:cent)\b)(?P<per>[A-Za-z]+)"
            rf"|[\s-]+(?i:an?)[\s-]+(?P<a>(?i:{_alt(c['rate_units'])}))(?![A-Za-z])"
            rf"(?!\s+(?i:ago|earlier|later|before|after|from|old)\b)"
            rf"|\s+(?P<word>(?i:{_alt(c['rate_words'])}))(?![A-Za-z])"
        )
        self.amount = re.compile(amount)
        self.bare = re.compile(bare)
        self.rate = re.compile(rate)
        amount, bare, rate = _unnamed(amount), _unnamed(bare), _unnamed(rate)
        head = rf"{_GUARD}(?P<lead>(?:{leads})(?:(?<=[A-Za-z])\s+|(?<![A-Za-z])\s*))?"
        tail = rf"(?P<tail>{tails})?(?P<rate>{rate})?"
        self.single = re.compile(rf"{head}(?P<one>{amount}){tail}")
        self.expression = re.compile(
            rf"{head}(?:(?:(?P<kw>(?i:between|from))\s+)?(?P<a>{amount}|{bare})"
            rf"(?P<conn>\s*[-–—]\s*|\s+(?:to|and)\s+)(?P<inner>(?:{bounds})\s+)?"
            rf"(?P<b>{amount}|{bare})|(?P<one>{amount})){tail}"
        )
        self._live = _live_words(self.expression.pattern)
        self._anchor_words, chars = _anchors([*c["symbols"], *c["codes"], *c["words"]])
        self._kinds: dict[str, str] = {}
        # The words a match can begin with (lower-cased): a lead, "between" or "from", a sign
        # or code, a spelled number.
        self._openers = frozenset(
            _RUNS.match(k).group().lower().translate(_FOLDS)
            for k in [*leads_keys, *c["symbols"], *c["codes"], *_OPENERS]
            if _RUNS.match(k)
        )
        self._anchor_chars = re.compile(f"[{''.join(map(re.escape, sorted(chars)))}]")

    def annotate(self, doc: Document) -> Iterator[Annotation]:
        text = doc.text
        hints = self._hints(doc)
        [matches] = self.vague.finditers(text)
        vague = [self._vague(m, hints) for m in matches]
        taken = [(a.start, a.end) for a in vague]
        found_all = list(vague)
        for match in self._expressions(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            found = self._expression(text, match, hints) if match["a"] else None
            if found is not None:
                found_all.extend(found)
                continue
            singles = self.single.finditer(text, match.start(), match.end())
            for single in singles if match["a"] else [match]:
                found = self._single(text, single, hints)
                if found is not None:
                    found_all.append(found)
        yield from sorted(found_all, key=lambda a: a.start)

    def _expressions(self, text: str) -> list[re.Match]:
        """The matches of ``self.expression.finditer(text)`` that hold a currency sign, code
        or word: the only ones that can be money. The expression is tried only in the stretches
        of text around such anchors, between two words that no match can run across.

        A word of ASCII letters that is none of the expression's own words (``_live_words``)
        and follows no "per" or "/" (a rate takes any word there) cannot be inside a match
        that began before it, so no match spans its start, and ``finditer`` from there gives
        the same matches as ``finditer`` from the start of the text. Each stretch is scanned
        as ``finditer`` scans, by ``match`` at every place a match can start, in order.
        """
        anchors = [m.start() for m in self._anchor_chars.finditer(text)]
        walls = []  # starts of words that no match runs across, unless "per" or "/" is before
        kinds = self._kinds
        if len(kinds) > _KINDS:
            kinds.clear()
        for run in _RUNS.finditer(text):
            word = run.group()
            kind = kinds.get(word)
            if kind is None:
                kind = kinds[word] = self._kind(word)
            if kind is _WALL:
                walls.append(run.start())
            elif kind is _ANCHOR:
                anchors.append(run.start())
        if not anchors:
            return []
        stretches = []
        for anchor in sorted(anchors):
            if stretches and anchor < stretches[-1][1]:
                continue
            i = bisect.bisect_right(walls, anchor)
            while i and _after_rate(text, walls[i - 1]):
                i -= 1
            begin = walls[i - 1] if i else 0
            i = bisect.bisect_right(walls, anchor)
            while i < len(walls) and _after_rate(text, walls[i]):
                i += 1
            stretches.append((begin, walls[i] if i < len(walls) else len(text)))
        found = []
        match = self.expression.match
        openers = self._openers
        for begin, end in stretches:
            done = begin
            for start in _STARTS.finditer(text, begin, end):
                at = start.start()
                if at >= end:
                    break
                if at < done:
                    continue
                word = _RUNS.match(text, at)  # whole: a match starts after no letter
                if word and (w := word.group()).isascii() and w.lower() not in openers:
                    continue
                m = match(text, at)
                if m is not None:
                    found.append(m)
                    done = m.end()
        return found

    def _kind(self, word: str) -> str:
        """_ANCHOR for a word a currency sign, code or word holds, _WALL for a word no match
        holds (but a rate's any-word), else _OTHER."""
        low = word.lower()
        if low in self._anchor_words or low[:-1] in self._anchor_words or not word.isascii():
            return _ANCHOR
        return _WALL if low not in self._live else _OTHER

    def _vague(self, m: re.Match, hints: list) -> Annotation:
        """ "billions of dollars": approximate, from the scale up to the next one
        ([1e9, 1e12)); "tens of billions" [1e10, 1e11), "hundreds of dollars" [100, 1000)."""
        scale = _VAGUE_SCALES[m["scale"].lower()]
        multiple = _VAGUE_MULTIPLES.get((m["mult"] or "").lower(), 1)
        unit = self._word(m["word"])
        low = Decimal(scale * multiple) * unit.factor
        step = 10 if multiple > 1 or scale == 100 else 1000
        attrs = {
            "value": None,
            "min": low,
            "max": low * step,
            "approx": True,
            "vague": True,
        }
        return self._annotation(m, attrs, unit, hints)

    def _hints(self, doc: Document) -> list[tuple[str, str]]:
        """(reason, currency) pairs that settle ambiguous signs, strongest first."""
        hints = []
        if doc.meta.get("currency"):
            hints.append(("meta.currency", str(doc.meta["currency"]).upper()))
        dateline = _DATELINE.match(doc.text)
        if dateline and (city := norm(dateline["city"]).upper()) in self.datelines:
            hints.append((f"dateline {city}", self.datelines[city]))
        elif dateline and dateline["place"]:  # "STAVANGER, Norway (Reuters) -": CLDR's country
            country = currencies.fold(norm(dateline["place"]))
            if country in self.countries:
                hints.append((f"dateline {dateline['place'].strip()}", self.countries[country]))
        if self.config["currency"]:
            hints.append(("config currency", str(self.config["currency"]).upper()))
        return hints

    def _single(self, text: str, m: re.Match, hints: list) -> Annotation | None:
        part = self._part(m["one"], self.amount)
        if part is None or part.unit is None or not self._plausible(text, m, part, hints):
            return None
        if not self._word_code_ok(text, m, self.amount.fullmatch(m["one"])):
            return None
        attrs = {"value": part.amount, "min": None, "max": None, "approx": False}
        self._qualify(attrs, m)
        return self._annotation(m, attrs, part.unit, hints)

    def _expression(self, text: str, m: re.Match, hints: list) -> list[Annotation] | None:
        """A range "between A and B", "from A to B", "A to B", "A-B"; None if it is not one."""
        a = self._part(m["a"], self.amount) or self._part(m["a"], self.bare)
        b = self._part(m["b"], self.amount) or self._part(m["b"], self.bare)
        kw, conn = (m["kw"] or "").lower(), m["conn"].strip()
        if (
            a is None
            or b is None
            or (a.unit or b.unit) is None
            or (conn == "and") != (kw == "between")
            or (b.unit is None and b.scale is None and conn == "to" and not kw)
            or (a.unit is None and a.scale is None and re.fullmatch(r"(?:19|20)\d\d", m["a"]))
        ):
            return None
        if not all(
            self._word_code_ok(text, m, self.amount.fullmatch(m[side])) for side in ("a", "b")
        ):
            return None
        if kw == "from" and self._changes(text, m.start()):
            return self._change(text, m, a, b, hints)
        unit = b.unit or a.unit
        if a.unit and b.unit and _code(a.unit, hints) != _code(b.unit, hints):
            return None
        bare_a = a.unit is None
        a.unit, b.unit = a.unit or unit, b.unit or unit
        if a.scale is None and b.scale is not None:
            scaled = Part(a.number, b.scale, a.unit)
            if scaled.amount <= b.amount:
                a = scaled
            elif bare_a:
                return None
        if a.amount > b.amount or not all(self._plausible(text, m, p, hints) for p in (a, b)):
            return None
        attrs = {"value": None, "min": a.amount, "max": b.amount, "approx": False}
        if m["inner"]:
            attrs["max_mod"] = self.bounds[norm(m["inner"])][1]
        self._qualify(attrs, m)
        return [self._annotation(m, attrs, unit, hints)]

    def _change(
        self, text: str, m: re.Match, a: Part, b: Part, hints: list
    ) -> list[Annotation] | None:
        """ "rose from 1.1 to 1.3 dollars": two amounts; a bare first one takes the unit of the
        second. None (each amount on its own) unless the first is bare."""
        if a.unit is not None or b.unit is None:
            return None
        a.unit, a.scale = b.unit, a.scale or b.scale
        if not (self._plausible(text, m, a, hints) and self._plausible(text, m, b, hints)):
            return None
        first = _Span(m.start("a"), m.end("a"))
        second = _Span(m.start("b"), m.end("b") if not m["tail"] else m.end())
        found = []
        for span, part in ((first, a), (second, b)):
            attrs = {"value": part.amount, "min": None, "max": None, "approx": False}
            found.append(self._annotation(span, attrs, part.unit, hints))
        return found

    def _part(self, text: str, pattern: re.Pattern) -> Part | None:
        m = pattern.fullmatch(text)
        if m is None:
            return None
        groups = m.groupdict()
        number = groups.get("num1") or groups.get("num2") or groups.get("num")
        scale = groups.get("sc1") or groups.get("sc2") or groups.get("sc")
        unit = None
        if groups.get("code1") or groups.get("code2"):
            unit = self.codes[groups.get("code1") or groups["code2"]]
        elif groups.get("pre") or groups.get("post"):
            sign = squash(groups.get("pre") or groups["post"])
            unit = self.symbols.get(sign) or self.codes[sign]
        elif groups.get("word"):
            unit = self._word(groups["word"])
        number = _number(number)
        if number is None:
            return None
        if groups.get("minor") and unit is not None and unit.factor == 1:
            minor = parse_number(groups["minor"])
            size = 10 ** self.digits.get(unit.candidates[0], 2)
            if minor is None or minor >= size:
                return None
            number += minor / size
        return Part(number, self._scale(scale) if scale else None, unit)

    def _word(self, word: str) -> Unit:
        key = norm(word)
        if key.endswith("s") and key[:-1] in self.words:
            return self.words[key[:-1]]
        return self.words.get(key) or self.words.get(currencies.fold(key)) or self.words[key[:-1]]

    def _word_code_ok(self, text: str, m: re.Match, amount: re.Match | None) -> bool:
        """A code that is also a word (ALL, CUP, TOP) is money only right next to a number, in
        running text (not a headline in capitals) and, before the number, not before a noun."""
        if amount is None:
            return True
        code = amount["pre"] or amount["code1"] or amount["code2"]
        if code not in self.word_codes:
            return True
        around = (
            _LETTERS.findall(text[max(0, m.start() - 30) : m.start()])[-1:]
            + _LETTERS.findall(text[m.end() : m.end() + 30])[:1]
        )
        if any(w.isupper() and len(w) > 1 for w in around):
            return False
        if amount["pre"] and not amount["sc1"] and re.fullmatch(r"(?:19|20)\d\d", amount["num1"]):
            return False  # "NIO 2024 deliveries", "CVE 2024-3094"
        return bool(amount["code2"] or amount["sc1"] or _AFTER_WORD_CODE.match(text, m.end()))

    def _scale(self, text: str) -> Decimal:
        total = Decimal(1)
        for token in _LETTERS.findall(text):
            scale = self.scales.get(token) or self.scales.get(token.lower())
            total *= scale if scale is not None else self.scales[token.lower()[:-1]]
        return total

    def _plausible(self, text: str, m: re.Match, part: Part, hints: list) -> bool:
        """False for a currency word used otherwise ("lost 20 pounds", "in 2019 dollars")."""
        unit = part.unit
        if unit is None:
            return True
        if unit.weak is not None:
            before = _LETTERS.findall(text[max(0, m.start() - 40) : m.start()])[-3:]
            if re.match(r"\s+of\b", text[m.end() : m.end() + 4]) or any(
                w.lower() in self.weight_cues for w in before
            ):
                return False
            context = {code for _, code in hints} | {
                code for code, signs in self.signs.items() if any(s in text for s in signs)
            }
            return (
                part.scale is not None
                or part.amount >= unit.weak
                or bool(context & set(unit.candidates))
            )
        year = part.scale is None and re.fullmatch(r"(?:19|20)\d\d", str(part.number))
        return not (year and unit.key in self.words and _YEAR_DOLLARS.search(text, 0, m.start()))

    def _changes(self, text: str, start: int) -> bool:
        """Whether a verb of change comes just before: "rose from $2bn to $3bn" is no range."""
        before = _LETTERS.findall(text[max(0, start - 40) : start])[-2:]
        return any(w.lower() in self.change_verbs for w in before)

    def _qualify(self, attrs: dict[str, Any], m: re.Match) -> None:
        """Apply the lead ("up to", "about"), the tail ("or more") and the rate ("per share")."""
        for cue, table in ((m["lead"], self.bounds), (m["tail"], self.tails)):
            if not cue:
                continue
            key = norm(cue)
            if key in self.exact:
                continue
            meaning = "approx" if key in self.approx else table.get(key)
            if meaning == "approx":
                attrs["approx"] = True
            elif meaning:
                side, modifier = meaning
                if attrs["value"] is not None:
                    attrs[side], attrs["value"] = attrs["value"], None
                attrs[f"{side}_mod"] = modifier
        if m["rate"]:
            r = self.rate.fullmatch(m["rate"]).groupdict()
            if r["word"]:
                attrs["per"] = self.rate_words[r["word"].lower()]
            else:
                unit = r["slash"] or r["per"] or r["a"]
                attrs["per"] = self.unit_aliases.get(unit.lower(), unit.lower())

    def _annotation(
        self, m: re.Match, attrs: dict[str, Any], unit: Unit, hints: list
    ) -> Annotation:
        code, reason = _resolve(unit, hints)
        attrs = {"currency": code, **attrs}
        if reason is not None and not (reason == "default" and unit.key in self.confident):
            attrs["currency_candidates"] = list(unit.candidates)
            attrs["currency_reason"] = reason if reason != "default" else f"default for {unit.key}"
        numbers = [attrs[k] for k in ("value", "min", "max") if attrs[k] is not None]
        if any(abs(n) > self.max_value for n in numbers):
            attrs.update(value=None, min=None, max=None, flag="implausible amount")
        for key in ("value", "min", "max"):
            attrs[key] = _json(attrs[key])
        return Annotation("money", m.start(), m.end(), "MONEY", attrs)


@dataclass(frozen=True)
class _Span:
    """A span standing in for a match where only the offsets matter."""

    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


def _resolve(unit: Unit, hints: list[tuple[str, str]]) -> tuple[str, str | None]:
    """The code for ``unit``, and why (None when it was unambiguous)."""
    if len(unit.candidates) == 1:
        return unit.candidates[0], None
    for reason, code in hints:
        if code in unit.candidates:
            return code, reason
    return unit.candidates[0], "default"


def _code(unit: Unit, hints: list[tuple[str, str]]) -> str:
    return _resolve(unit, hints)[0]


def _unit(key: str, value: Any, weak: Decimal | None = None) -> Unit:
    factor = Decimal(1)
    if isinstance(value, Mapping):
        factor, value = Decimal(str(value.get("factor", 1))), value["currency"]
    candidates = (value,) if isinstance(value, str) else tuple(value)
    return Unit(key, candidates, factor, weak)


def _number(text: str) -> Decimal | None:
    """A number as money writes it: "1.000.000,5" and "3,50" are European."""
    if _EURO_DIGITS.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if norm(text).startswith("half"):
        return Decimal("0.5")
    return parse_number(text)


def _cldr_words(cldr: currencies.CurrencyTables, c: Mapping[str, Any]) -> dict[str, Any]:
    """Currency words: CLDR names and plurals, their last word for current currencies
    ("dinars"), the aliases in money.yaml ("Norwegian crowns"), then money.yaml's own words."""
    skip = {norm(w) for w in c["not_currency_heads"]}
    words: dict[str, Any] = {k: list(v) for k, v in cldr.heads.items() if k not in skip}
    words |= dict(cldr.names)
    for alias, heads in c["head_aliases"].items():
        for name, code in cldr.names.items():
            first, _, last = name.rpartition(" ")
            if first and last in heads:
                words.setdefault(f"{first} {alias}", code)
    return {**words, **c["words"]}


def _json(value: Decimal | None) -> int | float | None:
    """An int when the amount is whole and exact in a double, else a float (0.04, 2.5)."""
    if value is None:
        return None
    if value == value.to_integral_value() and abs(value) <= _MAX_INT:
        return int(value)
    return float(value)


def _alt(keys: Iterable[str], spaced: bool = False) -> str:
    """A regex alternation of literal ``keys``, longest first; a space matches any blank run."""
    return alternation(keys, r"\s+" if spaced else r"\s?")


def _after_rate(text: str, at: int) -> bool:
    """Whether "per" or "/" comes before ``at`` (over blanks and hyphens): a rate's word."""
    while at and (text[at - 1].isspace() or text[at - 1] == "-"):
        at -= 1
    return text[at - 1 : at] == "/" or text[max(0, at - 3) : at].lower() == "per"


def _live_words(pattern: str) -> frozenset[str]:
    """Every word (lower-cased, also without its last letter and with a plural s) that
    ``pattern`` can match letter for letter; a word outside this set is matched, if at all,
    only by a rate's any-word after "per" or "/"."""
    words = set()
    for run in _RUNS.findall(_SYNTAX.sub(" ", pattern)):
        word = run.lower().translate(_FOLDS)
        words.update((word, word[:-1], f"{word}s"))
    return frozenset(words)


def _anchors(keys: Iterable[str]) -> tuple[frozenset[str], set[str]]:
    """What every written form of a currency sign, code or word holds: its currency signs
    ("$" of "US$"), else its longest word (lower-cased), else its characters."""
    words, chars = set(), set()
    for key in keys:
        signs = {c for c in key if unicodedata.category(c) == "Sc"}
        runs = _RUNS.findall(key)
        if signs or not runs:
            chars |= signs or set("".join(key.split()))
        else:
            words.add(max(runs, key=len).lower())
    return frozenset(words), chars


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


@hookimpl
def register_annotators(register) -> None:
    register(Money)
