"""W3C Web Annotation (JSON-LD): ``<id>.jsonld`` per document, an ``AnnotationCollection``.

Each annotation targets the document (``meta.source``, else ``urn:annotate:<id>``) through a
``TextPositionSelector`` (code point offsets, as the model says) and a ``TextQuoteSelector``
with ``prefix``/``suffix`` context. Bodies: the label (``tagging``), the layer
(``classifying``), and the attrs as JSON (``describing``, ``format: application/json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from annotate.export import Exported, select_layers
from annotate.io.writers import safe_filename, write_atomic
from annotate.model import Annotation, Document

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32


def source_uri(doc: Document) -> str:
    """The target ``source`` of the document's annotations."""
    return str(doc.meta.get("source") or f"urn:annotate:{quote(doc.id, safe='')}")


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


def annotation(doc: Document, a: Annotation, base: str) -> dict[str, Any]:
    """One Web Annotation."""
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
        "target": {"source": source_uri(doc), "selector": selectors(doc.text, a.start, a.end)},
    }


def collection(doc: Document, layers: list[str] | None = None) -> dict[str, Any]:
    """The document's annotations as one ``AnnotationCollection``."""
    base = f"urn:annotate:{quote(doc.id, safe='')}:annotations"
    items = [annotation(doc, a, base) for a in select_layers(doc, layers)]
    return {
        "@context": CONTEXT,
        "id": base,
        "type": "AnnotationCollection",
        "label": str(doc.meta.get("title") or doc.id),
        "total": len(items),
        "first": {"id": f"{base}/page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def export(docs: list[Document], out: Path, layers: list[str] | None = None) -> Exported:
    """Write ``<id>.jsonld`` per document into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    result = Exported()
    for doc in docs:
        path = out / f"{safe_filename(doc.id)}.jsonld"
        write_atomic(path, json.dumps(collection(doc, layers), ensure_ascii=False, indent=2) + "\n")
        result.files.append(path)
    return result
