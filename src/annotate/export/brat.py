"""brat standoff: ``<id>.txt`` (the text) and ``<id>.ann`` per document, one ``annotation.conf``.

Each annotation is a ``T`` line keeping its id, typed by its label; a span over a line break
becomes a discontinuous span (brat text bounds may not hold newlines). Attrs whose values are
all flags or a few one-word strings (``approx``, ``currency``) become ``A`` attributes; the
layer and the other attrs go in an ``AnnotatorNotes`` (``#``) line as ``key=value`` pairs.
A key is an attribute on all spans or on none, so a consumer finds it in one place.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from annotate.export import Exported, ExportOptions, select_layers
from annotate.io.writers import safe_filename, write_atomic
from annotate.model import Annotation, Document

_NAME = re.compile(r"[^A-Za-z0-9_-]")
_WORD = re.compile(r"^[A-Za-z0-9_.:+-]{1,40}$")
MAX_VALUES = 12
Plan = dict[str, list[str] | None]


def brat_name(name: str) -> str:
    """A brat type or attribute name: letters, digits, ``_`` and ``-``."""
    return _NAME.sub("_", name) or "_"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``start..end`` cut at line breaks, empty pieces dropped."""
    pieces, at = [], start
    for piece in text[start:end].split("\n"):
        if piece:
            pieces.append((at, at + len(piece)))
        at += len(piece) + 1
    return pieces


def _word(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) and _WORD.match(value) else None


def attribute_plan(annotations: list[Annotation]) -> Plan:
    """Attrs written as brat attributes: key -> its values, or ``None`` for a true/false flag.

    A key qualifies when all its values are flags or one-word strings, at most ``MAX_VALUES``.
    """
    values: dict[str, set[str]] = defaultdict(set)
    unfit: set[str] = set()
    for a in annotations:
        for key, value in a.attrs.items():
            word = _word(value)
            if word is None:
                unfit.add(key)
            else:
                values[key].add(word)
    return {
        key: None if seen <= {"true", "false"} else sorted(seen)
        for key, seen in values.items()
        if key not in unfit and len(seen) <= MAX_VALUES
    }


def note(annotation: Annotation, plan: Plan) -> str:
    """``layer=... key=value ...`` on one line: the layer and the attrs not in ``plan``."""
    rest = {k: v for k, v in annotation.attrs.items() if k not in plan}
    return " ".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
        for k, v in {"layer": annotation.layer, **rest}.items()
    ).replace("\n", " ")


def ann_lines(doc: Document, annotations: list[Annotation], plan: Plan) -> tuple[list[str], int]:
    """The ``.ann`` lines of one document, and how many spans held only line breaks."""
    lines, skipped, n_attr = [], 0, 0
    for i, a in enumerate(annotations, start=1):
        pieces = fragments(doc.text, a.start, a.end)
        if not pieces:
            skipped += 1
            continue
        tid = a.id or f"T{i}"
        bounds = ";".join(f"{s} {e}" for s, e in pieces)
        quote = " ".join(doc.text[s:e] for s, e in pieces)
        lines.append(f"{tid}\t{brat_name(a.label)} {bounds}\t{quote}")
        for key, value in a.attrs.items():
            if key not in plan or (plan[key] is None and value is not True):
                continue
            n_attr += 1
            shown = "" if plan[key] is None else f" {_word(value)}"
            lines.append(f"A{n_attr}\t{brat_name(key)} {tid}{shown}")
        lines.append(f"#{i}\tAnnotatorNotes {tid}\t{note(a, plan)}")
    return lines, skipped


def conf(labels: set[str], plan: Plan) -> str:
    """``annotation.conf`` declaring the entity types and attributes used."""
    attributes = [
        f"{brat_name(key)}\tArg:<ENTITY>"
        + ("" if values is None else f", Value:{'|'.join(values)}")
        for key, values in sorted(plan.items())
    ]
    types = sorted({brat_name(label) for label in labels})
    sections = ["[entities]", *types, "", "[relations]", "", "[events]", "", "[attributes]"]
    return "\n".join([*sections, *attributes]) + "\n"


def export(
    docs: list[Document],
    out: Path,
    layers: list[str] | None = None,
    options: ExportOptions | None = None,
) -> Exported:
    """Write brat standoff files for ``docs`` into the folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    result = Exported()
    selected = {doc.id: select_layers(doc, layers) for doc in docs}
    plan = attribute_plan([a for annotations in selected.values() for a in annotations])
    for doc in docs:
        name = safe_filename(doc.id)
        lines, skipped = ann_lines(doc, selected[doc.id], plan)
        for suffix, text in ((".txt", doc.text), (".ann", "".join(f"{line}\n" for line in lines))):
            write_atomic(out / f"{name}{suffix}", text)
            result.files.append(out / f"{name}{suffix}")
        if skipped:
            result.notes.append(f"{doc.id}: {skipped} span(s) of only line breaks left out")
    labels = {a.label for annotations in selected.values() for a in annotations}
    write_atomic(out / "annotation.conf", conf(labels, plan))
    result.files.append(out / "annotation.conf")
    return result
