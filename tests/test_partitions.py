"""Partitions a Dask worker reads itself give what reading the whole files gives."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.api import load_registry
from annotate.config import load_config
from annotate.io import partitions
from annotate.io.partitions import Slice, plan, reachable, read_slices
from annotate.io.sources import list_inputs, read_paths, reader_table

READERS = load_registry(load_config(None)).readers
BY_EXT = reader_table(READERS)


def as_read(items) -> list:
    return [
        (type(i).__name__, str(i) if not hasattr(i, "text") else (i.id, i.text, i.meta))
        for i in items
    ]


def read_both(folder: Path, lines: int) -> tuple[list, list]:
    inputs = list_inputs([str(folder)], READERS)
    whole = as_read(read_paths(inputs, READERS, max_chars=10_000))
    slices = [s for s, _ in plan(inputs, BY_EXT, lines)]
    return whole, as_read(read_slices(slices, BY_EXT, 10_000))


LINE = st.one_of(
    st.builds(lambda t, i: json.dumps({"id": i, "text": t}), st.text(min_size=1), st.text()),
    st.builds(lambda t: json.dumps({"text": t}), st.text(min_size=1)),
    st.sampled_from(["", "   ", "not json", "[1, 2]", '{"text": ""}', '{"text": NaN}']),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(LINE, max_size=30),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    per_slice=st.integers(1, 7),
    block=st.sampled_from([1, 2, 5, partitions.BLOCK]),
)
def test_line_ranges_read_as_the_whole_file(
    tmp_path_factory, monkeypatch, lines, ending, bom, per_slice, block
):
    monkeypatch.setattr(partitions, "BLOCK", block)  # the planner reads the file in blocks
    folder = tmp_path_factory.mktemp("in")
    text = ("\ufeff" if bom else "") + ending.join(lines) + ending
    (folder / "docs.jsonl").write_bytes(text.encode("utf-8", "surrogatepass"))
    whole, sliced = read_both(folder, per_slice)
    assert sliced == whole


def test_slices_keep_input_order_and_cut_json_lines(tmp_path):
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"{name} text.\n")
    (tmp_path / "c.jsonl").write_text(
        "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(5))
    )
    (tmp_path / "d.jsonl").write_bytes(b'{"text": "\xff"}\n')  # not UTF-8: read whole, one error
    inputs = list_inputs([str(tmp_path)], READERS)
    slices = list(plan(inputs, BY_EXT, 2))
    assert [(Path(s.path).name, s.line, count) for s, count in slices] == [
        ("a.txt", 1, 1),
        ("b.txt", 1, 1),
        ("c.jsonl", 1, 2),
        ("c.jsonl", 3, 2),
        ("c.jsonl", 5, 1),
        ("d.jsonl", 1, 1),
    ]
    assert slices[-1][0].end is None
    whole, sliced = read_both(tmp_path, 2)
    assert sliced == whole and len(whole) == 8


def test_a_worker_that_sees_another_file_gives_the_partition_back(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Acme grew.\n")
    assert reachable(Slice(str(path), "a.txt", path.stat().st_size))
    assert not reachable(Slice(str(path), "a.txt", path.stat().st_size + 1))
    assert not reachable(Slice(str(tmp_path / "elsewhere.txt"), "elsewhere.txt", 11))


def test_slices_name_the_path_as_given_and_reach_it_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    Path("in/a.jsonl").write_text('{"text": "x"}\nnot json\n')
    slices = [s for s, _ in plan(list_inputs(["in"], READERS), BY_EXT, 5)]
    assert [(s.path, s.source) for s in slices] == [(str(tmp_path / "in/a.jsonl"), "in/a.jsonl")]
    monkeypatch.chdir("/")
    items = list(read_slices(slices, BY_EXT, 100))
    assert items[0].meta["source"] == "in/a.jsonl:1"
    assert str(items[1]).startswith("in/a.jsonl, line 2: not valid JSON")
