"""W3C Web Annotation (JSON-LD): ``<id>.jsonld`` per document, an ``AnnotationCollection``.

Each annotation targets the document through a ``TextPositionSelector`` (code point
offsets, as the model says) and a ``TextQuoteSelector`` with ``prefix``/``suffix`` context.
Bodies: the label (``tagging``), the layer (``classifying``), and the attrs as JSON
(``describing``, ``format: application/json``).

Every IRI is absolute, so a JSON-LD processor never resolves one against the export file's own
location. The target ``source`` is ``meta.source`` when that is an IRI already; a path is
resolved against ``ExportOptions.base`` (``--base``) when given, else against the current
folder as a ``file:`` IRI; a document without a source (stdin) is ``urn:annotate:<id>``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote, urljoin

from annotate.errors import ConfigError
from annotate.export import Exported, ExportOptions, select_layers
from annotate.io.writers import safe_filename, write_atomic
from annotate.model import Annotation, Document

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+-]+:")  # no '.', so `x.jsonl:3` is a path


def is_absolute_iri(value: str) -> bool:
    return bool(_SCHEME.match(value))


def check_base(base: str | None) -> None:
    if base is not None and not is_absolute_iri(base):
        raise ConfigError(
            f"--base {base!r} is not an absolute IRI; give one such as "
            "https://example.org/corpus/ (end it with / for a folder)."
        )


def source_uri(doc: Document, base: str | None = None) -> str:
    """The target ``source`` of the document's annotations, an absolute IRI."""
    source = str(doc.meta.get("source") or "")
    if not source or source.startswith("<"):  # no source, or <stdin>
        return f"urn:annotate:{quote(doc.id, safe='')}"
    if is_absolute_iri(source):
        return source
    if base is not None:
        return urljoin(base, quote(PurePath(source).as_posix()))
    return Path(source).absolute().as_uri()


def selectors(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """A position and a quote selector for ``text[start:end]``."""
    return [
        {"type": "TextPositionSelector", "start": start, "end": end},
        {
            "type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
    ]


def annotation(doc: Document, a: Annotation, base: str, source: str) -> dict[str, Any]:
    """One Web Annotation of the collection ``base``, targeting ``source``."""
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": a.label},
        {"type": "TextualBody", "purpose": "classifying", "value": a.layer},
    ]
    if a.attrs:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "describing",
                "format": "application/json",
                "value": json.dumps(a.attrs, ensure_ascii=False, sort_keys=True),
            }
        )
    return {
        "id": f"{base}#{a.id}",
        "type": "Annotation",
        "motivation": "tagging",
        "creator": {"type": "Software", "name": ", ".join(a.sources) or "annotate"},
        "body": body,
        "target": {"source": source, "selector": selectors(doc.text, a.start, a.end)},
    }


def collection(
    doc: Document, layers: list[str] | None = None, options: ExportOptions | None = None
) -> dict[str, Any]:
    """The document's annotations as one ``AnnotationCollection``."""
    base = f"urn:annotate:{quote(doc.id, safe='')}:annotations"
    source = source_uri(doc, (options or ExportOptions()).base)
    items = [annotation(doc, a, base, source) for a in select_layers(doc, layers)]
    return {
        "@context": CONTEXT,
        "id": base,
        "type": "AnnotationCollection",
        "label": str(doc.meta.get("title") or doc.id),
        "total": len(items),
        "first": {"id": f"{base}/page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def export(
    docs: list[Document],
    out: Path,
    layers: list[str] | None = None,
    options: ExportOptions | None = None,
) -> Exported:
    """Write ``<id>.jsonld`` per document into ``out``."""
    check_base((options or ExportOptions()).base)
    out.mkdir(parents=True, exist_ok=True)
    result = Exported()
    for doc in docs:
        path = out / f"{safe_filename(doc.id)}.jsonld"
        data = collection(doc, layers, options)
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        result.files.append(path)
    return result
