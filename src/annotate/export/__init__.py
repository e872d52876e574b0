"""Read annotate output back, and export it to other tools' formats (one module per format).

Each format module has ``export(docs, out, layers, options) -> Exported``: it writes into the
folder ``out`` and says which files it wrote and what it could not represent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import InputError, available
from annotate.model import READABLE_SCHEMAS, SCHEMA, Annotation, Document

OUTPUT_SUFFIXES = (".json", ".jsonl")
INPUT_HINT = (
    "It looks like an input document: annotate it first (`annotate run {path} -o out/`), "
    "then pass the output (e.g. out/<id>.json)."
)


# Named-entity exports (spaCy doc.ents, CoNLL) take their spans from these layers.
ENT_LAYERS = ("entities", "money", "dates")
# Labels a NER model is trained on (OntoNotes, as spaCy's pipelines): money is MONEY, and of
# the dates layer's TimeML types TIME stays TIME while DATE, DURATION and SET become DATE.


@dataclass(frozen=True)
class ExportOptions:
    """Choices of the export command that some formats use.

    ``ents``: the layers whose spans become named entities (spaCy ``doc.ents``, CoNLL tags);
    ``ent_labels``: ``ontonotes`` (MONEY, DATE, TIME) or ``own`` (each layer's own labels);
    ``base``: the IRI that relative ``meta.source`` paths resolve against (Web Annotation).
    """

    ents: tuple[str, ...] = ENT_LAYERS
    ent_labels: str = "ontonotes"
    base: str | None = None


def ent_label(annotation: Annotation, ent_labels: str = "ontonotes") -> str:
    """The label of ``annotation`` as a named entity."""
    if ent_labels == "own":
        return annotation.label
    if annotation.layer == "money":
        return "MONEY"
    if annotation.layer == "dates":
        return "TIME" if annotation.label == "TIME" else "DATE"
    return annotation.label


def ent_annotations(
    doc: Document, layers: list[str] | None, options: ExportOptions
) -> list[tuple[Annotation, str]]:
    """The annotations that become named entities, each with its entity label."""
    return [
        (a, ent_label(a, options.ent_labels))
        for a in select_layers(doc, layers)
        if a.layer in options.ents
    ]


def ent_spans(
    sdoc: Any, doc: Document, layers: list[str] | None, options: ExportOptions
) -> tuple[list[Any], list[Any]]:
    """The entity spans of ``doc`` aligned to the spaCy Doc ``sdoc`` (token-expanded, empty
    ones left out), and those kept once overlaps are resolved as ``doc.ents`` needs."""
    from spacy.util import filter_spans

    aligned = [
        span
        for a, label in ent_annotations(doc, layers, options)
        if (span := sdoc.char_span(a.start, a.end, label, alignment_mode="expand")) is not None
        and len(span)
    ]
    return aligned, filter_spans(aligned)


@dataclass
class Exported:
    """What an export wrote, and notes on what it could not represent."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_outputs(paths: Iterable[Path]) -> list[Document]:
    """Documents from annotate output files (``.json``, ``.jsonl``) and folders of them."""
    docs: dict[str, Document] = {}
    for path in paths:
        for file in output_files(Path(path)):
            for where, record in _records(file):
                if not isinstance(record, dict) or record.get("schema") not in READABLE_SCHEMAS:
                    hint = INPUT_HINT.format(path=file) if isinstance(record, dict) else ""
                    raise InputError(
                        where, f'is not annotate output (no "schema": {SCHEMA!r}). {hint}'.strip()
                    )
                doc = Document.from_json(record)
                if doc.id in docs:
                    raise InputError(where, f"document id '{doc.id}' appears twice.")
                docs[doc.id] = doc
    return list(docs.values())


def output_files(path: Path) -> list[Path]:
    """``path`` itself, or the output files under a folder (not hidden ones), sorted."""
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.suffix in OUTPUT_SUFFIXES
            and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    if not path.exists():
        raise InputError(str(path), "no such file or folder; check the path.")
    return [path]


def _records(file: Path) -> Iterable[tuple[str, Any]]:
    try:
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".jsonl":
            return [
                (f"{file}, line {n}", json.loads(line))
                for n, line in enumerate(text.splitlines(), start=1)
                if line.strip()
            ]
        return [(str(file), json.loads(text))]
    except (OSError, ValueError) as error:
        hint = INPUT_HINT.format(path=file) if file.suffix not in OUTPUT_SUFFIXES else ""
        raise InputError(
            str(file), f"cannot read annotate output: {error}. {hint}".strip()
        ) from None


def pick_document(path: Path, doc_id: str | None = None) -> Document:
    """The one document of the output file or folder ``path`` (``doc_id`` picks one of several)."""
    every = read_outputs([path])
    docs = [doc for doc in every if doc_id is None or doc.id == doc_id]
    if len(docs) != 1:
        found = "no document" if not docs else f"{len(docs)} documents"
        raise InputError(
            str(path),
            f"holds {found}{f' with id {doc_id!r}' if doc_id else ''}; pick one with --id. "
            + available(doc.id for doc in every),
        )
    return docs[0]


def select_layers(doc: Document, layers: list[str] | None) -> list[Annotation]:
    """The document's annotations, only of ``layers`` when given."""
    return [a for a in doc.annotations if not layers or a.layer in layers]
