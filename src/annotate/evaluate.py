"""Score predicted annotate output against gold annotate output (hand-corrected output is gold).

Documents are matched by ``id``. Spans: precision, recall and F1 per layer and label, with
``exact`` matching (same start, end, label) and ``overlap`` matching (same label, overlapping,
one-to-one, largest overlap first). Values: accuracy of normalised attrs over overlap-matched
spans. Stance: macro-F1 over the non-neutral sentence labels (a sentence missing from one side
is neutral there), accuracy of the document label and of each organisation pair's label.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from annotate.model import Annotation, Document

VALUE_KEYS = {
    "money": ("value", "min", "max", "currency"),
    "dates": ("value",),
    "entities": ("canonical",),
}
STANCE_LAYER = "stance"
NEUTRAL = "neutral"
ALL = "*"


@dataclass
class Counts:
    """True positives, false positives, false negatives, and the scores they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        scores = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {**asdict(self), **{k: round(v, 4) for k, v in scores.items()}}


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.correct, self.total = self.correct + ok, self.total + 1

    def to_json(self) -> dict[str, Any]:
        accuracy = round(self.correct / self.total, 4) if self.total else None
        return {**asdict(self), "accuracy": accuracy}


def overlap(a: Annotation, b: Annotation) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def exact_counts(gold: list[Annotation], pred: list[Annotation]) -> Counts:
    g, p = Counter(a.span for a in gold), Counter(a.span for a in pred)
    tp = sum((g & p).values())
    return Counts(tp, len(pred) - tp, len(gold) - tp)


def overlap_pairs(gold: list[Annotation], pred: list[Annotation]) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs of overlapping spans, largest overlap first."""
    candidates = sorted(
        ((overlap(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(pred)),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_g, used_p, pairs = set(), set(), []
    for size, i, j in candidates:
        if size > 0 and i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


class Scorer:
    """Accumulates scores document by document; ``report()`` gives the JSON-ready result."""

    def __init__(self, layers: list[str] | None = None) -> None:
        self.layers = layers
        self.spans: dict[tuple[str, str, str], Counts] = {}
        self.values: dict[tuple[str, str], Accuracy] = {}
        self.stance: dict[str, Counts] = {}
        self.sentences = 0
        self.doc_label = Accuracy()
        self.pairs = Accuracy()
        self.pairs_found = 0

    def _wanted(self, layer: str) -> bool:
        return not self.layers or layer in self.layers

    def add(self, gold: Document, pred: Document) -> None:
        """Score one document pair."""
        names = {a.layer for a in gold.annotations + pred.annotations if self._wanted(a.layer)}
        for layer in sorted(names):
            self._add_layer(layer, gold.layer(layer), pred.layer(layer))
        if self._wanted(STANCE_LAYER):
            self._add_sentences(gold.layer(STANCE_LAYER), pred.layer(STANCE_LAYER))
            self._add_document_stance(
                gold.document.get(STANCE_LAYER), pred.document.get(STANCE_LAYER)
            )

    def _counts(self, layer: str, label: str, match: str) -> Counts:
        return self.spans.setdefault((layer, label, match), Counts())

    def _add_layer(self, layer: str, gold: list[Annotation], pred: list[Annotation]) -> None:
        for label in sorted({a.label for a in gold + pred}):
            g = [a for a in gold if a.label == label]
            p = [a for a in pred if a.label == label]
            exact = exact_counts(g, p)
            pairs = overlap_pairs(g, p)
            loose = Counts(len(pairs), len(p) - len(pairs), len(g) - len(pairs))
            for key, counts in (("exact", exact), ("overlap", loose)):
                self._counts(layer, label, key).add(counts)
                self._counts(layer, ALL, key).add(counts)
            for i, j in pairs:
                self._add_values(layer, g[i], p[j])

    def _add_values(self, layer: str, gold: Annotation, pred: Annotation) -> None:
        for key in VALUE_KEYS.get(layer, ()):
            if gold.attrs.get(key) is not None:
                accuracy = self.values.setdefault((layer, key), Accuracy())
                accuracy.add(same_value(gold.attrs[key], pred.attrs.get(key)))

    def _add_sentences(self, gold: list[Annotation], pred: list[Annotation]) -> None:
        pairs = overlap_pairs(gold, pred)
        matched_gold, matched_pred = {i for i, _ in pairs}, {j for _, j in pairs}
        units = [(gold[i].label, pred[j].label) for i, j in pairs]
        units += [(a.label, NEUTRAL) for i, a in enumerate(gold) if i not in matched_gold]
        units += [(NEUTRAL, a.label) for j, a in enumerate(pred) if j not in matched_pred]
        self.sentences += len(units)
        for g, p in units:
            for label in sorted({g, p} - {NEUTRAL}):
                counts = self.stance.setdefault(label, Counts())
                counts.add(Counts(int(g == p), int(p == label != g), int(g == label != p)))

    def _add_document_stance(self, gold: Any, pred: Any) -> None:
        if not isinstance(gold, dict):
            return
        pred = pred if isinstance(pred, dict) else {}
        if gold.get("label") is not None:
            self.doc_label.add(gold["label"] == pred.get("label"))
        predicted = {pair_key(p): p.get("label") for p in pred.get("pairs") or [] if pair_key(p)}
        for entry in gold.get("pairs") or []:
            key = pair_key(entry)
            if key:
                self.pairs_found += key in predicted
                self.pairs.add(entry.get("label") == predicted.get(key))

    def report(self) -> dict[str, Any]:
        """Scores as plain JSON: spans[layer][label][exact|overlap], values, stance."""
        spans: dict[str, dict[str, dict[str, Any]]] = {}
        for (layer, label, match), counts in sorted(self.spans.items()):
            spans.setdefault(layer, {}).setdefault(label, {})[match] = counts.to_json()
        values: dict[str, dict[str, Any]] = {}
        for (layer, key), accuracy in sorted(self.values.items()):
            values.setdefault(layer, {})[key] = accuracy.to_json()
        labels = {label: c.to_json() for label, c in sorted(self.stance.items())}
        macro = (
            sum(c.f1 for _, c in sorted(self.stance.items())) / len(self.stance)
            if self.stance
            else None
        )
        stance = {
            "sentences": self.sentences,
            "labels": labels,
            "macro_f1": None if macro is None else round(macro, 4),
            "document_label": self.doc_label.to_json(),
            "pairs": {**self.pairs.to_json(), "found": self.pairs_found},
        }
        return {"spans": spans, "values": values, "stance": stance}


def pair_key(entry: Any) -> frozenset[str] | None:
    """The two organisation names of a stance pair entry, case-folded, order ignored.

    Names are read from the first list of two or more strings, else the first two string
    fields other than ``label``.
    """
    if not isinstance(entry, dict):
        return None
    for value in entry.values():
        if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, str) for v in value):
            return frozenset(v.casefold() for v in value[:2])
    names = [v for k, v in entry.items() if k != "label" and isinstance(v, str)][:2]
    return frozenset(v.casefold() for v in names) if len(names) == 2 else None


def evaluate(
    gold: list[Document], pred: list[Document], layers: list[str] | None = None
) -> dict[str, Any]:
    """Scores of ``pred`` against ``gold``, documents matched by id.

    A gold document without a prediction counts as predicted empty; predicted documents
    without gold are left out. Both are listed under ``documents``, as are the documents
    whose two texts differ (their offsets do not compare; they are scored all the same).
    """
    by_id = {doc.id: doc for doc in pred}
    scorer = Scorer(layers)
    for doc in gold:
        scorer.add(doc, by_id.get(doc.id) or Document(id=doc.id, text=doc.text))
    gold_ids = {doc.id for doc in gold}
    documents = {
        "gold": len(gold),
        "pred": len(pred),
        "missing": sorted(gold_ids - by_id.keys()),
        "extra": sorted(by_id.keys() - gold_ids),
        "text_differs": sorted(d.id for d in gold if d.id in by_id and by_id[d.id].text != d.text),
    }
    return {"documents": documents, **scorer.report()}
