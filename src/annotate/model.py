"""The annotation model: documents, annotations and the JSON they become."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc

SCHEMA = "annotate/v2"
# Output that annotate still reads (export, index, view): v1 kept provenance in ``meta``.
READABLE_SCHEMAS = frozenset({"annotate/v1", SCHEMA})


@dataclass
class Annotation:
    """A labelled span of a document's text, in one layer.

    Offsets are Python ``str`` indices into ``Document.text``. Annotators set ``layer``,
    ``start``, ``end``, ``label`` and ``attrs``; the runner fills ``text``, ``sources`` and ``id``.
    """

    layer: str
    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    sources: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "layer": self.layer,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "attrs": self.attrs,
            "sources": self.sources,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Annotation:
        return cls(
            layer=data["layer"],
            start=data["start"],
            end=data["end"],
            label=data["label"],
            attrs=dict(data.get("attrs") or {}),
            text=data.get("text", ""),
            sources=list(data.get("sources") or []),
            id=data.get("id", ""),
        )


def sort_key(annotation: Annotation) -> tuple[int, int, str, str]:
    """Output order: by start, longer spans first, then layer (and label, for stability)."""
    return annotation.start, -annotation.end, annotation.layer, annotation.label


@dataclass
class Document:
    """One text and everything known about it.

    ``spacy`` holds the shared parse while the pipeline runs (``None`` when no annotator
    in the pipeline needs spaCy); it is never serialised. ``provenance`` is what the run
    that annotated it records: the hashes of its input and of the pipeline.
    """

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[Annotation] = field(default_factory=list)
    annotators: dict[str, dict[str, Any]] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    spacy: Doc | None = field(default=None, repr=False, compare=False)

    @property
    def date(self) -> str | None:
        """The document's own date (``meta.date``), the anchor for relative expressions."""
        value = self.meta.get("date")
        return str(value) if value is not None else None

    def layer(self, name: str) -> list[Annotation]:
        """The annotations of one layer, in document order."""
        return sorted((a for a in self.annotations if a.layer == name), key=sort_key)

    def get(self, annotation_id: str) -> Annotation | None:
        """The annotation with this id, if any."""
        return next((a for a in self.annotations if a.id == annotation_id), None)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"schema": SCHEMA, "id": self.id}
        if self.provenance:
            record["provenance"] = self.provenance
        return record | {
            "text": self.text,
            "meta": self.meta,
            "annotators": self.annotators,
            "annotations": [a.to_json() for a in self.annotations],
            "document": self.document,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        """A document from its output record (``annotate/v1`` records too)."""
        meta = dict(data.get("meta") or {})
        provenance = dict(data.get("provenance") or {})
        if data.get("schema") == "annotate/v1":  # v1 kept provenance in meta
            fingerprint = meta.pop("fingerprint", None)
            provenance.update(fingerprint if isinstance(fingerprint, dict) else {})
            if "sha256" in meta:
                provenance["text_sha256"] = meta.pop("sha256")
        return cls(
            id=data["id"],
            text=data["text"],
            meta=meta,
            annotations=[Annotation.from_json(a) for a in data.get("annotations", [])],
            annotators=dict(data.get("annotators") or {}),
            document=dict(data.get("document") or {}),
            provenance=provenance,
        )
