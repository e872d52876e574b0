"""Builtin readers: plain text and Markdown with optional YAML front matter, and JSON Lines.

A reader has a ``name``, the file ``extensions`` it claims, and
``read(source, data) -> Iterator[Document | InputError]``: it yields an InputError for a
document it cannot read and goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, Protocol

import yaml

from annotate.errors import InputError
from annotate.hookspecs import hookimpl
from annotate.io.decode import decode
from annotate.model import Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class Reader(Protocol):
    name: str
    extensions: tuple[str, ...]

    def read(self, source: str, data: bytes) -> Iterator[Document | InputError]: ...


def _plain(value: Any) -> Any:
    """YAML/JSON values as JSON-ready values (dates as ISO strings)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _document(doc_id: Any, text: str, meta: dict[str, Any], source: str) -> Document:
    meta = {k: _plain(v) for k, v in meta.items()}
    meta.setdefault("source", source)
    return Document(id=str(doc_id), text=text, meta=meta)


class TextReader:
    """``.txt`` and ``.md`` files: one document each, front matter keys go to ``meta``."""

    name = "text"
    extensions = (".txt", ".md", ".markdown", ".text")

    def read(self, source: str, data: bytes) -> Iterator[Document | InputError]:
        try:
            text = decode(source, data)
            meta, body = _split_front_matter(source, text)
        except InputError as error:
            yield error
            return
        if not body.strip():
            yield InputError(source, "has front matter but no text to annotate.")
            return
        doc_id = meta.pop("id", None) or (
            "stdin-1" if source == "<stdin>" else PurePath(source).stem
        )
        yield _document(doc_id, body, meta, source)


def _split_front_matter(source: str, text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    match = _FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---\n"):
            raise InputError(
                source,
                "front matter opened by '---' on line 1 is never closed; end it with a '---' line.",
            )
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 2}:" if mark else ""
        problem = getattr(error, "problem", None) or error
        raise InputError(
            source, f"broken front matter,{line} {problem}; fix the YAML between the '---' lines."
        ) from None
    if not isinstance(meta, dict):
        raise InputError(
            source, "front matter must be YAML `key: value` lines (id, date, title, ...)."
        )
    return meta, text[match.end() :]


class JsonlReader:
    """``.jsonl`` files: one JSON object a line with ``text`` and optional ``id``, ``date``, ..."""

    name = "jsonl"
    extensions = (".jsonl", ".ndjson")

    def read(self, source: str, data: bytes) -> Iterator[Document | InputError]:
        try:
            text = decode(source, data)
        except InputError as error:
            yield error
            return
        stem = PurePath(source).stem.strip("<>")  # <stdin>: ids stdin-1, stdin-2...
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            where = f"{source}, line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield InputError(where, f"not valid JSON ({error.msg}, column {error.colno}).")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                yield InputError(where, 'needs a JSON object with a string "text" field.')
                continue
            if not record["text"].strip():
                yield InputError(where, "has an empty text: there is nothing to annotate.")
                continue
            body = record.pop("text").replace("\r\n", "\n").replace("\r", "\n")
            doc_id = record.pop("id", None) or f"{stem}-{number}"
            record.setdefault("source", f"{source}:{number}")
            yield _document(doc_id, body, record, source)


@hookimpl
def register_readers(register) -> None:
    register(TextReader())
    register(JsonlReader())
