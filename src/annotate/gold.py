"""Gold documents written as marked-up text, for ``annotate eval`` and the test suite.

A gold file is YAML front matter and a text in which each name is marked inline::

    ---
    id: nordvale-brekka
    date: 2025-06-12
    stance: competition
    pairs:
      - {orgs: [Nordvale Systems, Brekka], label: competition}
    ---
    BERLIN ([Reuters|ORG]) - [Nordvale Systems AG|ORG|Nordvale Systems] said ...

``[surface|LABEL]`` or ``[surface|LABEL|canonical]`` marks an ``entities`` span; the front
matter's ``stance`` and ``pairs`` become ``document.stance``. Other keys go to ``meta``.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from annotate.model import Annotation, Document

_MARK = re.compile(r"\[([^\]|\n]+)\|([A-Z_]+)(?:\|([^\]\n]+))?\]")


def parse_marked(text: str) -> tuple[str, list[Annotation]]:
    """The plain text of a marked-up text, and its marks as ``entities`` annotations."""
    plain: list[str] = []
    annotations = []
    size = last = 0
    for match in _MARK.finditer(text):
        plain.append(text[last : match.start()])
        size += match.start() - last
        surface, label, canonical = match.groups()
        attrs = {"canonical": canonical} if canonical else {}
        annotations.append(
            Annotation("entities", size, size + len(surface), label, attrs, text=surface)
        )
        plain.append(surface)
        size += len(surface)
        last = match.end()
    plain.append(text[last:])
    return "".join(plain), annotations


def load_marked(path: Path) -> Document:
    """A gold document from a marked-up file (see the module docstring)."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front) or {}
    text, annotations = parse_marked(body)
    document = {}
    if "stance" in meta:
        document["stance"] = {"label": meta.pop("stance"), "pairs": meta.pop("pairs", [])}
    doc_id = str(meta.pop("id", path.stem))
    if "date" in meta:
        meta["date"] = str(meta["date"])
    return Document(doc_id, text, meta, annotations, document=document)
