"""CoNLL-2003-style BIO (IOB2): ``annotations.conll``, read by ``spacy convert --converter ner``.

One token a line as ``TOKEN _ _ TAG`` (no POS or chunk columns), a blank line between
sentences, ``-DOCSTART- -X- O O`` before each document. Tokens and sentences come from
``spacy.blank("en")`` with a ``sentencizer``; whitespace tokens are left out. The tags come from
the ``entities``, ``money`` and ``dates`` layers (``ExportOptions.ents``, only those of the
given layers), labelled as a NER model is trained (MONEY, DATE, TIME: ``ent_label``);
overlapping spans keep the longest.
"""

from __future__ import annotations

import re
from pathlib import Path

import spacy

from annotate.export import Exported, ExportOptions, ent_annotations, ent_spans
from annotate.io.writers import write_atomic
from annotate.model import Document

DOCSTART = "-DOCSTART- -X- O O"
FILE_NAME = "annotations.conll"
_SPACE = re.compile(r"\s")


def bio_lines(
    nlp: spacy.Language,
    doc: Document,
    layers: list[str] | None,
    options: ExportOptions | None = None,
) -> tuple[list[str], int]:
    """The document's lines (sentences separated by ``""``), and how many spans were left out."""
    sdoc = nlp(doc.text)
    options = options or ExportOptions()
    _, kept = ent_spans(sdoc, doc, layers, options)
    tags = ["O"] * len(sdoc)
    for span in kept:
        label = _SPACE.sub("_", span.label_)
        tags[span.start : span.end] = [f"B-{label}"] + [f"I-{label}"] * (len(span) - 1)
    lines: list[str] = []
    for sent in sdoc.sents:
        words = [t for t in sent if not t.is_space]
        if words:
            lines += [f"{_SPACE.sub('_', t.text)} _ _ {tags[t.i]}" for t in words] + [""]
    return lines, len(ent_annotations(doc, layers, options)) - len(kept)


def export(
    docs: list[Document],
    out: Path,
    layers: list[str] | None = None,
    options: ExportOptions | None = None,
) -> Exported:
    """Write all ``docs`` into ``out/annotations.conll``."""
    out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    result = Exported(files=[out / FILE_NAME])
    lines: list[str] = []
    for doc in docs:
        body, lost = bio_lines(nlp, doc, layers, options)
        lines += [DOCSTART, "", *body]
        if lost:
            result.notes.append(f"{doc.id}: {lost} overlapping or unalignable span(s) left out")
    write_atomic(out / FILE_NAME, "\n".join(lines) + "\n")
    return result
