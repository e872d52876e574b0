"""Turn the paths on the command line into a stream of documents (and read errors)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from annotate.errors import InputError, available
from annotate.io.readers import Reader
from annotate.io.stdin import SNIFF_BYTES, sniff_stdin
from annotate.model import Document
from annotate.registry import Entry


def reader_table(readers: Mapping[str, Entry]) -> dict[str, Reader]:
    """File extension -> reader."""
    return {ext: e.obj for e in readers.values() for ext in e.obj.extensions}


def read_paths(
    paths: Iterable[str], readers: Mapping[str, Entry], stdin_format: str = "auto"
) -> Iterator[Document | InputError]:
    """Documents from files, folders (recursively, files of known extensions) and ``-``."""
    by_ext = reader_table(readers)
    for raw in paths:
        if raw == "-":
            data, fmt = b"", stdin_format
            if fmt == "auto":  # JSON Lines when every line is a JSON object, else text
                data = sys.stdin.buffer.read(SNIFF_BYTES)
                fmt = sniff_stdin(data, complete=len(data) < SNIFF_BYTES)
            reader = readers[fmt].obj
            yield from reader.read("<stdin>", data + sys.stdin.buffer.read())
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in by_ext
                and (p.is_file() or p.is_symlink())
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for file in files:
                yield from _read_file(file, by_ext)
        elif path.exists() or path.is_symlink():
            yield from _read_file(path, by_ext)
        else:
            yield InputError(str(path), "no such file or folder; check the path.")


def _read_file(path: Path, by_ext: Mapping[str, Reader]) -> Iterator[Document | InputError]:
    source = str(path)
    reader = by_ext.get(path.suffix.lower())
    if reader is None:
        yield InputError(
            source,
            f"unknown file type '{path.suffix or '(no extension)'}'; "
            f"{available(by_ext)} Rename it, or add a reader plugin.",
        )
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield InputError(source, f"cannot be read: {error.strerror or error}.")
        return
    yield from reader.read(source, data)
