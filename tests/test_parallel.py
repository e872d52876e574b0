"""--workers N: same output as one worker, in input order; a dying worker loses one document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.batch import SMALL_INPUT
from annotate.cli.run import annotate_paths
from test_batch import outputs, write_docs

DOCS = SMALL_INPUT + 12  # enough to start worker processes


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path / "cache"))


def test_two_workers_write_what_one_writes(tmp_path):
    docs = write_docs(tmp_path / "in", DOCS)
    one = annotate_paths([str(docs)], str(tmp_path / "one"), workers=1, use_cache=False)
    two = annotate_paths([str(docs)], str(tmp_path / "two"), workers=2, use_cache=False)
    assert (one.workers, two.workers) == (1, 2)
    assert one.ok == two.ok == DOCS
    assert one.layers == two.layers
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")


def test_jsonl_keeps_input_order_with_workers(tmp_path):
    docs = write_docs(tmp_path / "in", DOCS)
    for name, workers in (("one.jsonl", 1), ("two.jsonl", 2)):
        annotate_paths(
            [str(docs)], str(tmp_path / name), format="jsonl", workers=workers, use_cache=False
        )
    one = (tmp_path / "one.jsonl").read_bytes()
    assert one == (tmp_path / "two.jsonl").read_bytes()
    ids = [json.loads(line)["id"] for line in one.splitlines()]
    assert ids == sorted(ids) and len(ids) == DOCS


def test_a_worker_that_dies_costs_only_its_document(tmp_path, plugin_dir, capsys):
    docs = write_docs(tmp_path / "in", DOCS, {7: "EXIT", 40: "RAISE"})
    summary = annotate_paths(
        [str(docs)],
        str(tmp_path / "out"),
        plugin_dirs=[plugin_dir],
        only=["upper", "trouble"],
        workers=2,
    )
    assert summary.workers == 2
    assert (summary.ok, summary.failed) == (DOCS - 1, 1)
    assert dict(summary.annotator_errors) == {"trouble": 1}
    stderr = capsys.readouterr().err
    assert "d007.txt (id d007): the worker process died" in stderr
    written = outputs(tmp_path / "out")
    assert len(written) == DOCS - 1 and "d007.json" not in written
    assert not list((tmp_path / "out").glob(".*"))  # no staged file left behind


def test_fail_fast_with_workers_leaves_no_staged_file(tmp_path, plugin_dir):
    from annotate.pipeline import AnnotatorFailed

    docs = write_docs(tmp_path / "in", DOCS, {30: "RAISE"})
    with pytest.raises(AnnotatorFailed):
        annotate_paths(
            [str(docs)],
            str(tmp_path / "out"),
            plugin_dirs=[plugin_dir],
            only=["upper", "trouble"],
            workers=2,
            fail_fast=True,
        )
    assert not list((tmp_path / "out").glob(".*"))
    assert all(json.loads(f.read_text())["id"] == f.stem for f in (tmp_path / "out").iterdir())


def test_timeouts_apply_in_worker_processes(tmp_path, plugin_dir):
    docs = write_docs(tmp_path / "in", DOCS, {3: "SLEEP"})
    summary = annotate_paths(
        [str(docs)],
        str(tmp_path / "out"),
        plugin_dirs=[plugin_dir],
        only=["trouble"],
        workers=2,
        timeout_per_doc=0.5,
    )
    assert (summary.ok, summary.failed) == (DOCS, 0)
    assert dict(summary.annotator_errors) == {"trouble": 1}
    record = json.loads((tmp_path / "out" / "d003.json").read_text())
    assert record["annotators"]["trouble"]["status"] == "error"
