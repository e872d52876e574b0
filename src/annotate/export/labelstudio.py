"""Label Studio pre-annotations: ``tasks.json`` (import it) and ``labeling-config.xml``.

One task per document, ``data.text`` the text (plus ``doc_id`` and ``title``), and one
prediction whose results are ``labels`` regions. ``from_name`` is the layer (one ``<Labels>``
control per layer in the config), ``to_name`` is ``"text"`` (the ``<Text name="text">`` object),
offsets are code points. Paste the config into the project's Labeling Interface first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from annotate import __version__
from annotate.export import Exported, ExportOptions, select_layers
from annotate.io.writers import write_atomic
from annotate.model import Document

TO_NAME = "text"
TASKS = "tasks.json"
CONFIG = "labeling-config.xml"


def task(doc: Document, layers: list[str] | None = None) -> dict[str, Any]:
    """One Label Studio task with the document's spans as a prediction."""
    results = [
        {
            "id": a.id,
            "from_name": a.layer,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {"start": a.start, "end": a.end, "text": a.text, "labels": [a.label]},
        }
        for a in select_layers(doc, layers)
    ]
    data = {"text": doc.text, "doc_id": doc.id, "title": doc.meta.get("title") or doc.id}
    return {
        "data": data,
        "predictions": [{"model_version": f"annotate-{__version__}", "result": results}],
    }


def labeling_config(docs: list[Document], layers: list[str] | None = None) -> str:
    """A labeling interface with one ``<Labels>`` per layer, listing the labels used."""
    labels: dict[str, set[str]] = {}
    for doc in docs:
        for a in select_layers(doc, layers):
            labels.setdefault(a.layer, set()).add(a.label)
    lines = ["<View>"]
    for layer in sorted(labels):
        lines.append(f"  <Labels name={quoteattr(layer)} toName={quoteattr(TO_NAME)}>")
        lines += [f"    <Label value={quoteattr(label)}/>" for label in sorted(labels[layer])]
        lines.append("  </Labels>")
    lines += [f'  <Text name="{TO_NAME}" value="$text"/>', "</View>"]
    return "\n".join(lines) + "\n"


def export(
    docs: list[Document],
    out: Path,
    layers: list[str] | None = None,
    options: ExportOptions | None = None,
) -> Exported:
    """Write ``tasks.json`` and ``labeling-config.xml`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    tasks = [task(doc, layers) for doc in docs]
    write_atomic(out / TASKS, json.dumps(tasks, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / CONFIG, labeling_config(docs, layers))
    return Exported(files=[out / TASKS, out / CONFIG])
