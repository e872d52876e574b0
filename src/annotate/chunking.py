"""Chunks: the documents a worker annotates together, their parse one ``nlp.pipe`` batch.

A chunk holds ``batch_size`` documents while the input lasts. With several workers the last
chunks shrink, so that the workers finish together instead of all but one waiting while it
parses a last whole batch (guided self-scheduling): the chunker reads two chunks per worker
ahead, and once the input is over it cuts what is left into chunks of a share of it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

# A chunk closes at this many units for each document it may hold: the errors and resumed
# documents of a run that is mostly resumed hold none, and still go by in small chunks.
UNITS_PER_DOCUMENT = 4


def chunked(
    units: Iterable[tuple[T, int]], size: int, workers: int = 1
) -> Iterator[tuple[list[T], int]]:
    """``units``, each with how many documents it holds, in order, grouped into chunks of
    ``size`` documents (or a little more: a unit is never split); with ``workers`` > 1 the
    last ones smaller. Yields each chunk with its number of documents."""
    size = max(1, size)
    ahead = 2 * workers * size if workers > 1 else 0
    buffer: deque[tuple[T, int]] = deque()
    queued = 0  # documents in the buffer
    for unit, documents in units:
        buffer.append((unit, documents))
        queued += documents
        while queued >= ahead + size or len(buffer) >= UNITS_PER_DOCUMENT * (ahead + size):
            chunk, taken = _take(buffer, size)
            queued -= taken
            yield chunk, taken
    while buffer:
        share = -(-queued // (2 * workers)) if workers > 1 else size  # ceil
        chunk, taken = _take(buffer, min(size, max(1, share)))
        queued -= taken
        yield chunk, taken


def _take(buffer: deque[tuple[T, int]], size: int) -> tuple[list[T], int]:
    """The first units of ``buffer`` holding ``size`` documents (or UNITS_PER_DOCUMENT ×
    ``size`` units)."""
    chunk: list[T] = []
    documents = 0
    while buffer and documents < size and len(chunk) < UNITS_PER_DOCUMENT * size:
        unit, count = buffer.popleft()
        chunk.append(unit)
        documents += count
    return chunk, documents
