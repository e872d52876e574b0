"""Turn the paths on the command line into a stream of documents (and read errors)."""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from annotate.errors import InputError, UsageError, available
from annotate.io.readers import Reader
from annotate.io.stdin import SNIFF_BYTES, sniff_stdin
from annotate.model import Document
from annotate.registry import Entry


def reader_table(readers: Mapping[str, Entry]) -> dict[str, Reader]:
    """File extension -> reader."""
    return {ext: e.obj for e in readers.values() for ext in e.obj.extensions}


def check_paths(paths: Iterable[str]) -> None:
    """Refuse a run whose input paths do not all exist (a usage error, exit code 2)."""
    for raw in paths:
        if raw != "-" and not (Path(raw).exists() or Path(raw).is_symlink()):
            raise UsageError(f"{raw}: no such file or folder; check the path.")


def read_paths(
    paths: Iterable[str],
    readers: Mapping[str, Entry],
    stdin_format: str = "auto",
    max_chars: int | None = None,
) -> Iterator[Document | InputError]:
    """Documents from files, folders (recursively, files of known extensions) and ``-``.

    With ``max_chars``, a one-document file too large to hold that many characters is
    refused from its size, before it is read.
    """
    by_ext = reader_table(readers)
    for raw in paths:
        if raw == "-":
            data, fmt = b"", stdin_format
            if fmt == "auto":  # JSON Lines when every line is a JSON object, else text
                data = sys.stdin.buffer.read(SNIFF_BYTES)
                fmt = sniff_stdin(data, complete=len(data) < SNIFF_BYTES)
            reader = readers[fmt].obj
            if max_chars is not None and reader.name not in LINE_READERS:
                data += sys.stdin.buffer.read(max(0, _bound(max_chars) + 1 - len(data)))
                if len(data) > _bound(max_chars):
                    yield InputError("<stdin>", f"is over max_chars ({max_chars:,}); split it.")
                    continue
            else:
                data += sys.stdin.buffer.read()
            yield from _guarded(reader, "<stdin>", data)
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
                yield from _read_file(file, by_ext, max_chars)
        elif path.exists() or path.is_symlink():
            yield from _read_file(path, by_ext, max_chars)
        else:
            yield InputError(str(path), "no such file or folder; check the path.")


def display_path(path: Path) -> str:
    """``path`` as text: bytes of a file name that are not UTF-8 become U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_file(
    path: Path, by_ext: Mapping[str, Reader], max_chars: int | None = None
) -> Iterator[Document | InputError]:
    source = display_path(path)
    reader = by_ext.get(path.suffix.lower())
    if reader is None:
        yield InputError(
            source,
            f"unknown file type '{path.suffix or '(no extension)'}'; "
            f"{available(by_ext)} Rename it, or add a reader plugin.",
        )
        return
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            yield InputError(source, "is not a regular file (a device, FIFO or socket?).")
            return
        size = info.st_size
        if max_chars is not None and reader.name not in LINE_READERS and size > _bound(max_chars):
            yield InputError(
                source,
                f"file is {size:,} bytes, over max_chars ({max_chars:,}); split it, or raise "
                "max_chars in annotate.yaml",
            )
            return
        data = path.read_bytes()
    except OSError as error:
        yield InputError(source, f"cannot be read: {error.strerror or error}.")
        return
    yield from _guarded(reader, source, data)


# Readers whose files hold one document a line: their size says nothing about one document.
LINE_READERS = frozenset({"jsonl"})


def _bound(max_chars: int) -> int:
    """Bytes that surely hold over ``max_chars`` characters of UTF-8 (plus front matter)."""
    return 4 * max_chars + (1 << 16)


def _guarded(reader: Reader, source: str, data: bytes) -> Iterator[Document | InputError]:
    """``reader.read``, with a reader that raises turned into an error for that file."""
    try:
        yield from reader.read(source, data)
    except Exception as error:
        yield InputError(source, f"reader '{reader.name}' failed: {type(error).__name__}: {error}")
