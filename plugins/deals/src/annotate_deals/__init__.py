"""Deals in news: who acquires, invests in or partners with whom, for how much, and when."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import yaml

import annotate

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("config.yaml").read_text())
SUBJECT_ROLE = {
    "acquisition": "buyer",
    "merger": "partner",
    "investment": "investor",
    "stake": "investor",
    "joint_venture": "partner",
    "partnership": "partner",
}
OBJECT_ROLE = {
    "acquisition": "target",
    "merger": "partner",
    "investment": "target",
    "stake": "target",
    "joint_venture": "partner",
    "partnership": "partner",
}


class Deals(annotate.Annotator):
    """One annotation per deal trigger, linking parties, amount and date by annotation id."""

    name = "deals"
    version = "0.1.0"
    assigns = ("deals",)
    requires = ("entities", "money", "dates")
    spacy_components = ("parser", "lemmatizer")
    default_config = DEFAULTS

    def setup(self, nlp) -> None:
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.types: dict[str, str] = {}
        triggers = self.config["triggers"]
        for phrase, pattern in zip(triggers, nlp.pipe(triggers), strict=True):
            key = f"deal:{phrase}"  # patterns are parsed, so that they carry lemmas
            self.matcher.add(key, [pattern])
            self.types[key] = triggers[phrase]
        self.vocab = nlp.vocab

    def annotate(self, doc: annotate.Document) -> Iterator[annotate.Annotation]:
        parsed = doc.spacy
        entities = [e for e in doc.layer("entities") if e.label in self.config["labels"]]
        money, dates = doc.layer("money"), doc.layer("dates")
        taken: set[int] = set()
        for match_id, start, end in sorted(self.matcher(parsed), key=lambda m: (m[1], -m[2])):
            if any(i in taken for i in range(start, end)):
                continue
            taken.update(range(start, end))
            trigger = parsed[start:end]
            sentence = trigger.sent
            kind = self.types[self.vocab.strings[match_id]]
            inside = [
                e for e in entities if sentence.start_char <= e.start and e.end <= sentence.end_char
            ]
            parties = self._parties(trigger, inside, kind)
            if not parties:
                continue
            attrs: dict[str, Any] = {"type": kind, "parties": parties}
            if amount := _first_in(money, sentence):
                attrs["amount"] = {
                    "id": amount.id,
                    **{k: amount.attrs.get(k) for k in ("value", "min", "max", "currency")},
                }
            if date := _first_in(dates, sentence):
                attrs["date"] = {"id": date.id, "value": date.attrs.get("value")}
            attrs["sentence"] = [sentence.start_char, sentence.end_char]
            yield annotate.Annotation(
                "deals", trigger.start_char, trigger.end_char, kind.upper(), attrs
            )

    def _parties(self, trigger, entities, kind: str) -> list[dict[str, str]]:
        """Subject-side and object-side organisations of the trigger, from the parse."""
        verb = trigger.root if trigger.root.pos_ in ("VERB", "AUX") else trigger.root.head
        subject_tokens = {
            t.i
            for child in verb.children
            if child.dep_ in ("nsubj", "nsubjpass")
            for t in child.subtree
        }
        parties = []
        for entity in entities:
            span = trigger.doc.char_span(entity.start, entity.end, alignment_mode="expand")
            if span is None:
                continue
            if subject_tokens:
                subject_side = span.root.i in subject_tokens
            else:
                subject_side = entity.end <= trigger.start_char
            role = (SUBJECT_ROLE if subject_side else OBJECT_ROLE)[kind]
            name = entity.attrs.get("canonical", entity.text)
            if all(p["name"] != name for p in parties):
                parties.append({"role": role, "id": entity.id, "name": name})
        return parties if len(parties) >= 2 else []


def _first_in(annotations: list[annotate.Annotation], sentence) -> annotate.Annotation | None:
    return next(
        (a for a in annotations if sentence.start_char <= a.start and a.end <= sentence.end_char),
        None,
    )


@annotate.hookimpl
def register_annotators(register) -> None:
    register(Deals)
