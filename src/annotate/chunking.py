"""Chunks: the documents a worker annotates together, their parse one ``nlp.pipe`` batch.

A chunk holds ``batch_size`` documents while the input lasts, and at most CHARS_PER_CHUNK
characters of text (a chunk's parses stay in memory together), unless one document is
longer. With several workers the last chunks shrink, so that the workers finish together
instead of all but one waiting while it parses a last whole batch (guided self-scheduling):
the chunker reads two chunks per worker ahead, and once the input is over it cuts what is
left into chunks of a share of it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

# A chunk closes at this many units for each document it may hold: the errors and resumed
# documents of a run that is mostly resumed hold none, and still go by in small chunks.
UNITS_PER_DOCUMENT = 4
# The most text a chunk holds (characters, or bytes of a file not read yet): one document
# as long as the default max_chars, not sixteen.
CHARS_PER_CHUNK = 1_000_000


def chunked(
    units: Iterable[tuple[T, int, int]], size: int, workers: int = 1
) -> Iterator[tuple[list[T], int]]:
    """``units``, each with how many documents and characters it holds, in order, grouped
    into chunks of ``size`` documents (or a little more: a unit is never split); with
    ``workers`` > 1 the last ones smaller. Yields each chunk with its number of documents."""
    size = max(1, size)
    turns = 2 * workers if workers > 1 else 0  # chunks read ahead
    buffer: deque[tuple[T, int, int]] = deque()
    queued = queued_chars = 0  # in the buffer
    for unit in units:
        buffer.append(unit)
        queued += unit[1]
        queued_chars += unit[2]
        while buffer and (
            queued >= (turns + 1) * size
            or queued_chars >= (turns + 1) * CHARS_PER_CHUNK
            or len(buffer) >= UNITS_PER_DOCUMENT * (turns + 1) * size
        ):
            chunk, documents, chars = _take(buffer, size)
            queued -= documents
            queued_chars -= chars
            yield chunk, documents
    while buffer:
        share = -(-queued // turns) if turns else size  # ceil
        chunk, documents, _ = _take(buffer, min(size, max(1, share)))
        queued -= documents
        yield chunk, documents


def _take(buffer: deque[tuple[T, int, int]], size: int) -> tuple[list[T], int, int]:
    """The first units of ``buffer``: up to ``size`` documents, CHARS_PER_CHUNK characters
    (a longer unit goes alone) and UNITS_PER_DOCUMENT × ``size`` units; with their
    documents and characters."""
    chunk: list[T] = []
    documents = chars = 0
    while buffer and documents < size and len(chunk) < UNITS_PER_DOCUMENT * size:
        unit, count, length = buffer[0]
        if chunk and chars + length > CHARS_PER_CHUNK:
            break
        buffer.popleft()
        chunk.append(unit)
        documents += count
        chars += length
    return chunk, documents, chars
