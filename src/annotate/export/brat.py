"""brat standoff: ``<id>.txt`` (the text) and ``<id>.ann`` per document, one ``annotation.conf``.

Each annotation is a ``T`` line keeping its id, typed by its label; a span over a line break
becomes a discontinuous span (brat text bounds may not hold newlines). ``True`` flags and
short one-word strings (currency, TIMEX values) become ``A`` attributes; the layer and all
other attrs go in an ``AnnotatorNotes`` (``#``) line as ``key=value`` pairs.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from annotate.export import Exported, select_layers
from annotate.io.writers import safe_filename, write_atomic
from annotate.model import Annotation, Document

_NAME = re.compile(r"[^A-Za-z0-9_-]")
_WORD = re.compile(r"^[A-Za-z0-9_.:+-]{1,40}$")
BINARY = ""


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


def split_attrs(attrs: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """(brat attributes: name -> value, ``BINARY`` for a flag; the rest, for the note)."""
    attributes, rest = {}, {}
    for key, value in attrs.items():
        if value is True:
            attributes[brat_name(key)] = BINARY
        elif isinstance(value, str) and _WORD.match(value):
            attributes[brat_name(key)] = value
        else:
            rest[key] = value
    return attributes, rest


def note(annotation: Annotation, rest: dict[str, Any]) -> str:
    """``layer=... key=value ...`` on one line."""
    values = {"layer": annotation.layer, **rest}
    return " ".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
        for k, v in values.items()
    ).replace("\n", " ")


def ann_lines(doc: Document, layers: list[str] | None, multi: set[str]) -> tuple[list[str], int]:
    """The ``.ann`` lines of one document, and how many spans held only line breaks."""
    lines, skipped, n_attr = [], 0, 0
    for i, a in enumerate(select_layers(doc, layers), start=1):
        pieces = fragments(doc.text, a.start, a.end)
        if not pieces:
            skipped += 1
            continue
        tid = a.id or f"T{i}"
        bounds = ";".join(f"{s} {e}" for s, e in pieces)
        quote = " ".join(doc.text[s:e] for s, e in pieces)
        lines.append(f"{tid}\t{brat_name(a.label)} {bounds}\t{quote}")
        attributes, rest = split_attrs(a.attrs)
        for name, value in attributes.items():
            n_attr += 1
            if value == BINARY and name in multi:
                value = "true"
            lines.append(f"A{n_attr}\t{name} {tid}{f' {value}' if value else ''}")
        lines.append(f"#{i}\tAnnotatorNotes {tid}\t{note(a, rest)}")
    return lines, skipped


def conf(docs: list[Document], layers: list[str] | None) -> tuple[str, set[str]]:
    """``annotation.conf`` declaring every type and attribute used; multi-valued attributes."""
    types: set[str] = set()
    values: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for a in select_layers(doc, layers):
            types.add(brat_name(a.label))
            for name, value in split_attrs(a.attrs)[0].items():
                values[name].add(value)
    multi = {name for name, seen in values.items() if seen - {BINARY}}
    attributes = []
    for name in sorted(values):
        seen = {"true" if v == BINARY else v for v in values[name]}
        choice = f", Value:{'|'.join(sorted(seen))}" if name in multi else ""
        attributes.append(f"{name}\tArg:<ENTITY>{choice}")
    text = "\n".join(
        ["[entities]", *sorted(types), "", "[relations]", "", "[events]", "", "[attributes]"]
        + attributes
    )
    return text + "\n", multi


def export(docs: list[Document], out: Path, layers: list[str] | None = None) -> Exported:
    """Write brat standoff files for ``docs`` into the folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    result = Exported()
    conf_text, multi = conf(docs, layers)
    for doc in docs:
        name = safe_filename(doc.id)
        lines, skipped = ann_lines(doc, layers, multi)
        for suffix, text in ((".txt", doc.text), (".ann", "\n".join(lines) + "\n" * bool(lines))):
            write_atomic(out / f"{name}{suffix}", text)
            result.files.append(out / f"{name}{suffix}")
        if skipped:
            result.notes.append(f"{doc.id}: {skipped} span(s) of only line breaks left out")
    write_atomic(out / "annotation.conf", conf_text)
    result.files.append(out / "annotation.conf")
    return result
