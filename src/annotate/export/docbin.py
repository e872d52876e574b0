"""spaCy ``DocBin`` (``annotations.spacy``), e.g. as training data for ``spacy train``.

Texts are tokenised by ``spacy.blank("en")``; spans align to tokens with
``char_span(..., alignment_mode="expand")``. Each layer goes in ``doc.spans[layer]`` with its
own labels; the ``entities``, ``money`` and ``dates`` layers (``ExportOptions.ents``) also fill
``doc.ents``, labelled as a NER model is trained (MONEY, DATE, TIME: ``ent_label``), overlaps
resolved by ``spacy.util.filter_spans`` (longest first). ``doc.user_data`` keeps the document id
and the spans that could not be placed.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

from annotate.export import Exported, ExportOptions, ent_spans, select_layers
from annotate.model import Document

FILE_NAME = "annotations.spacy"


def to_spacy(
    nlp: spacy.Language,
    doc: Document,
    layers: list[str] | None,
    options: ExportOptions | None = None,
) -> Doc:
    """One spaCy Doc with the document's spans; ``user_data["unplaced"]`` lists those left out."""
    options = options or ExportOptions()
    sdoc = nlp.make_doc(doc.text)
    unplaced: list[str] = []
    groups: dict[str, list[Span]] = {}
    for a in select_layers(doc, layers):
        span = sdoc.char_span(a.start, a.end, a.label, alignment_mode="expand")
        if span is None or not len(span):
            unplaced.append(f"{a.id} ({a.layer} {a.label} {a.start}-{a.end}): no token to align to")
        else:
            groups.setdefault(a.layer, []).append(span)
    for layer, spans in groups.items():
        sdoc.spans[layer] = spans
    ents, kept = ent_spans(sdoc, doc, layers, options)
    sdoc.ents = kept
    dropped = {(s.start, s.end, s.label_) for s in ents} - {
        (s.start, s.end, s.label_) for s in kept
    }
    unplaced += [
        f"doc.ents: overlapping {label} {sdoc[s:e].text!r} left out"
        for s, e, label in sorted(dropped)
    ]
    sdoc.user_data.update({"id": doc.id, "unplaced": unplaced})
    return sdoc


def export(
    docs: list[Document],
    out: Path,
    layers: list[str] | None = None,
    options: ExportOptions | None = None,
) -> Exported:
    """Write all ``docs`` into ``out/annotations.spacy``."""
    out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    result = Exported(files=[out / FILE_NAME])
    for doc in docs:
        sdoc = to_spacy(nlp, doc, layers, options)
        docbin.add(sdoc)
        result.notes += [f"{doc.id}: {problem}" for problem in sdoc.user_data["unplaced"]]
    docbin.to_disk(out / FILE_NAME)
    return result
