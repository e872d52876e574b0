"""Named entities: spaCy's statistical NER, with cleaner spans and canonical names.

Beyond bare spaCy: spans drop a leading "the" and a possessive 's; ``attrs.canonical`` maps
"Microsoft’s" and "Microsoft Corp." to "Microsoft" (designators stripped, alias table, most
frequent casing); a name found once is found at its other mentions (and a person by surname);
mentions of one name get the label most of them got; "<Name> Inc." is an organisation.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from annotate.annotator import Annotator
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("entities.yaml").read_text())

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\n][\"'”’)]*\s+|\n)[\"'“‘(]*\Z")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
# Words that start a sentence and are not part of the name that follows.
_NOT_NAME_START = frozenset(
    (
        "a an and as at but by for from in into of on or so the then this that these those to "
        "when where while with after before since although though if yet"
    ).split()
)


@dataclass
class Mention:
    start: int
    end: int
    label: str
    method: str


class Entities(Annotator):
    """Organisations, people, places and the other OntoNotes types, with canonical names."""

    name = "entities"
    version = "0.1.0"
    assigns = ("entities",)
    spacy_components = ("ner",)
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.labels = frozenset(config["labels"])
        self.name_labels = frozenset(config["name_labels"])
        self.aliases = {_key(k): v for k, v in (config["aliases"] or {}).items()}
        designators = sorted(config["designators"], key=len, reverse=True)
        alternation = "|".join(re.escape(d) for d in designators)
        self.designator_suffix = re.compile(rf",?\s+(?:{alternation})$")
        self.known_orgs = {_key(name) for name in config["known_orgs"]}
        names = sorted(config["known_orgs"], key=len, reverse=True)
        self.known_pattern = re.compile(
            r"(?<![\w&.])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w&]|['’]\w\w)"
        )
        nouns = "|".join(re.escape(n) for n in config["org_nouns"])
        roles = "|".join(re.escape(r) for r in sorted(config["org_roles"], key=len, reverse=True))
        before = "|".join(re.escape(b) for b in config["org_before"])
        self.org_after = re.compile(
            rf"\s*(?:,\s*(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}(?:{nouns})\b"
            rf"|(?:['’]s)?\s+(?:{roles})\b)"
        )
        self.org_before = re.compile(rf"\b(?:{before})\s+$", re.IGNORECASE)
        self.designated_name = re.compile(
            rf"\b((?:[A-Z][\w&.'’-]*\s+){{0,4}}?[A-Z][\w&.'’-]*),?\s+(?:{alternation})(?![\w-])"
        )

    def annotate(self, doc: Document) -> Iterator[Annotation]:
        text = doc.text
        mentions = [
            self._trim(text, Mention(e.start_char, e.end_char, e.label_, "ner"))
            for e in doc.spacy.ents
            if e.label_ in self.labels
        ]
        mentions = [m for m in mentions if m.end > m.start]
        for m in mentions:  # "Norvalis AG" is a company whatever the model says
            if m.label in self.name_labels and self.designator_suffix.search(text, m.start, m.end):
                m.label, m.method = "ORG", "ner+designator"
        mentions += self._designated(text, mentions)
        mentions += self._known(text, mentions)
        if self.config["propagate"]:
            mentions += self._propagated(text, mentions)
        canonical = self._canonical_names(text, mentions)
        self._vote_labels(text, mentions, canonical)
        for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
            attrs: dict[str, Any] = {}
            if m.label in self.name_labels:
                attrs["canonical"] = canonical[_key(self._strip(text[m.start : m.end]))]
            attrs["method"] = m.method
            yield Annotation("entities", m.start, m.end, m.label, attrs)

    def _trim(self, text: str, m: Mention) -> Mention:
        if m.label not in self.name_labels:
            return m
        span = text[m.start : m.end]
        if lead := _LEADING_THE.match(span):
            m.start += lead.end()
        if tail := _POSSESSIVE.search(text, m.start, m.end):
            m.end = tail.start()
        while m.end > m.start and text[m.end - 1] in " ,;:\"'’”-":
            m.end -= 1
        return m

    def _strip(self, name: str) -> str:
        """A name without designators, possessive, odd quotes or doubled spaces."""
        name = " ".join(name.translate(_QUOTES).split())
        name = _POSSESSIVE.sub("", name)
        stripped = self.designator_suffix.sub("", name)
        return stripped or name

    def _designated(self, text: str, found: list[Mention]) -> list[Mention]:
        """Capitalised names followed by a corporate designator, where NER saw no entity."""
        taken = _Coverage(len(text), found)
        extra = []
        for match in self.designated_name.finditer(text):
            start, end = match.start(1), match.end()
            words = match.group(1).split()
            while words and words[0].lower() in _NOT_NAME_START:
                start = text.index(words[1], start) if len(words) > 1 else end
                words.pop(0)
            if words and not taken.overlaps(start, end):
                extra.append(Mention(start, end, "ORG", "designator"))
                taken.add(start, end)
        return extra

    def _known(self, text: str, found: list[Mention]) -> list[Mention]:
        """Well-known organisations the model missed, except at a sentence start, where a
        capitalised "Target" or "Shell" is as likely an ordinary word."""
        extra = []
        for match in self.known_pattern.finditer(text):
            start, end = match.span()
            if _SENTENCE_START.search(text, 0, start):
                continue
            clashes = [m for m in [*found, *extra] if m.start < end and start < m.end]
            if any(m.label in self.name_labels for m in clashes):
                continue
            for m in clashes:  # "Last year SoftBank" (DATE) -> "Last year" + SoftBank
                if m.end == end and m.start < start:
                    m.end = len(text[m.start : start].rstrip()) + m.start
                elif m.start == start and end < m.end:
                    m.start = end + len(text[end : m.end]) - len(text[end : m.end].lstrip())
                else:
                    break
            else:
                extra.append(Mention(start, end, "ORG", "known"))
        return extra

    def _propagated(self, text: str, found: list[Mention]) -> list[Mention]:
        """Other mentions of names already found: full forms, designator-free forms, surnames."""
        forms: dict[str, str] = {}
        for m in found:
            if m.label not in self.name_labels:
                continue
            surface = text[m.start : m.end]
            for form in _forms(surface, self._strip(surface), m.label):
                forms.setdefault(form, m.label)
        if not forms:
            return []
        pattern = re.compile(
            r"(?<![\w&])("
            + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            + r")(?![\w&]|['’]\w\w)"
        )
        taken = _Coverage(len(text), found)
        extra = []
        for match in pattern.finditer(text):
            if not taken.overlaps(match.start(), match.end()):
                extra.append(
                    Mention(match.start(), match.end(), forms[match.group()], "name-match")
                )
                taken.add(match.start(), match.end())
        return extra

    def _canonical_names(self, text: str, mentions: Iterable[Mention]) -> dict[str, str]:
        """Key of each stripped surface form -> canonical name."""
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        people: dict[str, set[str]] = defaultdict(set)
        for m in mentions:
            if m.label not in self.name_labels:
                continue
            stripped = self._strip(text[m.start : m.end])
            surfaces[_key(stripped)][stripped] += 1
            if m.label == "PERSON" and len(stripped.split()) > 1:
                people[_key(stripped.split()[-1])].add(_key(stripped))
        canonical = {}
        for key, counts in surfaces.items():
            if key in self.aliases:
                canonical[key] = self.aliases[key]
            elif len(people.get(key, ())) == 1 and key not in people.get(key, ()):
                full = next(iter(people[key]))
                canonical[key] = self.aliases.get(full) or surfaces[full].most_common(1)[0][0]
            else:
                canonical[key] = counts.most_common(1)[0][0]
        return canonical

    def _vote_labels(self, text: str, mentions: list[Mention], canonical: dict[str, str]) -> None:
        """Give every mention of one name the label most of its found mentions got.

        The small model often calls a new company a place or a person, and rarely calls a
        place a company, so ORG votes count more; a designator ("Inc.") settles it.
        """
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for m in mentions:
            if m.label not in self.name_labels:
                continue
            name = canonical[_key(self._strip(text[m.start : m.end]))]
            if _key(name) in self.known_orgs:
                votes[name]["ORG"] += 10.0
            if self._org_context(text, m):
                votes[name]["ORG"] += 2.0
            if m.method != "name-match":
                weight = 3.0 if "designator" in m.method else 1.5 if m.label == "ORG" else 1.0
                votes[name][m.label] += weight
        for m in mentions:
            if m.label in self.name_labels:
                counts = votes[canonical[_key(self._strip(text[m.start : m.end]))]]
                if counts:
                    m.label = max(counts, key=lambda label: (counts[label], label == "ORG"))

    def _org_context(self, text: str, m: Mention) -> bool:
        """Does the text around the mention say it is an organisation?"""
        if self.org_after.match(text, m.end, min(len(text), m.end + 80)):
            return True
        return bool(self.org_before.search(text, max(0, m.start - 40), m.start))


def _key(name: str) -> str:
    return " ".join(name.translate(_QUOTES).casefold().split())


def _forms(surface: str, stripped: str, label: str) -> set[str]:
    forms = {surface, stripped}
    words = stripped.split()
    if label == "PERSON" and len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper():
        forms.add(words[-1])
    return {f for f in forms if len(f) > 1 and f[0].isupper()}


class _Coverage:
    """Characters already inside a mention, for overlap checks in time linear in the span."""

    def __init__(self, size: int, mentions: Iterable[Mention]) -> None:
        self.mask = bytearray(size)
        for m in mentions:
            self.add(m.start, m.end)

    def overlaps(self, start: int, end: int) -> bool:
        return any(self.mask[start:end])

    def add(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)


@hookimpl
def register_annotators(register) -> None:
    register(Entities)
