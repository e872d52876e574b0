"""Partitions of the input that a worker reads itself: whole files, or line ranges of a JSON
Lines file.

The main process plans them from the listed inputs: it reads each JSON Lines file once, in
blocks, to check it is text and to cut it between lines, and keeps only the offsets. A worker
reads its :class:`Slice` s with the same readers, so it yields the same documents and errors,
with the same line numbers, as reading the whole file would.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import InputError
from annotate.io.decode import BOM
from annotate.io.readers import JsonlReader, Reader
from annotate.io.sources import display_path, read_file
from annotate.model import Document

BLOCK = 1 << 20  # bytes read at a time while planning a JSON Lines file


@dataclass(frozen=True)
class Slice:
    """One input file, or bytes ``start``-``end`` of a JSON Lines file from line ``line``.

    ``path`` is absolute (a worker may run elsewhere); ``source`` is the path as given, which
    documents and errors name. ``size`` is the file's size as the main process saw it: a
    worker that sees another size is not reading the same file (another machine), and gives
    the partition back.
    """

    path: str
    source: str
    size: int
    start: int = 0
    end: int | None = None
    line: int = 1

    @property
    def bytes(self) -> int:
        """How many bytes it spans (0 when unknown: not a regular file)."""
        return max(0, (self.size if self.end is None else self.end) - self.start)


def plan(
    inputs: Iterable[str], by_ext: Mapping[str, Reader], lines: int
) -> Iterator[tuple[Slice, int]]:
    """The inputs as slices, in input order, with how many documents (or errors) each holds:
    whole files, and JSON Lines files cut every ``lines`` lines."""
    for raw in inputs:
        path = Path(raw)
        yield from _slices(path, by_ext.get(path.suffix.lower()), lines)


def _slices(path: Path, reader: Reader | None, lines: int) -> Iterator[tuple[Slice, int]]:
    """A file as slices with their document counts: line ranges of a valid JSON Lines file,
    else the whole file (whose errors then come out as reading it whole gives them)."""
    whole = str(path.absolute()), display_path(path)
    try:
        info = path.stat()
        regular = stat.S_ISREG(info.st_mode)
    except OSError:
        regular = False
    if not regular:
        yield Slice(*whole, -1), 1
        return
    if not isinstance(reader, JsonlReader):
        yield Slice(*whole, info.st_size), 1
        return
    try:
        cuts = _line_cuts(path, lines)
    except OSError:
        cuts = None
    if cuts is None:
        yield Slice(*whole, info.st_size), 1
        return
    size, pieces = cuts
    for start, end, line, count in pieces:
        yield Slice(*whole, size, start, end, line), count


def _line_cuts(path: Path, lines: int) -> tuple[int, list[tuple[int, int, int, int]]] | None:
    """The file's size and its pieces of ``lines`` lines each, as (start, end, first line,
    documents), read in blocks; None if it is not text (a NUL byte, not UTF-8, or blank):
    a worker then reads it whole, which says what is wrong."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pieces: list[tuple[int, int, int, int]] = []
    pending = b""  # the bytes after the last cut
    start, line, blank = 0, 1, True
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError:
                return None
            if b"\x00" in block:
                return None
            blank = blank and not (text.removeprefix(BOM) if start == 0 else text).strip()
            pending += block
            cut = 0
            while (end := _lines_end(pending, cut, lines)) is not None:
                line = _cut(pieces, pending[cut:end], start, line)
                start += end - cut
                cut = end
            pending = pending[cut:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if blank:
        return None
    if pending:
        _cut(pieces, pending, start, line)
    return start + len(pending), pieces


def _cut(pieces: list[tuple[int, int, int, int]], piece: bytes, start: int, line: int) -> int:
    """Add ``piece`` (from byte ``start``, line ``line``) to ``pieces``; the next line."""
    pieces.append((start, start + len(piece), line, max(1, piece.count(b"\n"))))
    return line + piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")


def _lines_end(data: bytes, start: int, lines: int) -> int | None:
    """The offset just after the ``lines``-th b"\\n" from ``start``; None if fewer."""
    position = start
    for _ in range(lines):
        found = data.find(b"\n", position)
        if found < 0:
            return None
        position = found + 1
    return position


def reachable(piece: Slice) -> bool:
    """Whether this process sees the file the client planned (same size)."""
    if piece.size < 0:
        return os.path.lexists(piece.path)
    try:
        return os.stat(piece.path).st_size == piece.size
    except OSError:
        return False


def read_slices(
    slices: Iterable[Slice], by_ext: Mapping[str, Reader], max_chars: int
) -> Iterator[Document | InputError]:
    """The documents and errors of ``slices``, as reading their files whole gives them."""
    for piece in slices:
        path = Path(piece.path)
        if piece.end is None:
            yield from read_file(path, by_ext, max_chars, piece.source)
            continue
        reader = by_ext[path.suffix.lower()]
        assert isinstance(reader, JsonlReader)
        try:
            with path.open("rb") as handle:
                handle.seek(piece.start)
                text = handle.read(piece.end - piece.start).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:  # it changed since it was planned
            yield InputError(piece.source, f"cannot be read: {error}.")
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if piece.start == 0:
            text = text.removeprefix(BOM)
        yield from reader.read_lines(piece.source, text.removesuffix("\n"), piece.line)
