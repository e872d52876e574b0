"""Builtin writers: one JSON file per document (``json``), or JSON Lines (``jsonl``).

A writer class has a ``name``; ``Writer(out)`` opens it, ``write(record)`` adds one document's
JSON, ``close()`` finishes. Files appear atomically (temp file, then rename), so an
interrupted run never leaves a partial file, and what was written before stays intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from annotate.errors import InputError
from annotate.hookspecs import hookimpl

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give; mkstemp alone gives 0600


def dumps(record: dict[str, Any], indent: int | None = None) -> str:
    return json.dumps(record, ensure_ascii=False, indent=indent)


def safe_filename(doc_id: str) -> str:
    """A file name for ``doc_id`` that stays inside the output folder ("../x" -> "x")."""
    name = _UNSAFE.sub("_", doc_id).strip("._")[:150]
    if name != doc_id:  # keep distinct ids distinct after cleaning
        name = f"{name or 'doc'}-{hashlib.sha256(doc_id.encode()).hexdigest()[:8]}"
    return name


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonDirWriter:
    """``OUT/<id>.json`` per document."""

    name = "json"

    def __init__(self, out: str) -> None:
        self.folder = Path(out)
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(
                out, "exists and is not a folder; choose another -o, or --format jsonl."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self.written: dict[str, str] = {}

    def path_for(self, doc_id: str) -> Path:
        return self.folder / f"{safe_filename(doc_id)}.json"

    def write(self, record: dict[str, Any]) -> None:
        doc_id = record["id"]
        if doc_id in self.written:
            raise InputError(
                record["meta"].get("source", doc_id),
                f"duplicate document id '{doc_id}' (also in {self.written[doc_id]}); "
                "give each document its own `id`.",
            )
        self.written[doc_id] = record["meta"].get("source", doc_id)
        write_atomic(self.path_for(doc_id), dumps(record, indent=2) + "\n")

    def close(self) -> None:
        pass


class JsonlWriter:
    """All documents in one JSON Lines file (``-o -`` writes to standard output)."""

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")  # -o x.jsonl picks this writer (annotate.io.formats)

    def __init__(self, out: str) -> None:
        self.stdout = out == "-"
        self.tmp: str | None = None
        self.handle: IO[str]
        if self.stdout:
            self.handle = sys.stdout
            return
        path = Path(out)
        if path.is_dir():
            path = path / "annotations.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        fd, self.tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.handle = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self.handle.write(dumps(record) + "\n")
        if self.stdout:
            self.handle.flush()

    def close(self) -> None:
        if self.stdout:
            return
        self.handle.close()
        os.chmod(self.tmp, FILE_MODE)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.stdout:
            self.handle.close()
            Path(self.tmp).unlink(missing_ok=True)


@hookimpl
def register_writers(register) -> None:
    register(JsonDirWriter)
    register(JsonlWriter)
