"""Named entities: spaCy's statistical NER, with one decision per name over the whole document.

The model's mentions are cleaned (no leading "the", no possessive), completed (designated
names, known organisations, datelines, every other mention of a name found once) and grouped
into entities: a short form ("Nordvale"), an acronym defined in parentheses ("OFT"), a surname
or an all-caps form joins its full name. Each entity then takes one label from the evidence of
all its mentions (entity_evidence.py), and every mention carries the entity's ``canonical``
name, ``entity_id`` and the ``evidence`` behind its label.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators.entity_evidence import ContextCues, Cue, Evidence, decide
from annotate.annotators.entity_names import (
    NameForms,
    datelines,
    given_names,
    initials,
    is_acronym,
    key,
    places,
    surnames,
    title_case,
)
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("entities.yaml").read_text())

_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\n][\"'”’)]*\s+|\n)[\"'“‘(]*\Z")
# "the", "THE" and lower-case words before a name: "the Stargate Project", "fintech Tembo".
_LEADING_WORDS = re.compile(r"(?:(?:The|THE|[a-z]+(?:-[a-z]+)*)\s+)+(?=[A-Z0-9])")
_DEFINITION = re.compile(r"[^\S\n]*\(([A-Z][A-Za-z&.]{1,7})\)")
# CLDR codes of bodies and groupings rather than territories.
_SUPRANATIONAL = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB"})
_LEADING_NUMBERS = re.compile(r"(?:[\d.,:\-–]+\s+)+(?=\D)")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+|\n")
_INNER_NUMBER = re.compile(r"\s+[\d.,:\-–]+\s+")
_TRAILING_NUMBERS = re.compile(r"(?:\s+[\d.,:\-–]+)+$")
# Labels whose names may end in a number ("Boeing 737", "Euro 2024", "Article 50").
_NUMBERED = frozenset({"PRODUCT", "EVENT", "LAW", "WORK_OF_ART", "FAC"})
_TRAILING_WORDS = re.compile(r"(?:\s+(?:and|or|&|[a-z]+))+$")
_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
_LEADING_POSSESSIVE = re.compile(r"([A-Z][\w.-]*(?: [A-Z][\w.-]*)?)['’]s\s+(?=[A-Z])")
# A line of three or more words in capitals: a headline, where the model's labels are noise.
_HEADLINE = re.compile(r"^[^a-z\n]*[A-Z]{2,}[^a-z\n]*(?: [^a-z\n]+){2,}$", re.MULTILINE)
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
    role: str | None = None  # "source" for a news agency
    fixed: bool = False  # a dateline's place or agency: its label is not voted on
    canonical: str = ""
    entity_id: str = ""
    evidence: list[str] = field(default_factory=list)

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass
class Entity:
    """One organisation, person or place of the document and its mentions."""

    name: str  # the stripped surface of its longest form
    mentions: list[Mention] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)


class Entities(Annotator):
    """Organisations, people, places and the other OntoNotes name types, one label per name."""

    name = "entities"
    version = "0.2.0"
    assigns = ("entities",)
    spacy_components = ("ner",)
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.labels = frozenset(config["labels"])
        self.name_labels = frozenset(config["name_labels"])
        self.aliases = {key(k): v for k, v in (config["aliases"] or {}).items()}
        self.forms = NameForms(config["designators"], keep=config["known_orgs"])
        self.designators = frozenset(config["designators"])
        self.strip = functools.lru_cache(maxsize=8192)(self.forms.strip)
        self.known_orgs = {key(name) for name in config["known_orgs"]}
        self.agencies = {key(name) for name in config["news_agencies"]}
        self.not_names = frozenset(config["not_names"])
        self.name_words = {w: label for label, words in config["name_words"].items() for w in words}
        self.stoplist = frozenset(config["short_form_stoplist"])
        self.strong_cues = frozenset(config["strong_cues"])
        nouns = "|".join(re.escape(n) for n in config["company_anaphors"])
        self.company_anaphor = re.compile(
            rf"(?:^|(?<=[.!?]\s)|(?<=[.!?][\"”’]\s))The\s+(?:{nouns})\b", re.MULTILINE
        )
        self.cues = ContextCues(_expand(config["evidence"], config))
        self.known_index = _index(config["known_orgs"] + config["news_agencies"])
        self.designated_name = re.compile(
            rf"\b((?:[A-Z][\w&.'’-]*[^\S\n]+){{0,4}}?[A-Z][\w&.'’-]*),?[^\S\n]+"
            rf"(?:{self.forms.alternation})"
            r"(?![\w-])"
        )
        from babel import Locale

        self.territories = {  # countries and territories; not the EU, UN or "world" regions
            key(n)
            for code, n in Locale("en").territories.items()
            if code.isalpha() and code not in _SUPRANATIONAL
        }

    def setup(self, nlp: Language | None) -> None:
        """Load the name lists once per process, before the first document."""
        given_names(), surnames(), places()

    def annotate(self, doc: Document) -> Iterator[Annotation]:
        text = doc.text
        found = [
            self._trim(text, Mention(e.start_char, e.end_char, e.label_, "ner"))
            for e in doc.spacy.ents
            if e.label_ in self.labels
        ]
        found = self._cleaned(text, [m for m in found if m.end > m.start])
        fixed = self._datelines(text)
        mentions = [m for m in found if not _overlaps(m, fixed)] + fixed
        mentions += self._designated(text, mentions)
        mentions += self._known(text, mentions)
        defined = self._acronyms_defined(text, mentions)
        mentions = self._split_conjoined(text, [m for m in mentions if self._is_name(text, m)])
        if self.config["propagate"]:
            mentions += self._propagated(text, mentions)
        before = self.cues.ends_of_before_cues(text)
        names = [m for m in mentions if m.label in self.name_labels]
        referred = self._referred_to(text, names)
        for number, entity in enumerate(self._entities(text, names, before, defined), 1):
            if referred.intersection(map(id, entity.mentions)):
                entity.evidence.add("ORG", "the-company")
            self._label(text, entity, before)
            canonical = self._canonical(text, entity)
            for m in entity.mentions:
                m.canonical, m.entity_id = canonical, f"E{number}"
                m.evidence = entity.evidence.reasons(m.label)
        for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
            attrs: dict[str, Any] = {}
            if m.label in self.name_labels:
                attrs.update(canonical=m.canonical, entity_id=m.entity_id, evidence=m.evidence)
            if m.role:
                attrs["role"] = m.role
            attrs["method"] = m.method
            yield Annotation("entities", m.start, m.end, m.label, attrs)

    # -- finding mentions -------------------------------------------------------------------

    def _trim(self, text: str, m: Mention) -> Mention:
        if m.label not in self.name_labels:
            return m
        if lead := _LEADING_WORDS.match(text, m.start, m.end):
            m.start = lead.end()
        if tail := _TRAILING_WORDS.search(text, m.start, m.end):  # "Dakota Rail and"
            m.end = tail.start()
        row = _LEADING_NUMBERS.match(text, m.start, m.end)  # "1 Leeds 1" in a results table
        if row:
            m.start = row.end()
        if (row or m.label not in _NUMBERED) and (
            tail := _TRAILING_NUMBERS.search(text, m.start, m.end)
        ):
            m.end = tail.start()  # "Valencia 3-1"; but "Boeing 737" is a product
        tail = _POSSESSIVE.search(text, m.start, m.end)
        if tail and key(text[m.start : m.end]) not in self.forms.keep:
            m.end = tail.start()
        while m.end > m.start and (
            text[m.end - 1] in " ,;:\"'’”-("
            or (text[m.end - 1] == ")" and "(" not in text[m.start : m.end])
        ):
            m.end -= 1
        while m.end > m.start and text[m.start] in " \"'“‘(":
            m.start += 1
        return m

    def _cleaned(self, text: str, found: list[Mention]) -> list[Mention]:
        """The model's names made whole: a designator the model split off joins its name
        ("Skarvik Offshore" + "ASA"), a territory's possessive is split off ("Norway’s
        Ministry of Energy"), and names inside an all-caps headline are left to propagation."""
        headlines = [h.span() for h in _HEADLINE.finditer(text)]
        result = []
        for m in found:
            if any(s <= m.start and m.end <= e for s, e in headlines):
                continue
            if m.label in self.name_labels and m.label not in _NUMBERED:
                # "Chelsea 1 Leeds" in a results table: two names
                *parts, m = _split_at_numbers(text, m)
                result += parts
            if m.label in self.name_labels:
                tail = self.forms.designator_after.match(text, m.end)
                if tail:
                    m.end = tail.end()
                lead = _LEADING_POSSESSIVE.match(text, m.start, m.end)
                if lead and key(lead.group(1)) in self.territories:
                    result.append(Mention(m.start, m.start + len(lead.group(1)), "GPE", m.method))
                    m.start = lead.end()
            result.append(m)
        kept: list[Mention] = []
        widest: Mention | None = None  # the kept name reaching furthest so far
        for m in sorted(result, key=lambda m: (m.start, -m.end)):
            if widest and m.end <= widest.end and m.span != widest.span:
                continue  # a name inside a name
            if text[m.start : m.end] not in self.designators:
                kept.append(m)
                if widest is None or m.end > widest.end:
                    widest = m
        return kept

    def _is_name(self, text: str, m: Mention) -> bool:
        if m.label not in self.name_labels or m.fixed:
            return True
        surface = text[m.start : m.end]
        return surface not in self.not_names and any(c.isupper() or c.isdigit() for c in surface)

    def _referred_to(self, text: str, names: list[Mention]) -> set[int]:
        """Mentions (by ``id``) that a sentence opening "The company …" refers back to: the
        first name of the sentence before it."""
        names = sorted(names, key=lambda m: m.start)
        starts = [m.start for m in names]
        found = set()
        for match in self.company_anaphor.finditer(text):
            window = max(0, match.start() - 400)
            ends = [e.end() for e in _SENTENCE_END.finditer(text, window, match.start())]
            sentence = ends[-2] if len(ends) > 1 else window
            first = bisect_left(starts, sentence)
            if first < len(names) and names[first].start < match.start():
                found.add(id(names[first]))
        return found

    def _datelines(self, text: str) -> list[Mention]:
        """A dateline's place is a GPE and its agency an ORG with the role "source"."""
        found = []
        for line in datelines(text):
            place = text[line.places[0][0] : line.places[0][1]]
            agency = text[line.agency[0] : line.agency[1]] if line.agency else ""
            if not place.isupper() and key(agency) not in self.agencies:
                continue
            found += [Mention(s, e, "GPE", "dateline", fixed=True) for s, e in line.places]
            if line.agency:
                found.append(Mention(*line.agency, "ORG", "dateline", role="source", fixed=True))
        return found

    def _designated(self, text: str, found: list[Mention]) -> list[Mention]:
        """Capitalised names followed by a corporate designator, where NER saw no entity or
        only part of it ("Solheim" of "Solheim Grid ASA": the part is dropped from ``found``)."""
        found.sort(key=lambda m: (m.start, -m.end))
        starts = [m.start for m in found]
        taken = _Coverage(len(text), found)
        extra, dropped = [], set()
        for match in self.designated_name.finditer(text):
            start, end = match.start(1), match.end()
            words = match.group(1).split()
            while words and (words[0].lower() in _NOT_NAME_START or _POSSESSIVE.search(words[0])):
                start = text.index(words[1], start) if len(words) > 1 else end
                words.pop(0)
            if not words:
                continue
            first = bisect_left(starts, start)
            inside = [m for m in found[first : bisect_left(starts, end)] if m.end <= end]
            if inside and not taken.overlaps(start, inside[0].start):
                for m in inside:
                    dropped.add(id(m))
                    taken.remove(m.start, m.end)
            if not taken.overlaps(start, end):
                extra.append(Mention(start, end, "ORG", "designator"))
                taken.add(start, end)
        found[:] = [m for m in found if id(m) not in dropped]
        return extra

    def _known(self, text: str, found: list[Mention]) -> list[Mention]:
        """Well-known organisations and agencies the model missed, except at a sentence start,
        where a capitalised "Target" or "Shell" is as likely an ordinary word."""
        extra = []
        for start, end, _ in _occurrences(text, self.known_index):
            if _SENTENCE_START.search(text, max(0, start - 8), start):
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

    def _acronyms_defined(self, text: str, found: list[Mention]) -> dict[str, str]:
        """Acronyms defined in parentheses after a name ("Office of Fair Trading (OFT)",
        "Norwegian University of Science and Technology (NTNU)"), by key: the name's key. An
        acronym the model missed there is added as a mention."""
        taken = _Coverage(len(text), found)
        defined = {}
        for m in list(found):
            if m.label not in self.name_labels:
                continue
            after = _DEFINITION.match(text, m.end)
            name = self.strip(text[m.start : m.end])
            if after and after.group(1)[0] == name[0] and " " in name:
                start, end = after.span(1)
                defined[key(after.group(1))] = key(name)
                if not taken.overlaps(start, end):
                    found.append(Mention(start, end, m.label, "acronym"))
                    taken.add(start, end)
        return defined

    def _split_conjoined(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """An ORG span "Quillon and Orbis" is two organisations when each part is a name
        found elsewhere in the document (or the start of one)."""
        names = {key(self.strip(text[m.start : m.end])) for m in mentions} | self.known_orgs
        firsts = {n.split()[0] for n in names}
        result = []
        for m in mentions:
            parts = re.fullmatch(r"(.+?)\s+(?:and|&)\s+(.+)", text[m.start : m.end])
            if (
                m.label in self.name_labels
                and parts
                and all(key(p) in names or key(p) in firsts for p in parts.groups())
            ):
                result += [
                    Mention(m.start + parts.start(i), m.start + parts.end(i), m.label, m.method)
                    for i in (1, 2)
                ]
            else:
                result.append(m)
        return result

    def _propagated(self, text: str, found: list[Mention]) -> list[Mention]:
        """Other mentions of names already found: full and designator-free forms, a person's
        surname, a designated company's first word, and all-caps headline forms."""
        forms: dict[str, str] = {}
        lower = set(re.findall(r"\b[a-z][\w'-]*", text))
        for m in found:
            if m.label not in self.name_labels or m.fixed:
                continue
            surface = text[m.start : m.end]
            stripped = self.strip(surface)
            for form in self._forms(surface, stripped, m.label, lower):
                forms.setdefault(form, m.label)
                forms.setdefault(form.upper(), m.label)
        forms = {f: label for f, label in forms.items() if f not in self.not_names}
        if not forms:
            return []
        taken = _Coverage(len(text), found)
        extra = []
        for start, end, form in _occurrences(text, _index(forms)):
            if not taken.overlaps(start, end):
                extra.append(Mention(start, end, forms[form], "name-match"))
                taken.add(start, end)
        return extra

    def _forms(self, surface: str, stripped: str, label: str, lower: set[str]) -> set[str]:
        """The forms of a name that propagation looks for (the caller adds all-caps ones)."""
        forms = {surface, stripped}
        words = stripped.split()
        if len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper() and label == "PERSON":
            forms.add(words[-1])
        if (
            len(words) > 1
            and self._company_name(surface)
            and len(words[0]) > 3
            and words[0][0].isupper()
            and words[0].lower() not in lower
            and words[0] not in self.stoplist
        ):
            # "Arcturus" for "Arcturus Automation Corp."; only "TESSALY" (a headline) for the
            # undesignated "Tessaly Labs", where "Nordic" of "Nordic Cell Alliance" is no name
            forms.add(words[0] if self.forms.has_designator(surface) else words[0].upper())
        return {f for f in forms if len(f) > 1 and f[0].isupper()}

    # -- grouping mentions into entities ---------------------------------------------------

    def _entities(
        self, text: str, mentions: list[Mention], before: dict[int, Cue], defined: dict[str, str]
    ) -> list[Entity]:
        """Group mentions by name; a short form, surname, acronym or all-caps form joins the one
        longer name it belongs to. A short form shared by a company and people ("Castellano"
        for Castellano Air and Javier Castellano) is the nearest person before it where its own
        context names a person ("Mr. Castellano", "Castellano, 54,"), else the company.
        Entities come in the order of their first mention."""
        by_key: dict[str, list[Mention]] = {}
        for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
            by_key.setdefault(key(self.strip(text[m.start : m.end])), []).append(m)
        names = {k: self.strip(text[ms[0].start : ms[0].end]) for k, ms in by_key.items()}
        linkable = [k for k, ms in by_key.items() if not any(m.fixed for m in ms)]
        short_ok = {  # "Norwegian" is no short form of "Norwegian University of …"
            k
            for k in linkable
            if k not in self.territories and not all(m.label == "NORP" for m in by_key[k])
        }
        people = {
            k
            for k in linkable
            if any(m.label == "PERSON" for m in by_key[k])
            or (" " in k and self._is_given_name(k.split()[0]))
        }
        order = {k: i for i, k in enumerate(linkable)}
        index: dict[tuple[str, str], list[str]] = {}  # longer names by first/last word, initials
        for k in linkable:
            if " " in k:
                words = k.split()
                index.setdefault(("first", words[0]), []).append(k)
                index.setdefault(("last", words[-1]), []).append(k)
                index.setdefault(("initials", initials(names[k])), []).append(k)
        parent, shared = {}, {}
        for k in linkable:
            if defined.get(k) in by_key:
                parent[k] = defined[k]
                continue
            longer = self._longer_names(k, names, index, order, people) if k in short_ok else []
            companies = [n for n in longer if n not in people]
            if len(longer) == 1:
                parent[k] = longer[0]
            elif len(companies) <= 1 and longer:
                shared[k] = (companies, [n for n in longer if n in people])

        def root(k: str) -> str:
            seen = {k}
            while k in parent and parent[k] not in seen:
                k = parent[k]
                seen.add(k)
            return k

        groups: dict[str, list[Mention]] = {}
        for k, ms in by_key.items():
            for m in ms:
                target = k
                if k in shared:
                    companies, persons = shared[k]
                    person = any(
                        c.kind == "PERSON" for c in self.cues.around(text, m.start, m.end, before)
                    )
                    if person or not companies:
                        target = _nearest_before(persons, by_key, m.start) or k
                    else:
                        target = companies[0]
                groups.setdefault(root(target), []).append(m)
        entities = [Entity(names[r], sorted(ms, key=lambda m: m.start)) for r, ms in groups.items()]
        return sorted(entities, key=lambda e: e.mentions[0].start)

    def _longer_names(
        self,
        name: str,
        names: dict[str, str],
        index: dict[tuple[str, str], list[str]],
        order: dict[str, int],
        people: set[str],
    ) -> list[str]:
        """The longer names that ``name`` may be a short form of: its first words, a person's
        surname (even a known organisation's: "Dell" after "Sarah Dell"), its acronym. Where
        several fit, those that are clearly companies ("Hoshida Electronics" rather than the
        product "Hoshida Z8") are preferred; a known organisation's name is the short form
        only of such a company name ("Sony" of "Sony Group", not "Microsoft" of "Microsoft
        Azure")."""
        words = name.split()
        known = name in self.known_orgs or name in self.agencies
        prefix_ok = len(name) > 2 and (
            len(words) > 1
            or not (self._is_given_name(words[0]) or words[0].title() in self.stoplist)
        )
        acronym = names[name].replace(".", "") if is_acronym(names[name]) and not known else None
        found, companies = [], []
        near = {*index.get(("first", words[0]), ()), *index.get(("last", name), ())}
        near.update(index.get(("initials", acronym), ()) if acronym else ())
        for other in sorted(near, key=order.__getitem__):
            other_words = other.split()
            if len(other_words) <= len(words):
                continue
            company = self._company_name(names[other])
            if (
                (prefix_ok and other_words[: len(words)] == words and (company or not known))
                or (len(words) == 1 and other_words[-1] == name and other in people)
                or (acronym and initials(names[other]) == acronym)
            ):
                found.append(other)
                if company:
                    companies.append(other)
        if len(found) > 1 and len(companies) == 1:  # not the product "Hoshida Z8"
            return [n for n in found if n in companies or n in people]
        return found

    def _company_name(self, name: str) -> bool:
        """Does ``name`` say by itself that it is a company ("… AG", "… Group")?"""
        words = name.split()
        return self.forms.has_designator(name) or (
            len(words) > 1 and self.name_words.get(words[-1]) == "ORG"
        )

    def _city(self, name: str) -> bool:
        """A city or US state, and not also a person's name ("Mainz", "Santa Clara"; not
        "Jackson" or "Paris", which are surnames too)."""
        words = name.split()
        if key(name) not in places():
            return False
        return len(words) > 1 or not (
            self._is_given_name(words[0]) or words[0].upper() in surnames()
        )

    def _is_given_name(self, word: str) -> bool:
        return word.upper() in given_names()

    # -- one label per entity ----------------------------------------------------------------

    def _label(self, text: str, entity: Entity, before: dict[int, Cue]) -> None:
        """One label for the entity from all its evidence; a short form keeps a label of its
        own where its own context clearly says so ("Mr. Ford" among mentions of the carmaker,
        "in Coimbra" among mentions of Coimbra Capital). A news agency, or a company named only
        as an analyst's employer, is a source."""
        evidence = entity.evidence
        own: list[list[Cue]] = []
        for m in entity.mentions:
            if m.method in ("ner", "ner+designator") or m.fixed:
                evidence.model[m.label] += 1
            own.append(self.cues.around(text, m.start, m.end, before))
            for cue in own[-1]:
                evidence.add(cue.kind, cue.name)
        if any(m.fixed for m in entity.mentions):
            return
        label = self._decide(text, entity)
        commentator = all(any(c.name == "commentator" for c in cues) for cues in own)
        source = key(entity.name) in self.agencies or (label == "ORG" and commentator)
        full = key(entity.name)
        for m, cues in zip(entity.mentions, own, strict=True):
            kinds = {c.kind for c in cues}
            if kinds == {"GPE"} and _POSSESSIVE_AFTER.match(text, m.end):
                kinds = set()  # "an investment in Marlowe's unit": the company's unit
            short = key(self.strip(text[m.start : m.end])) != full
            if source:
                m.label, m.role = "ORG", "source"
            elif (
                short
                and len(kinds) == 1
                and label not in kinds
                and ("PERSON" in kinds or label == "ORG")
            ):
                m.label = next(iter(kinds))
            else:
                m.label = label

    def _decide(self, text: str, entity: Entity) -> str:
        """Add the cues about the name itself to its evidence and decide its label."""
        evidence = entity.evidence
        words = entity.name.split()
        name = key(entity.name)
        if any(self.forms.has_designator(text[m.start : m.end]) for m in entity.mentions):
            evidence.add("ORG", "designator")
        if name in self.known_orgs:
            evidence.add("ORG", "known")
        typed = self.name_words.get(words[-1]) if len(words) > 1 else None
        if typed == "ORG":
            evidence.add("ORG", "name-word")
        territory = name in self.territories
        if territory:
            evidence.add("GPE", "territory")
        elif self._city(entity.name) and set(evidence.model) != {"ORG"}:
            evidence.add("GPE", "city")  # (a club the model always calls ORG stays one)
        elif len(words) > 1 and self._is_given_name(words[0]) and typed != "ORG":
            evidence.add("PERSON", "given-name")
        if typed and typed != "ORG" and not {"designator", "known"} & set(evidence.cues["ORG"]):
            evidence.typed = typed
            return typed
        majority = evidence.model.most_common(1)[0][0] if evidence.model else "ORG"
        person = majority == "PERSON" and len(words) > 1
        protected = territory or majority == "NORP" or person
        return decide(evidence, protected, self.strong_cues)

    def _canonical(self, text: str, entity: Entity) -> str:
        """The alias table's name, else the longest form's most frequent mixed-case spelling."""
        if key(entity.name) in self.aliases:
            return self.aliases[key(entity.name)]
        if all(m.fixed and m.label == "GPE" for m in entity.mentions):  # a dateline's "BERLIN"
            return entity.name.title() if entity.name.isupper() else entity.name
        longest = key(entity.name)
        spellings: Counter[str] = Counter()
        for m in entity.mentions:
            stripped = self.strip(text[m.start : m.end])
            if key(stripped) == longest:
                spellings[stripped] += 1 if stripped.isupper() and not is_acronym(stripped) else 2
        best = max(spellings, key=lambda s: (spellings[s], s)) if spellings else entity.name
        return self.aliases.get(key(best), title_case(best))


def _expand(evidence: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence patterns with {org_nouns} and {org_roles} filled in."""
    words = {
        "org_nouns": "|".join(re.escape(n) for n in config["org_nouns"]),
        "org_roles": "|".join(
            re.escape(r) for r in sorted(config["org_roles"], key=len, reverse=True)
        ),
    }
    return {
        kind: {
            side: {
                name: pattern.replace("{org_nouns}", words["org_nouns"]).replace(
                    "{org_roles}", words["org_roles"]
                )
                for name, pattern in cues.items()
            }
            for side, cues in sides.items()
        }
        for kind, sides in evidence.items()
    }


_WORD = re.compile(r"(?<![\w&.])[\w&]+")


def _index(forms: Iterable[str]) -> dict[str, list[str]]:
    """Names by their first word, longest first: what ``_occurrences`` looks up."""
    by_first: dict[str, list[str]] = {}
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        if first := _WORD.match(form):
            by_first.setdefault(first.group(), []).append(form)
    return by_first


def _occurrences(text: str, index: dict[str, list[str]]) -> Iterator[tuple[int, int, str]]:
    """Whole-word occurrences in ``text`` of the names in ``index``, the longest at each
    place, found by their first word rather than with a pattern compiled for each document."""
    end = 0
    for word in _WORD.finditer(text):
        start = word.start()
        for form in index.get(word.group(), ()) if start >= end else ():
            stop = start + len(form)
            if text.startswith(form, start) and not _continues(text, stop):
                yield start, stop, form
                end = stop
                break


_GOES_ON = re.compile(r"[\w&]|['’]\w\w")


def _continues(text: str, stop: int) -> bool:
    """Does a word go on at ``stop`` (so a form ending there is not a whole word)?"""
    return bool(_GOES_ON.match(text, stop))


def _split_at_numbers(text: str, m: Mention) -> list[Mention]:
    """The parts of a name between numbers standing alone in it."""
    parts, start = [], m.start
    for number in _INNER_NUMBER.finditer(text, m.start, m.end):
        parts.append(Mention(start, number.start(), m.label, m.method))
        start = number.end()
    return [*parts, Mention(start, m.end, m.label, m.method)] if parts else [m]


def _nearest_before(keys: list[str], by_key: dict[str, list[Mention]], start: int) -> str | None:
    """Of the names ``keys``, the one mentioned last before ``start``."""
    seen = [(m.start, k) for k in keys for m in by_key[k] if m.start < start]
    return max(seen)[1] if seen else None


def _overlaps(m: Mention, others: list[Mention]) -> bool:
    return any(o.start < m.end and m.start < o.end for o in others)


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

    def remove(self, start: int, end: int) -> None:
        self.mask[start:end] = bytes(end - start)


@hookimpl
def register_annotators(register) -> None:
    register(Entities)
