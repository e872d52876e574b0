"""--scheduler: partitions on Dask workers, output byte for byte the local one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.cli.run import annotate_paths
from test_batch import PLUGIN, calls, outputs, write_docs

distributed = pytest.importorskip("distributed")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def threads_cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster


def test_dask_output_is_the_local_output(tmp_path, threads_cluster):
    docs = write_docs(tmp_path / "in", 70)
    local = annotate_paths([str(docs)], str(tmp_path / "local"), workers=1, use_cache=False)
    remote = annotate_paths(
        [str(docs)],
        str(tmp_path / "dask"),
        scheduler=threads_cluster.scheduler_address,
        use_cache=False,
    )
    assert remote.workers == 2
    assert remote.ok == local.ok == 70
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


def test_fail_fast_stops_at_once_without_retrying(tmp_path, threads_cluster, monkeypatch):
    from annotate.pipeline import AnnotatorFailed

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "scale_test_plugin.py").write_text(PLUGIN)
    monkeypatch.setenv("SCALE_TEST_LOG", str(tmp_path / "log"))
    docs = write_docs(tmp_path / "in", 3, {2: "RAISE"})
    with pytest.raises(AnnotatorFailed):
        annotate_paths(
            [str(docs)],
            str(tmp_path / "out"),
            scheduler=threads_cluster.scheduler_address,
            plugin_dirs=[folder],
            only=["upper", "trouble"],
            fail_fast=True,
            use_cache=False,
        )
    assert calls(tmp_path / "log") == {"upper": 3}  # one partition, run once


def test_a_worker_dying_mid_run_loses_no_document(tmp_path, monkeypatch):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "scale_test_plugin.py").write_text(PLUGIN)
    # The first worker to meet "EXIT" dies (os._exit); the marker lets the retry succeed.
    monkeypatch.setenv("SCALE_TEST_MARKER", str(tmp_path / "died-once"))
    docs = write_docs(tmp_path / "in", 60, {45: "EXIT"})
    run = dict(plugin_dirs=[folder], only=["upper", "trouble"], use_cache=False)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        summary = annotate_paths(
            [str(docs)], str(tmp_path / "dask"), scheduler=cluster.scheduler_address, **run
        )
    assert (tmp_path / "died-once").exists()
    assert (summary.ok, summary.failed) == (60, 0)
    local = tmp_path / "local"
    annotate_paths([str(docs)], str(local), workers=1, **run)
    assert outputs(tmp_path / "dask") == outputs(local)


def mixed_input(folder: Path) -> Path:
    """Text files and JSON Lines with CRLF, blank and bad lines, a duplicate id, bad UTF-8."""
    write_docs(folder, 5)
    lines = [
        json.dumps({"id": f"j{i}", "text": f"NASA paid ESA in Paris, case {i}."}) for i in range(30)
    ]
    lines[4:4] = ["not json", ""]
    lines.insert(12, json.dumps({"id": "j3", "text": "IBM again"}))
    (folder / "b.jsonl").write_text("\r\n".join(lines) + "\r\n")
    (folder / "c.jsonl").write_bytes(b'{"text": "ok"}\n{"text": "\xff"}\n')
    return folder


def test_workers_read_their_partitions_and_write_their_files(
    tmp_path, threads_cluster, monkeypatch
):
    import annotate.batch

    docs = mixed_input(tmp_path / "in")
    run = dict(use_cache=False, only=["money"])
    local = annotate_paths([str(docs)], str(tmp_path / "local"), workers=1, **run)

    def never(self, chunk):
        raise AssertionError("the client read a partition a worker could read")

    monkeypatch.setattr(annotate.batch._Dispatch, "read_here", never)
    address = threads_cluster.scheduler_address
    remote = annotate_paths([str(docs)], str(tmp_path / "dask"), scheduler=address, **run)
    assert (remote.ok, remote.failed) == (local.ok, local.failed) == (35, 3)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    assert not list((tmp_path / "dask").glob(".*.tmp"))  # every staged file moved into place
    again = annotate_paths([str(docs)], str(tmp_path / "dask"), scheduler=address, **run)
    assert (again.ok, again.skipped) == (0, 35)  # resumed where the workers looked
    jsonl = annotate_paths([str(docs)], str(tmp_path / "all.jsonl"), scheduler=address, **run)
    annotate_paths([str(docs)], str(tmp_path / "local.jsonl"), workers=1, **run)
    assert jsonl.ok == 35
    assert (tmp_path / "all.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_workers_that_cannot_see_the_files_send_them_back(tmp_path, threads_cluster, monkeypatch):
    import annotate.parallel

    docs = mixed_input(tmp_path / "in")
    monkeypatch.setattr(annotate.parallel, "reachable", lambda piece: False)
    run = dict(use_cache=False, only=["money"])
    address = threads_cluster.scheduler_address
    remote = annotate_paths([str(docs)], str(tmp_path / "dask"), scheduler=address, **run)
    annotate_paths([str(docs)], str(tmp_path / "local"), workers=1, **run)
    assert (remote.ok, remote.failed) == (35, 3)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


def test_scheduler_local_forks_workers_with_the_pipeline_built(tmp_path):
    docs = mixed_input(tmp_path / "in")
    run = dict(use_cache=False, only=["money"])
    remote = annotate_paths(
        [str(docs)], str(tmp_path / "dask"), scheduler="local", workers=2, **run
    )
    annotate_paths([str(docs)], str(tmp_path / "local"), workers=1, **run)
    assert remote.workers == 2 and (remote.ok, remote.failed) == (35, 3)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
