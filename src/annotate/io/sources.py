"""The inputs a run names: listed once (folders walked), counted, and read into documents."""

from __future__ import annotations

import stat
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from annotate.contract import json_problem
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


class Inputs(list[str]):
    """What a run reads, in order, as ``list_inputs`` gives it: ``-``, files, and paths that
    do not exist (reading one reports it). ``read_paths`` reads each as it is, walking nothing."""


def list_inputs(paths: Iterable[str], readers: Mapping[str, Entry]) -> Inputs:
    """``paths`` with each folder replaced by the files under it that a reader claims.

    The one walk of the input folders: files come recursively and sorted, hidden files and
    folders left out; ``-``, files and missing paths stay as given.
    """
    by_ext = reader_table(readers)
    inputs = Inputs()
    for raw in paths:
        path = Path(raw)
        if raw == "-" or not path.is_dir():
            inputs.append(raw)
            continue
        files = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in by_ext
            and (p.is_file() or p.is_symlink())
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        inputs.extend(str(file) for file in files)
    return inputs


def count_documents(
    inputs: Iterable[str], readers: Mapping[str, Entry], budget: float = 1.0
) -> int | None:
    """How many documents and errors reading ``inputs`` (from list_inputs) gives: the sum of
    the readers' ``count``s, for the progress bar.

    None when that is unknown: ``-`` (stdin), a reader without ``count`` or whose ``count``
    returns None or fails, or counting that takes over ``budget`` seconds.
    """
    by_ext = reader_table(readers)
    deadline = time.monotonic() + budget
    total = 0
    for raw in inputs:
        if raw == "-" or time.monotonic() > deadline:
            return None
        count = _count_file(Path(raw), by_ext)
        if count is None:
            return None
        total += count
    return total


def _count_file(path: Path, by_ext: Mapping[str, Reader]) -> int | None:
    reader = by_ext.get(path.suffix.lower())
    try:
        regular = stat.S_ISREG(path.stat().st_mode)  # never open a FIFO: it could block
    except OSError:
        regular = False
    if reader is None or not regular:
        return 1  # reading it reports one error
    count = getattr(reader, "count", None)
    if count is None:
        return None
    try:
        number = count(display_path(path), path)
    except Exception:  # unreadable, or a reader plugin's bug: no total rather than no run
        return None
    return number if type(number) is int and number >= 0 else None


def read_paths(
    paths: Iterable[str],
    readers: Mapping[str, Entry],
    stdin_format: str = "auto",
    max_chars: int | None = None,
) -> Iterator[Document | InputError]:
    """Documents from files, folders (recursively, files of known extensions) and ``-``.

    ``paths`` as on the command line, or as ``list_inputs`` listed them (then no folder is
    walked again). With ``max_chars``, a one-document file too large to hold that many
    characters is refused from its size, before it is read.
    """
    by_ext = reader_table(readers)
    inputs = paths if isinstance(paths, Inputs) else list_inputs(paths, readers)
    for raw in inputs:
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
        if path.exists() or path.is_symlink():
            yield from read_file(path, by_ext, max_chars)
        else:
            yield InputError(str(path), "no such file or folder; check the path.")


def display_path(path: Path) -> str:
    """``path`` as text: bytes of a file name that are not UTF-8 become U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_file(
    path: Path,
    by_ext: Mapping[str, Reader],
    max_chars: int | None = None,
    source: str | None = None,
) -> Iterator[Document | InputError]:
    """The documents of one file, read by the reader of its extension (errors as items);
    ``source`` names it (default: its path)."""
    source = source or display_path(path)
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


def checked(item: Document | InputError, max_chars: int) -> Document | InputError:
    """A document as read, or why it cannot be annotated: a reader plugin's document that
    breaks the input contract, or a text over ``max_chars``."""
    if isinstance(item, InputError):
        return item
    source = str(item.meta.get("source", item.id)) if isinstance(item.meta, dict) else item.id
    problem = _document_problem(item)
    if problem:
        return InputError(str(source), problem)
    if len(item.text) > max_chars:
        return InputError(
            source,
            f"document is {len(item.text):,} characters, over max_chars ({max_chars:,}); "
            "split it, or raise max_chars in annotate.yaml",
        )
    return item


def _document_problem(doc: Document) -> str | None:
    if not isinstance(doc.id, str) or not doc.id.strip():
        return f"the reader gave the id {doc.id!r}; ids are non-blank strings."
    if not isinstance(doc.text, str) or not isinstance(doc.meta, dict):
        return "the reader gave a document whose text is not a str or meta not a dict."
    return json_problem(doc.text, "text") or json_problem(doc.meta, "meta")


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
