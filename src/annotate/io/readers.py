"""Builtin readers: plain text and Markdown with optional YAML front matter, and JSON Lines.

A reader has a ``name``, the file ``extensions`` it claims, and
``read(source, data) -> Iterator[Document | InputError]``: it yields an InputError for a
document it cannot read and goes on with the rest. It may also have
``count(source, path) -> int | None``, how many documents (and errors) ``read`` will yield for
that file, for the progress bar's total and ETA; without it, or when it returns None, the run
shows no total.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any, Protocol

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor

from annotate.contract import json_problem
from annotate.errors import InputError
from annotate.hookspecs import hookimpl
from annotate.io.decode import decode
from annotate.model import Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class Reader(Protocol):
    """What the runner calls on a reader. ``count`` is optional: see CountingReader."""

    name: str
    extensions: tuple[str, ...]

    def read(self, source: str, data: bytes) -> Iterator[Document | InputError]: ...


class CountingReader(Reader, Protocol):
    """A reader that can tell how many items ``read`` will yield for a file, cheaply.

    ``count`` gets the file's display name and its path (a regular file) and returns the number
    of documents and errors ``read`` will yield, or None when it cannot tell quickly: it is
    only the progress bar's total, so a close estimate is fine, reading the whole file is not.
    """

    def count(self, source: str, path: Path) -> int | None: ...


class FrontMatterLoader(yaml.SafeLoader):
    """YAML for front matter: plain values only, every bad value an error with its line.

    Aliases (``*name``) are refused, so a few hundred bytes cannot expand to gigabytes (an
    "alias bomb"); ``!!binary``, ``!!set``, ``!!omap`` and ``!!pairs`` are refused, and so are
    impossible dates (``2025-13-45``) and ``.nan``/``.inf``, which strict JSON cannot hold.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


class _FastFrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """FrontMatterLoader's values from libyaml's parser (PyYAML's own is pure Python, and was
    most of the cost of reading a short article). It cannot refuse aliases, and the two
    parsers differ on odd syntax, so it reads only plain ``key: value`` lines (_SIMPLE); any
    error is left to FrontMatterLoader to word."""


# Front matter libyaml may read: ``key: value`` lines whose value is plain text that starts
# with no character of YAML syntax (quotes, tags, anchors, aliases, collections, comments),
# or is quoted, without escapes.
_PLAIN = r"[^\s#!*&|>{}\[\]'\"%@`\\,?\-\x85\u2028\u2029\ufeff][^\n\r\t#\x85\u2028\u2029\ufeff]*"
_QUOTED = r"\"[^\"\\\n\r\t\x85\u2028\u2029\ufeff]*\"|'[^'\n\r\t\x85\u2028\u2029\ufeff]*'"
_SIMPLE = re.compile(rf"(?:[A-Za-z_][\w.-]*:(?: (?:{_PLAIN}|(?:{_QUOTED}) *))?\n)*")


def _timestamp(loader: Any, node: Any) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise ConstructorError(
            None, None, f"{node.value!r} is not a valid date or time ({error})", node.start_mark
        ) from None


def _float(loader: Any, node: Any) -> Any:
    value = SafeConstructor.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise ConstructorError(
            None, None, f"{node.value!r} is not a finite number", node.start_mark
        )
    return value


def _refused(loader: Any, node: Any) -> Any:
    raise ConstructorError(
        None,
        None,
        f"{node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed in front matter; "
        "write plain text",
        node.start_mark,
    )


for _loader in (FrontMatterLoader, _FastFrontMatterLoader):
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    _loader.add_constructor("tag:yaml.org,2002:float", _float)
    for _tag in ("binary", "set", "omap", "pairs"):
        _loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refused)


def _load_front_matter(text: str) -> Any:
    if _SIMPLE.fullmatch(text if text.endswith("\n") else text + "\n"):
        try:
            return yaml.load(text, Loader=_FastFrontMatterLoader)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.load(text, Loader=FrontMatterLoader)


def _plain(value: Any) -> Any:
    """YAML/JSON values as JSON-ready values (dates as ISO strings)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _key(key: Any) -> str:
    return key.isoformat() if isinstance(key, dt.date | dt.datetime) else str(key)


def document_id(value: Any, where: str) -> str:
    """A document id from input: a non-blank string (or an integer); anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(
            where,
            f"id must be a string, not {type(value).__name__} ({str(value)[:60]}); "
            "give the document a text id.",
        )
    text = str(value)
    if not text.strip():
        raise InputError(where, "has a blank id; give the document a non-empty `id`.")
    return text


def check_date(value: Any, where: str) -> None:
    """``date`` must be an ISO 8601 date or date-time (it anchors relative dates)."""
    if value is None or isinstance(value, dt.date | dt.datetime):
        return
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
            return
        except ValueError:
            pass
    raise InputError(
        where,
        f"date {str(value)[:60]!r} is not a valid date; write it as YYYY-MM-DD "
        "(or an ISO 8601 date-time), or leave it out.",
    )


def _document(doc_id: Any, text: str, meta: dict[str, Any], source: str) -> Document:
    """A Document from what a reader found; raises InputError for a bad id or date."""
    check_date(meta.get("date"), source)
    meta = {_key(k): _plain(v) for k, v in meta.items()}
    meta.setdefault("source", source)
    return Document(id=document_id(doc_id, source), text=text, meta=meta)


class TextReader:
    """``.txt`` and ``.md`` files: one document each, front matter keys go to ``meta``."""

    name = "text"
    extensions = (".txt", ".md", ".markdown", ".text")

    def count(self, source: str, path: Path) -> int:
        return 1

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
        doc_id = meta.pop("id", None)
        if doc_id is None or doc_id == "":
            doc_id = "stdin-1" if source == "<stdin>" else PurePath(source).stem
        try:
            yield _document(doc_id, body, meta, source)
        except InputError as error:
            yield error


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
        meta = _load_front_matter(match.group(1) or "") or {}
    except RecursionError:
        raise InputError(
            source, "front matter is nested too deeply; keep it to `key: value` lines."
        ) from None
    except (yaml.YAMLError, LookupError, TypeError, ValueError) as error:
        # PyYAML's constructors raise plain errors on some empty tagged values ("!!int").
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 2}:" if mark else ""
        problem = getattr(error, "problem", None) or f"a value YAML cannot read ({error})"
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
    count_seconds = 1.0  # counting a file longer than this gives up (None)

    def count(self, source: str, path: Path) -> int | None:
        """The file's non-blank lines (one document or error each), read in 1 MiB blocks."""
        deadline = time.monotonic() + self.count_seconds
        lines = 0
        counted = False  # the line the previous block ended in is already counted
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                # \r, \r\n and \n end lines (decode); an extra blank line changes no count
                head, *rest = block.replace(b"\r", b"\n").split(b"\n")
                if not counted and head.strip():
                    lines, counted = lines + 1, True
                if rest:
                    lines += sum(1 for line in rest if line.strip())
                    counted = bool(rest[-1].strip())
                if time.monotonic() > deadline:
                    return None
        return lines or 1  # an empty file is one error

    def read(self, source: str, data: bytes) -> Iterator[Document | InputError]:
        try:
            text = decode(source, data)
        except InputError as error:
            yield error
            return
        yield from self.read_lines(source, text)

    def read_lines(
        self, source: str, text: str, first_line: int = 1
    ) -> Iterator[Document | InputError]:
        """The documents of decoded lines of ``source`` that start at line ``first_line``
        (a worker reads a part of a file this way)."""
        stem = PurePath(source).stem.strip("<>")  # <stdin>: ids stdin-1, stdin-2...
        for number, line in enumerate(text.split("\n"), start=first_line):
            if not line.strip():
                continue
            where = f"{source}, line {number}"
            try:
                record = json.loads(line, parse_constant=_no_constant, parse_float=_finite)
            except json.JSONDecodeError as error:
                yield InputError(where, f"not valid JSON ({error.msg}, column {error.colno}).")
                continue
            except (ValueError, RecursionError) as error:
                problem = str(error) if isinstance(error, ValueError) else "nested too deeply"
                yield InputError(where, f"not valid JSON ({problem}).")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                yield InputError(where, 'needs a JSON object with a string "text" field.')
                continue
            if not record["text"].strip():
                yield InputError(where, "has an empty text: there is nothing to annotate.")
                continue
            body = record.pop("text").replace("\r\n", "\n").replace("\r", "\n")
            problem = json_problem(record, "the record") or json_problem(body, "text")
            if problem:
                yield InputError(where, f"{problem}; fix it in the input.")
                continue
            doc_id = record.pop("id", None)
            if doc_id is None or doc_id == "":
                doc_id = f"{stem}-{number}"
            record.setdefault("source", f"{source}:{number}")
            try:
                yield _document(doc_id, body, record, where)
            except InputError as error:
                yield error


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number in strict JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value


@hookimpl
def register_readers(register) -> None:
    register(TextReader())
    register(JsonlReader())
