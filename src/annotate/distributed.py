"""``annotate run --scheduler``: annotate partitions of the input on Dask workers.

The client (the ``annotate run`` process) plans partitions of the input files (whole files,
or line ranges of a JSON Lines file; annotate.io.partitions) and schedules them. A worker
reads its partition itself, annotates it and, for ``--format json``, writes each record into
a temp file in OUT; the client then only moves those files into place, in input order, so the
output is byte for byte what a local run writes, and neither documents nor records pass
through the client. A worker that does not see the client's files (another machine without
the same paths) gives its partition back: the client reads it and sends the documents, and a
worker that cannot write to OUT sends the records back to be written.

Each worker process builds the pipeline once (a module-level cache keyed by the pipeline
spec) and keeps it for every later task. A worker that dies mid-task loses nothing: the
scheduler runs the task again elsewhere (up to ``distributed.scheduler.allowed-failures``
times, then the partition is redone document by document so only the culprit fails). A task
that raises is not retried: what raises there (--fail-fast, a worker's pipeline that differs
from the client's) would raise again.

Workers need annotate, its plugins and the spaCy model installed, and read ``--config`` and
``--plugins-dir`` paths from their own file system. Start them with ``--nthreads 1``: one
pipeline runs one task at a time per process (tasks on further threads wait for it).
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from annotate.errors import ConfigError
from annotate.io.partitions import Slice
from annotate.model import Document
from annotate.parallel import ChunkResult, Encoder, Output, PipelineSpec, Worker, reading_store
from annotate.pipeline import Pipeline

_WORKERS: dict[tuple[Any, ...], Worker] = {}
# Pipelines built by the client before it forked a LocalCluster's workers, by worker args.
_INHERITED: dict[tuple[Any, ...], Pipeline] = {}
_LOCK = threading.Lock()


def _worker(
    spec: PipelineSpec,
    fingerprint: str,
    encode: Encoder | None,
    cache_dir: str | None,
    timeout: float | None,
) -> Worker:
    key = (spec, fingerprint, encode, cache_dir, timeout)
    worker = _WORKERS.get(key)
    if worker is None:
        pipeline = _INHERITED.get(key) or spec.build()
        store = reading_store(cache_dir)
        worker = Worker(pipeline, fingerprint, encode, store, timeout, hard_stop=True)
        _WORKERS[key] = worker
    return worker


def _warm(args: tuple[Any, ...]) -> None:
    with _LOCK:
        _worker(*args)


def annotate_partition(args: tuple[Any, ...], docs: list[Document]) -> ChunkResult:
    """The Dask task for documents the client read: annotate them."""
    with _LOCK:
        return _worker(*args).run(docs)


def annotate_slices(
    args: tuple[Any, ...], slices: list[Slice], output: Output | None
) -> ChunkResult | None:
    """The Dask task for a partition of the input: read it, annotate it, stage its records
    (None: this worker does not see the files; the client reads them)."""
    with _LOCK:
        return _worker(*args).run_slices(slices, output)


def _local_cluster(cluster: Any, workers: int, pipeline: Pipeline, args: tuple[Any, ...]) -> Any:
    """A LocalCluster whose worker processes are forked from this one where fork exists, so
    they start with the pipeline already built (as local worker processes do)."""
    import dask

    if "fork" not in multiprocessing.get_all_start_methods():
        return cluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
    _INHERITED[args] = pipeline
    with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
        return cluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")


class DaskExecutor:
    """Partitions to a Dask cluster: ``tcp://HOST:8786``, or ``local`` for a LocalCluster."""

    def __init__(
        self,
        scheduler: str,
        pipeline: Pipeline,
        spec: PipelineSpec,
        encode: Encoder | None,
        cache_dir: str | None,
        timeout: float | None,
        workers: int,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
            from distributed.scheduler import KilledWorker
        except ImportError:
            raise ConfigError(
                "--scheduler needs Dask: pip install 'dask[distributed]' (on the client and "
                "every worker)."
            ) from None
        self.args = (spec, pipeline.fingerprint, encode, cache_dir, timeout)
        self.timeout = timeout
        self.lost: tuple[type[BaseException], ...] = (KilledWorker,)
        self.cluster: Any = None
        if scheduler == "local":
            self.cluster = _local_cluster(LocalCluster, workers, pipeline, self.args)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(scheduler, timeout="30s")
            except OSError as error:
                raise ConfigError(
                    f"cannot reach the Dask scheduler at {scheduler}: {error}. Start one with "
                    "`dask scheduler` and workers with `dask worker tcp://HOST:8786`."
                ) from None
        nthreads = self.client.nthreads()
        self.workers = max(1, sum(nthreads.values()))
        # Every worker builds its pipeline now, while the client plans the partitions.
        self.warming = [
            self.client.submit(_warm, self.args, workers=[address], pure=False)
            for address in nthreads
        ]

    def submit(self, docs: list[Document]) -> Any:
        return self.client.submit(annotate_partition, self.args, docs, pure=False)

    def submit_slices(self, slices: list[Slice], output: Output | None) -> Any:
        return self.client.submit(annotate_slices, self.args, slices, output, pure=False)

    def restart(self) -> None:
        """Nothing to restart: the scheduler replaces lost workers' tasks itself."""

    def stopped(self) -> bool:
        return False

    def close(self, abort: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
