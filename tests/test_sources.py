"""The inputs of a run: the command line's paths listed once, counted by the readers, read as
the same documents and errors in the same order as from the paths themselves."""

from __future__ import annotations

import os
import pathlib
from pathlib import Path

import pytest

from annotate.batch import Summary
from annotate.cli import run as run_cli
from annotate.errors import InputError
from annotate.io.readers import JsonlReader, TextReader
from annotate.io.sources import Inputs, count_documents, list_inputs, read_paths
from annotate.registry import Entry
from test_batch import write_docs


@pytest.fixture(scope="module")
def readers():
    from annotate.api import build_pipeline

    return build_pipeline(overrides={"pipeline": []}).registry.readers


def tree(root: Path) -> Path:
    folder = root / "in"
    for name, text in {
        "b/c.txt": "Second.",
        "b-c.txt": "Third.",
        "a.md": "---\nid: first\n---\nFirst.",
        "sub/d.jsonl": '{"text": "Four"}\n\n{"text": "Five"}\nnot json\n',
        "sub/empty.txt": "",
        ".hidden/x.txt": "Hidden.",
        ".y.txt": "Hidden too.",
        "notes.csv": "no reader",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def items(stream) -> list[str]:
    return [f"error {x}" if isinstance(x, InputError) else f"{x.id}: {x.text}" for x in stream]


def test_folders_are_listed_once_sorted_and_the_rest_kept_as_given(tmp_path, readers):
    folder = tree(tmp_path)
    (tmp_path / "one.txt").write_text("One.")
    paths = [str(tmp_path / "one.txt"), str(folder), "-", str(tmp_path / "missing.txt")]
    inputs = list_inputs(paths, readers)
    assert isinstance(inputs, Inputs)
    # sorted as paths, part by part: b/c.txt before b-c.txt, as reading a folder always did
    under = ["a.md", "b/c.txt", "b-c.txt", "sub/d.jsonl", "sub/empty.txt"]
    assert inputs == [paths[0], *(str(folder / name) for name in under), "-", paths[3]]


def test_reading_the_listing_gives_what_reading_the_paths_gives(tmp_path, readers):
    folder = tree(tmp_path)
    (folder / "link.txt").symlink_to(folder / "b")  # a folder behind a reader's extension
    paths = [str(folder), str(tmp_path / "missing.txt")]
    from_paths = items(read_paths(paths, readers))
    assert items(read_paths(list_inputs(paths, readers), readers)) == from_paths
    assert from_paths[:3] == ["first: First.", "c: Second.", "b-c: Third."]
    assert any("link.txt: is not a regular file" in line for line in from_paths)
    assert from_paths[-1].endswith("missing.txt: no such file or folder; check the path.")


def test_the_readers_count_what_reading_gives(tmp_path, readers):
    folder = tree(tmp_path)
    inputs = list_inputs([str(folder)], readers)
    assert count_documents(inputs, readers) == len(list(read_paths(inputs, readers))) == 7


def test_a_jsonl_count_spans_its_1_mib_blocks(tmp_path):
    path = tmp_path / "big.jsonl"
    record = b'{"text": "%s"}' % (b"x" * 1000)
    # lines of every length across block ends; blank lines, CRLF and lone CR line ends
    lines = [record[: 20 + i * 37 % 900] + b"x" * (i % 5000) for i in range(3000)]
    data = b"\r\n".join(lines) + b"\n \n\r\r\n" + b"\r".join(lines[:7]) + b"\n\n"
    path.write_bytes(data)
    assert len(data) > 3 * (1 << 20)
    assert JsonlReader().count(str(path), path) == 3007


def test_an_empty_jsonl_file_counts_as_its_one_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b" \n\n")
    assert JsonlReader().count(str(path), path) == 1
    assert len(list(JsonlReader().read(str(path), path.read_bytes()))) == 1


def test_counting_gives_up_on_stdin_slow_files_and_readers_that_cannot_count(
    tmp_path, readers, monkeypatch
):
    folder = tree(tmp_path)
    inputs = list_inputs([str(folder)], readers)
    assert count_documents([*inputs, "-"], readers) is None
    assert count_documents(inputs, readers, budget=-1.0) is None
    monkeypatch.setattr(JsonlReader, "count_seconds", -1.0)
    assert count_documents(inputs, readers) is None


class Plain:
    name = "plain"
    extensions = (".txt", ".md")

    def read(self, source, data):
        yield from TextReader().read(source, data)


class Broken(Plain):
    def count(self, source, path):
        raise RuntimeError("bug")


@pytest.mark.parametrize("reader", [Plain(), Broken()])
def test_a_reader_that_cannot_count_leaves_the_total_unknown(tmp_path, readers, reader):
    folder = write_docs(tmp_path / "in", 2)
    mine = {**readers, "text": Entry("plain", reader, "test", "module")}
    assert count_documents(list_inputs([str(folder)], mine), mine) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_counted_as_its_one_error_without_opening_it(tmp_path, readers):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert count_documents(list_inputs([str(fifo)], readers), readers) == 1


def test_run_walks_each_folder_once_and_passes_the_listing_and_its_count(
    tmp_path, plugin_dir, monkeypatch
):
    folder = write_docs(tmp_path / "in", 3)
    walks = []
    rglob = pathlib.Path.rglob

    def counted(self, pattern, **kwargs):
        walks.append(self)
        return rglob(self, pattern, **kwargs)

    seen = {}

    def run_batch(paths, *args, total=None, **kwargs):
        seen.update(paths=paths, total=total)
        return Summary()

    monkeypatch.setattr(pathlib.Path, "rglob", counted)
    monkeypatch.setattr(run_cli, "run_batch", run_batch)
    run_cli.annotate_paths(
        [str(folder)],
        str(tmp_path / "out"),
        plugin_dirs=[plugin_dir],
        only=["upper"],
        progress=True,
    )
    assert walks == [folder]
    assert seen == {"paths": [str(folder / f"d00{i}.txt") for i in range(3)], "total": 3}
    assert isinstance(seen["paths"], Inputs)


def test_error_lines_and_output_order_are_those_of_the_paths(tmp_path, plugin_dir, cli):
    folder = tree(tmp_path)
    result = cli(
        "run", folder, tmp_path / "missing.txt", "-o", tmp_path / "out.jsonl",
        "--plugins-dir", plugin_dir, "--only", "upper",
    )  # fmt: skip
    assert result.exit_code == 2  # a missing path is refused before anything is read
    result = cli(
        "run", folder, "-o", tmp_path / "out.jsonl", "--plugins-dir", plugin_dir, "--only", "upper"
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert [e.split(folder.name + os.sep, 1)[-1].split(":")[0] for e in errors] == [
        "sub/d.jsonl, line 4",
        "sub/empty.txt",
    ]
    ids = [line.split('"id": "')[1].split('"')[0] for line in (tmp_path / "out.jsonl").open()]
    assert ids == ["first", "c", "b-c", "d-1", "d-3"]
