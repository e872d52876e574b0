"""Dates, times, durations and sets (TIMEX3), resolved against the document's own date.

A scanner of compiled regular expressions over ``doc.text`` (``dates_grammar``): every rule
proposes spans, the longest win, then modifiers ("early", "by the end of", "more than"), date +
time ("Tuesday at 3 p.m.") and ranges ("from March to June 2025") extend them.
``dates_resolver`` turns what was said into TIMEX3 values against ``doc.date`` under the
``relative_policy``; the clock is never read. See docs/layers/dates.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from importlib import resources
from typing import Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators.dates_grammar import Grammar
from annotate.annotators.dates_resolver import resolve
from annotate.annotators.timex import Expr
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("dates.yaml").read_text())

_SENTENCE = re.compile(r"[.!?]\s+(?=[A-Z\"“])")
_PASSIVE = re.compile(r"\b(?:be|been|being|is|are|am|'s|'re)\s+\Z", re.IGNORECASE)


class Dates(Annotator):
    """TIMEX3 dates, times, durations and sets, resolved against the document date."""

    name = "dates"
    version = "0.2.0"
    assigns = ("dates",)
    requires = ()
    spacy_components = None
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.grammar = Grammar(config)
        self.fiscal_start = int(config["fiscal_year_start"])
        self.policy = str(config["relative_policy"]).lower()
        if self.policy not in _POLICIES:
            raise ValueError(
                f"annotators.dates.relative_policy is {config['relative_policy']!r}; "
                f"use one of {', '.join(_POLICIES)}"
            )
        # the news policy reads the governing verb's tense from the parse: ask for it, so
        # that the output never depends on which other annotators run
        self.spacy_components = ("parser", "lemmatizer") if self.policy == "news" else None

    def annotate(self, doc: Document) -> Iterator[Annotation]:
        anchor = _anchor(doc.date)
        parsed = doc.spacy if self.policy == "news" else None
        for f in self.grammar.scan(doc.text):
            floating = _floating(f.expr)
            lean, cue = _POLICIES[self.policy], None
            if floating and self.policy == "news":
                lean, cue = _spacy_tense(parsed, f.start, f.end) or _lean(
                    self.grammar.cues, doc.text, f.start, f.end
                )
            try:
                attrs = resolve(f.expr, anchor, lean, self.fiscal_start)
            except (ValueError, OverflowError):  # beyond the calendar (year 10000 ...)
                attrs = None
            if not attrs:
                continue
            if floating and anchor is not None:
                attrs["policy"] = self.policy
                if cue:
                    attrs.update(tense="future" if lean > 0 else "past", cue=cue)
            yield Annotation("dates", f.start, f.end, f.expr.label, attrs)


_POLICIES = {"news": 0, "future": 1, "past": -1}
_FUTURE_AUX = frozenset({"will", "'ll", "shall", "wo", "ll"})
# Verbs whose "to" complement is still to come when they are not past ("plans to list in June",
# "is expected to close in May"); requests whose complement is, even when reported in the past
# ("urged the board to approve it before the fall", "asked them to decide by Friday").
# fmt: off
_FUTURE_HEADS = frozenset({"go", "expect", "schedule", "set", "due", "plan", "aim", "intend",
                           "promise", "vow", "pledge", "propose", "seek", "want", "hope",
                           "prepare", "need"})
_REQUEST_HEADS = frozenset({"urge", "ask", "call", "press", "order", "tell"})
# fmt: on


def _floating(expr: Expr) -> bool:
    """Whether ``expr`` names no year or week of its own, so the policy picks its occurrence."""
    if expr.kind == "time":
        return expr.date is not None and _floating(expr.date)
    if expr.kind == "interval":
        return expr.first is not None and _floating(expr.first)
    if expr.kind == "weekday":
        return expr.offset is None and not expr.amount
    return (
        expr.kind == "point"
        and expr.year is None
        and expr.year_offset is None
        and expr.offset is None
    )


def _spacy_tense(parsed: Any, start: int, end: int) -> tuple[int, str] | None:
    """(1 future or -1 past, the cue word) from the verb governing the span in spaCy's parse;
    None without a parse, or when the verb is present tense or unclear."""
    if not hasattr(parsed, "has_annotation") or not parsed.has_annotation("DEP"):
        return None
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    verb = span.root
    for _ in range(6):
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
            break
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or verb.i in range(span.start, span.end):
        return None
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    for aux in auxes:
        if aux.lower_ in _FUTURE_AUX:
            return 1, aux.text
    if verb.dep_ == "xcomp" and verb.head.lemma_ in _REQUEST_HEADS:
        return 1, verb.head.text
    if verb.dep_ == "xcomp" and verb.head.lemma_ in _FUTURE_HEADS:
        head_aux = [c for c in verb.head.children if c.dep_ == "aux"]
        if not any(a.tag_ == "VBD" for a in [verb.head, *head_aux]):
            return 1, verb.head.text
    past = [
        t
        for t in (verb, *auxes)
        if t.tag_ == "VBD" or ("Past" in t.morph.get("Tense") and t.tag_ != "VBN")
    ]
    if past:
        return -1, past[0].text
    if verb.tag_ == "VBN" and any(a.lemma_ == "have" for a in auxes):
        return -1, verb.text
    return None


def _anchor(value: str | None) -> date | None:
    """The document date as a date (its first ten characters, ISO), or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _lean(cues: re.Pattern[str], text: str, start: int, end: int) -> tuple[int, str | None]:
    """Tense around a span: 1 future, -1 past, 0 unknown, and the cue word; the cue nearest
    the span in its sentence decides."""
    left = _SENTENCE.split(text[max(0, start - 80) : start])[-1]
    right = _SENTENCE.split(text[end : end + 60])[0]
    best = None
    for match in cues.finditer(left):
        if match["past"] and _PASSIVE.search(left, 0, match.start()):
            continue  # "will be listed": the participle is no past tense
        best = (len(left) - match.end(), match)
    for match in cues.finditer(right):
        if "," in right[: match.start()] and best is not None:
            break  # ", it said": a reporting clause does not date what the clause before says
        if best is None or match.start() < best[0]:
            best = (match.start(), match)
        break
    if best is None:
        return 0, None
    return (1 if best[1]["future"] else -1), best[1].group()


@hookimpl
def register_annotators(register) -> None:
    register(Dates)
