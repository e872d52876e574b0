"""--scheduler: partitions on Dask workers, output byte for byte the local one."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.cli.run import annotate_paths
from test_batch import PLUGIN, outputs, write_docs

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
