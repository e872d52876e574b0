"""Named entities: spaCy's statistical NER, with one decision per name over the whole document.

The model's mentions are cleaned and completed (entity_mentions.py), grouped into entities
(entity_groups.py: a short form, acronym, surname or all-caps form joins its full name), and
each entity takes one label from the evidence of all its mentions (entity_evidence.py). Every
mention carries the entity's ``canonical`` name, ``entity_id`` and the ``evidence`` behind its
label. See docs/layers/entities.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import yaml

from annotate.annotator import Annotator
from annotate.annotators.entity_evidence import (
    CompanyAnaphors,
    ContextCues,
    Cue,
    decide,
)
from annotate.annotators.entity_groups import Entity, group
from annotate.annotators.entity_mentions import Mention, MentionFinder, text_order
from annotate.annotators.entity_names import (
    NameBook,
    given_names,
    is_acronym,
    key,
    places,
    surnames,
    territories,
    title_case,
)
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("entities.yaml").read_text())

_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")


class Entities(Annotator):
    """Organisations, people, places and the other OntoNotes name types, one label per name."""

    name = "entities"
    version = "0.2.0"
    assigns = ("entities",)
    spacy_components = ("ner",)
    default_config = DEFAULTS

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.name_labels = frozenset(config["name_labels"])
        self.book = NameBook(config)
        self.finder = MentionFinder(self.book, config)
        self.cues = ContextCues(config)
        self.company_anaphors = CompanyAnaphors(config["company_anaphors"])
        self.strong_cues = frozenset(config["strong_cues"])
        self._facts = functools.lru_cache(maxsize=2048)(self._name_facts)

    def setup(self, nlp: Language | None) -> None:
        """Load the name lists once per process, before the first document."""
        given_names(), surnames(), places(), territories()

    def annotate(self, doc: Document) -> Iterator[Annotation]:
        text = doc.text
        mentions, defined = self.finder.find(text, doc.spacy.ents)
        mentions.sort(key=text_order)
        before = self.cues.ends_of_before_cues(text)
        names = [m for m in mentions if m.label in self.name_labels]
        referred = self.company_anaphors.referred_to(text, [m.start for m in names])

        def says_person(m: Mention) -> bool:
            return any(c.kind == "PERSON" for c in self.cues.around(text, m.start, m.end, before))

        for number, entity in enumerate(group(text, names, self.book, defined, says_person), 1):
            if referred and referred.intersection(m.start for m in entity.mentions):
                entity.evidence.add("ORG", "the-company")
            self._label(text, entity, before)
            canonical = self._canonical(text, entity)
            reasons: dict[str, list[str]] = {}  # by label
            entity_id = f"E{number}"
            for m in entity.mentions:
                m.canonical, m.entity_id = canonical, entity_id
                if m.label not in reasons:
                    reasons[m.label] = entity.evidence.reasons(m.label)
                m.evidence = list(reasons[m.label])
        for m in mentions:
            attrs: dict[str, Any] = (
                {"canonical": m.canonical, "entity_id": m.entity_id, "evidence": m.evidence}
                if m.label in self.name_labels
                else {}
            )
            if m.role:
                attrs["role"] = m.role
            attrs["method"] = m.method
            yield Annotation("entities", m.start, m.end, m.label, attrs)

    def _label(self, text: str, entity: Entity, before: dict[int, Cue]) -> None:
        """One label for the entity from all its evidence; a short form keeps a label of its
        own where its own context clearly says so ("Mr. Ford" among mentions of the carmaker,
        "in Coimbra" among mentions of Coimbra Capital). A news agency, or a company named only
        as an analyst's employer, is a source."""
        evidence = entity.evidence
        own: list[list[Cue]] = []
        fixed = False
        for m in entity.mentions:
            if m.method in ("ner", "ner+designator") or m.fixed:
                evidence.model[m.label] = evidence.model.get(m.label, 0) + 1
            fixed = fixed or m.fixed
            own.append(self.cues.around(text, m.start, m.end, before))
            for cue in own[-1]:
                evidence.add(cue.kind, cue.name)
        if fixed:
            return
        label = self._decide(text, entity)
        full = key(entity.name)
        if full in self.book.agencies or (
            label == "ORG" and all(any(c.name == "commentator" for c in cues) for cues in own)
        ):
            for m in entity.mentions:
                m.label, m.role = "ORG", "source"
            return
        for m, cues in zip(entity.mentions, own, strict=True):
            m.label = label
            if not cues:
                continue
            kinds = {c.kind for c in cues}
            if kinds == {"GPE"} and _POSSESSIVE_AFTER.match(text, m.end):
                kinds = set()  # "an investment in Marlowe's unit": the company's unit
            if (
                len(kinds) == 1
                and label not in kinds
                and ("PERSON" in kinds or label == "ORG")
                and self.book.name_key(text[m.start : m.end]) != full  # a short form
            ):
                m.label = next(iter(kinds))

    def _decide(self, text: str, entity: Entity) -> str:
        """Add the cues about the name itself to its evidence and decide its label."""
        book, evidence, name = self.book, entity.evidence, entity.name
        several, known, typed, territory, city, given = self._facts(name)
        if any(map(book.has_designator, {text[m.start : m.end] for m in entity.mentions})):
            evidence.add("ORG", "designator")
        if known:
            evidence.add("ORG", "known")
        if typed == "ORG":
            evidence.add("ORG", "name-word")
        if territory:
            evidence.add("GPE", "territory")
        elif city and set(evidence.model) != {"ORG"}:
            evidence.add("GPE", "city")  # (a club the model always calls ORG stays one)
        elif several and given and typed != "ORG":
            evidence.add("PERSON", "given-name")
        if typed and typed != "ORG" and not {"designator", "known"} & set(evidence.cues["ORG"]):
            evidence.typed = typed
            return typed
        # (Counter.most_common(1): the first of the most frequent)
        model = evidence.model
        if len(model) > 1:
            majority = max(model.items(), key=itemgetter(1))[0]
        else:
            majority = next(iter(model), "ORG")
        person = majority == "PERSON" and several
        return decide(evidence, territory or majority == "NORP" or person, self.strong_cues)

    def _name_facts(self, name: str) -> tuple[bool, bool, str | None, bool, bool, bool]:
        """What the name book says about a name: whether it has several words, is a known
        organisation, the label its words give it, whether it is a territory, a city, and
        whether its first word is a given name."""
        book, words = self.book, name.split()
        return (
            len(words) > 1,
            key(name) in book.known_orgs,
            book.typed(name),
            book.is_territory(name),
            book.is_city(name),
            book.is_given_name(words[0]) if len(words) > 1 else False,
        )

    def _canonical(self, text: str, entity: Entity) -> str:
        """The alias table's name, else the longest form's most frequent mixed-case spelling."""
        aliases, longest = self.book.aliases, key(entity.name)
        if longest in aliases:
            return aliases[longest]
        mentions = entity.mentions
        # A dateline's "BERLIN" (the first mention tested alone first: most are no dateline's).
        if mentions[0].fixed and all(m.fixed and m.label == "GPE" for m in mentions):
            return entity.name.title() if entity.name.isupper() else entity.name
        spellings: dict[str, int] = {}
        for m in mentions:
            stripped = self.book.strip(text[m.start : m.end])
            if key(stripped) == longest:
                weight = 1 if stripped.isupper() and not is_acronym(stripped) else 2
                spellings[stripped] = spellings.get(stripped, 0) + weight
        if len(spellings) > 1:
            best = max(spellings, key=lambda s: (spellings[s], s))
        else:
            best = next(iter(spellings), entity.name)
        return aliases.get(key(best), title_case(best))


@hookimpl
def register_annotators(register) -> None:
    register(Entities)
