"""Chunks hold batch_size documents; with several workers the last ones shrink."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotate.chunking import CHARS_PER_CHUNK, UNITS_PER_DOCUMENT, chunked


def units(counts: list[int], chars: int = 1000) -> list[tuple[int, int, int]]:
    return [(i, n, n * chars) for i, n in enumerate(counts)]


def sizes(counts: list[int], size: int, workers: int) -> list[int]:
    return [documents for _, documents in chunked(units(counts), size, workers)]


def test_one_worker_gets_whole_batches():
    assert sizes([1] * 50, 16, 1) == [16, 16, 16, 2]


def test_the_last_chunks_shrink_so_the_workers_finish_together():
    got = sizes([1] * 300, 16, 2)
    assert got[:12] == [16] * 12
    assert got[-4:] == [1, 1, 1, 1]
    assert got == sorted(got, reverse=True)  # never a large chunk after a small one
    assert sum(got) == 300


def test_a_small_input_is_shared_out_from_the_start():
    assert sizes([1] * 20, 16, 4) == [3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]


def test_units_without_documents_still_go_by_in_small_chunks():
    """A resumed run: errors and resumed documents hold none, yet chunks stay bounded."""
    got = [len(part) for part, _ in chunked(((i, 0, 0) for i in range(1000)), 8, 2)]
    assert max(got) == UNITS_PER_DOCUMENT * 8 and sum(got) == 1000


def test_a_unit_is_never_split():
    assert sizes([4] * 10, 6, 1) == [8, 8, 8, 8, 8]


def test_long_documents_make_short_chunks():
    """A chunk's parses stay in memory together: long texts go a few at a time."""
    long = CHARS_PER_CHUNK // 3
    got = [docs for _, docs in chunked(((i, 1, long) for i in range(10)), 16, 1)]
    assert got == [3, 3, 3, 1]
    huge = [(0, 1, 5 * CHARS_PER_CHUNK), (1, 1, 10), (2, 1, 10)]
    assert [part for part, _ in chunked(iter(huge), 16, 1)] == [[0], [1, 2]]


@given(
    shapes=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 600_000)), max_size=200),
    size=st.integers(1, 40),
    workers=st.integers(1, 16),
)
def test_every_unit_once_in_order(shapes, size, workers):
    counts = [n for n, _ in shapes]
    out = list(chunked(((i, n, c) for i, (n, c) in enumerate(shapes)), size, workers))
    assert [u for part, _ in out for u in part] == list(range(len(shapes)))
    assert all(part for part, _ in out)
    assert [d for _, d in out] == [sum(counts[u] for u in part) for part, _ in out]
    assert all(len(part) <= UNITS_PER_DOCUMENT * size for part, _ in out)
    assert all(d < size + max(counts) for _, d in out if counts)  # one unit over, at most
    for part, _ in out:
        assert len(part) == 1 or sum(shapes[u][1] for u in part) <= CHARS_PER_CHUNK
