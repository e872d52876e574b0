"""Chunks hold batch_size documents; with several workers the last ones shrink."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotate.chunking import UNITS_PER_DOCUMENT, chunked


def sizes(counts: list[int], size: int, workers: int) -> list[int]:
    return [
        documents for _, documents in chunked(((i, n) for i, n in enumerate(counts)), size, workers)
    ]


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
    got = [len(units) for units, _ in chunked(((i, 0) for i in range(1000)), 8, 2)]
    assert max(got) == UNITS_PER_DOCUMENT * 8 and sum(got) == 1000


def test_a_unit_is_never_split():
    assert sizes([4] * 10, 6, 1) == [8, 8, 8, 8, 8]


@given(
    counts=st.lists(st.integers(0, 5), max_size=200),
    size=st.integers(1, 40),
    workers=st.integers(1, 16),
)
def test_every_unit_once_in_order(counts, size, workers):
    out = list(chunked(((i, n) for i, n in enumerate(counts)), size, workers))
    assert [u for units, _ in out for u in units] == list(range(len(counts)))
    assert all(units for units, _ in out)
    assert [d for _, d in out] == [sum(counts[u] for u in units) for units, _ in out]
    assert all(len(units) <= UNITS_PER_DOCUMENT * size for units, _ in out)
