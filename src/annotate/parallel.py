"""Annotating chunks of documents, in this process or in worker processes.

Every way of running (``--workers 1``, ``--workers N``, ``--scheduler``) hands chunks of
documents to a :class:`Worker`, a thin loop around ``Pipeline.annotate_chunk``, and gets back
one :class:`Outcome` per document, in order: the record already encoded as the writer will
write it, and a small summary. The main process only orders and writes those bytes, and stores the
cache entries the worker made. So the output is the same byte for byte whichever way it ran.

Local workers are forked from the main process after it has built the pipeline, so the spaCy
model is loaded once and shared copy-on-write (where ``fork`` is unavailable each worker
rebuilds the pipeline from a :class:`PipelineSpec`). A worker dies with its parent. Runs with
``--timeout-per-doc`` always annotate in worker processes, which the timeout's watchdog may
end (annotate.timeouts); the main process then starts a new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from annotate.cache import Entry, ResultCache, StepStore, input_hash
from annotate.errors import AnnotateError, InputError
from annotate.io.partitions import Slice, reachable, read_slices
from annotate.io.sources import checked, reader_table
from annotate.model import Document
from annotate.pipeline import Pipeline
from annotate.timeouts import Deadline, watch_in

Encoder = Callable[[dict[str, Any]], bytes]


@dataclass(frozen=True)
class PipelineSpec:
    """How to build the pipeline again in another process (hashable: a cache key there)."""

    config: str | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    plugin_dirs: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    fail_fast: bool = False
    timings: bool = False

    def build(self) -> Pipeline:
        """The pipeline; what is alive already (a spaCy model loaded before) is left out of
        the garbage collector's scans meanwhile (``long_lived_frozen``): the many objects a
        build makes would otherwise set off a full collection, which walks the whole model."""
        from annotate.api import build_pipeline

        with long_lived_frozen():
            return build_pipeline(
                self.config,
                only=self.only,
                skip=self.skip,
                plugin_dirs=self.plugin_dirs,
                plugins=self.plugins,
                fail_fast=self.fail_fast,
                timings=self.timings,
            )


@dataclass(frozen=True)
class Output:
    """Where workers write records themselves (a StagingWriter's folder), and resume.

    ``token`` is a file the main process keeps in ``folder`` while the run lasts: a worker
    that does not see it is not looking at the same output (another machine), or the run has
    stopped. ``stage`` None: the worker returns the encoded records (this process writes them).
    """

    folder: str
    token: str
    stage: Callable[[str, str, bytes], str] | None
    earlier: Callable[[str, str], dict[str, str] | None]
    resume: bool


@dataclass(frozen=True)
class Staged:
    """An encoded record a worker wrote into a temp file in the output (StagingWriter)."""

    path: str


@dataclass
class Outcome:
    """What became of one document: its record (encoded, if the writer encodes; or staged)
    and counts; or why it failed; or, read by a worker, that an earlier run's output with
    this ``resumed`` provenance stands."""

    doc_id: str
    source: str
    record: bytes | Staged | dict[str, Any] | None
    error: str | None = None
    resumed: dict[str, str] | None = None
    words: int = 0
    layers: Counter[str] = field(default_factory=Counter)
    failed_annotators: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ChunkResult:
    """A chunk's outcomes, in input order, with the cache entries made and the hits found,
    and the worker's CPU seconds in spaCy's parse and in the rest (annotators, records)."""

    outcomes: list[Outcome] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    spacy_cpu: float = 0.0
    annotators_cpu: float = 0.0

    def add(self, other: ChunkResult) -> None:
        """Append ``other``'s outcomes, entries, hits and CPU to these."""
        self.outcomes.extend(other.outcomes)
        self.entries.extend(other.entries)
        self.hits.update(other.hits)
        self.spacy_cpu += other.spacy_cpu
        self.annotators_cpu += other.annotators_cpu


class Executor(Protocol):
    """Runs chunks of documents somewhere: this process, a process pool, a Dask cluster."""

    workers: int
    lost: tuple[type[BaseException], ...]  # what a future raises when its worker died

    def submit(self, docs: list[Document]) -> Future[ChunkResult]:
        """Annotate documents read by the main process."""

    def submit_slices(
        self, slices: list[Slice], output: Output | None
    ) -> Future[ChunkResult | None]:
        """Read a partition of the input where it runs, and annotate it (Worker.run_slices)."""

    def restart(self) -> None:
        """After a lost worker: be ready for more chunks."""

    def stopped(self) -> bool:
        """Whether the --timeout-per-doc watchdog ended a worker since the last call."""

    def close(self, abort: bool = False) -> None: ...


class PipelineMismatch(AnnotateError):
    """A worker built a pipeline other than the client's (other versions, config or code)."""


class Worker:
    """A pipeline ready to annotate chunks of documents (one per process)."""

    def __init__(
        self,
        pipeline: Pipeline,
        fingerprint: str,
        encode: Encoder | None = None,
        store: StepStore | None = None,
        timeout: float | None = None,
        hard_stop: bool = False,
    ) -> None:
        if pipeline.fingerprint != fingerprint:
            raise PipelineMismatch(
                f"a worker built a different pipeline than this process "
                f"({pipeline.fingerprint[:12]} instead of {fingerprint[:12]}): install the same "
                "annotate, plugins, spaCy model and config files on every worker."
            )
        self.pipeline = pipeline
        self.encode = encode
        self.store = store
        self.timeout = timeout
        self.hard_stop = hard_stop

    def run(self, docs: Sequence[Document]) -> ChunkResult:
        started = time.thread_time()  # this thread's: a Dask worker runs several
        self.pipeline.prepare(docs, self.store)
        parsed = time.thread_time()
        deadlines = [Deadline(self.timeout, self.hard_stop) if self.timeout else None for _ in docs]
        errors = self.pipeline.annotate_chunk(docs, self.store, deadlines)
        outcomes = [self._outcome(doc, error) for doc, error in zip(docs, errors, strict=True)]
        entries, hits = self.store.take() if self.store is not None else ([], Counter())
        return ChunkResult(outcomes, entries, hits, parsed - started, time.thread_time() - parsed)

    def run_slices(self, slices: Sequence[Slice], output: Output | None) -> ChunkResult | None:
        """Read a partition of the input, annotate it and stage its records in the output;
        an outcome per document read, errors and resumed ones included, in input order.

        None when this process does not see the files the main process planned.
        """
        if not all(reachable(piece) for piece in slices):
            return None
        if output is not None and not os.path.exists(output.token):
            return None
        pipeline = self.pipeline
        limit = int(pipeline.config["max_chars"])
        order: list[Outcome | Document] = []
        for item in read_slices(slices, reader_table(pipeline.registry.readers), limit):
            item = checked(item, limit)
            if isinstance(item, InputError):
                order.append(Outcome("", item.source, None, str(item)))
            elif (done := self._written_before(item, output)) is not None:
                order.append(
                    Outcome(item.id, str(item.meta.get("source", item.id)), None, None, done)
                )
            else:
                order.append(item)
        chunk = self.run([item for item in order if isinstance(item, Document)])
        annotated = iter(chunk.outcomes)
        chunk.outcomes = [next(annotated) if isinstance(x, Document) else x for x in order]
        if output is not None and output.stage is not None and os.path.exists(output.token):
            _stage(chunk, output)
        return chunk

    def _written_before(self, doc: Document, output: Output | None) -> dict[str, str] | None:
        """The provenance of ``doc`` if resuming and the output already holds it, made from
        the same input by the same pipeline; else None."""
        if output is None or not output.resume:
            return None
        earlier = output.earlier(output.folder, doc.id) or {}
        if earlier.get("pipeline") != self.pipeline.fingerprint:
            return None
        provenance = {"input": input_hash(doc), "pipeline": self.pipeline.fingerprint}
        return provenance if earlier.get("input") == provenance["input"] else None

    def _outcome(self, doc: Document, error: Exception | None) -> Outcome:
        """``doc``'s record, encoded; or why it is lost (``error``, or it cannot be encoded)."""
        source = str(doc.meta.get("source", doc.id))
        doc.spacy = None
        if error is None:
            try:
                record = doc.to_json()
                encoded = self.encode(record) if self.encode is not None else record
            except Exception as problem:
                error = problem
        if isinstance(error, InputError):  # e.g. the record is not strict JSON
            return Outcome(doc.id, source, None, str(error))
        if error is not None:  # a bug outside the annotators: lose this document only
            return Outcome(doc.id, source, None, f"{source} (id {doc.id}): {_describe(error)}")
        return Outcome(
            doc.id,
            source,
            encoded,
            words=len(doc.text.split()),
            layers=Counter(a.layer for a in doc.annotations),
            failed_annotators=[
                (name, status["error"])
                for name, status in doc.annotators.items()
                if status["status"] == "error"
            ],
        )


def _stage(chunk: ChunkResult, output: Output) -> None:
    """Write the chunk's encoded records into temp files in the output (all or none)."""
    assert output.stage is not None
    staged: list[tuple[Outcome, bytes]] = []
    try:
        for outcome in chunk.outcomes:
            if isinstance(outcome.record, bytes):
                data = outcome.record
                outcome.record = Staged(output.stage(output.folder, outcome.doc_id, data))
                staged.append((outcome, data))
    except OSError:  # cannot write there after all: send the records back
        for outcome, data in staged:
            assert isinstance(outcome.record, Staged)
            Path(outcome.record.path).unlink(missing_ok=True)
            outcome.record = data


def _describe(error: BaseException) -> str:
    try:
        return f"{type(error).__name__}: {error}"
    except Exception:  # an exception whose __str__ raises
        return type(error).__name__


@contextlib.contextmanager
def long_lived_frozen() -> Iterator[None]:
    """For the run, leave what is alive at its start (the spaCy model, the annotators' tables)
    out of the garbage collector's scans (``gc.freeze``): the many small objects each chunk
    makes trigger collections, and a full one would walk the whole model every time. Forked
    workers inherit the frozen state, which keeps the model's pages shared. Objects frozen
    already (by the caller) stay as they are."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def reading_store(cache_dir: str | None) -> StepStore | None:
    """A worker process's store: it reads the cache if it can, and always collects the new
    entries for the main process to write (none without a cache)."""
    if cache_dir is None:
        return None
    return StepStore(ResultCache.reader(cache_dir))


class InProcessExecutor:
    """``--workers 1``: annotate in this process, when asked."""

    workers = 1
    lost: tuple[type[BaseException], ...] = ()

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def submit(self, docs: list[Document]) -> Future[ChunkResult]:
        future: Future[ChunkResult] = Future()
        future.set_result(self.worker.run(docs))
        return future

    def submit_slices(
        self, slices: list[Slice], output: Output | None
    ) -> Future[ChunkResult | None]:
        future: Future[ChunkResult | None] = Future()
        here = dataclasses.replace(output, stage=None) if output is not None else None
        future.set_result(self.worker.run_slices(slices, here))  # written here: no staging
        return future

    def restart(self) -> None:
        pass

    def stopped(self) -> bool:
        return False

    def close(self, abort: bool = False) -> None:
        pass


@dataclass(frozen=True)
class WorkerArgs:
    """What a worker process needs to build its :class:`Worker`."""

    spec: PipelineSpec | None  # None: use the pipeline inherited through fork
    fingerprint: str
    encode: Encoder | None
    cache_dir: str | None
    timeout: float | None
    parent: int
    watchdog_dir: str | None


# Set in the main process before forking, so workers start with the built pipeline.
_INHERITED: Pipeline | None = None
_WORKER: Worker | None = None


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _init_worker(args: WorkerArgs) -> None:
    global _WORKER
    _die_with_parent()
    if args.watchdog_dir is not None:
        watch_in(args.watchdog_dir)
    if os.getppid() != args.parent:  # the parent died before we could ask to die with it
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business
    pipeline = _INHERITED if args.spec is None else args.spec.build()
    assert pipeline is not None
    if args.spec is not None:
        gc.freeze()  # the pipeline this process built lives as long as the process
    store = reading_store(args.cache_dir)
    _WORKER = Worker(pipeline, args.fingerprint, args.encode, store, args.timeout, hard_stop=True)


def _run_chunk(docs: list[Document]) -> ChunkResult:
    assert _WORKER is not None
    return _WORKER.run(docs)


def _run_slices(slices: list[Slice], output: Output | None) -> ChunkResult | None:
    assert _WORKER is not None
    return _WORKER.run_slices(slices, output)


class ProcessExecutor:
    """``--workers N``: a pool of N processes, each with its own copy of the pipeline."""

    def __init__(
        self,
        workers: int,
        pipeline: Pipeline,
        encode: Encoder | None,
        cache_dir: str | None,
        timeout: float | None,
        spec: PipelineSpec | None = None,
    ) -> None:
        global _INHERITED
        self.workers = workers
        self.timeout = timeout
        self.lost = (BrokenProcessPool,)
        if "fork" in multiprocessing.get_all_start_methods():
            _INHERITED = pipeline
            self.context = multiprocessing.get_context("fork")
            spec = None
        elif spec is None:
            raise RuntimeError("worker processes need a PipelineSpec where fork is unavailable")
        else:
            self.context = multiprocessing.get_context("spawn")
        self.watchdog_dir = tempfile.mkdtemp(prefix="annotate-watchdog-") if timeout else None
        self.args = WorkerArgs(
            spec,
            pipeline.fingerprint,
            encode,
            cache_dir,
            timeout,
            os.getpid(),
            self.watchdog_dir,
        )
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.workers, mp_context=self.context, initializer=_init_worker, initargs=(self.args,)
        )
        pool.submit(int).result()  # start the processes now, before any other thread runs
        return pool

    def submit(self, docs: list[Document]) -> Future[ChunkResult]:
        return self.pool.submit(_run_chunk, docs)

    def submit_slices(
        self, slices: list[Slice], output: Output | None
    ) -> Future[ChunkResult | None]:
        return self.pool.submit(_run_slices, slices, output)

    def restart(self) -> None:
        """A worker died (the pool is broken): start a fresh pool."""
        self._shutdown(self.pool)
        self.pool = self._start()

    def stopped(self) -> bool:
        if self.watchdog_dir is None:
            return False
        fired = False
        for path in Path(self.watchdog_dir).iterdir():
            with contextlib.suppress(OSError):
                fired |= path.read_text(errors="replace").startswith("Timeout")
                if path.stat().st_size:
                    path.unlink()
        return fired

    def close(self, abort: bool = False) -> None:
        global _INHERITED
        if abort:  # interrupted or failed: do not wait for the chunks being annotated
            self._shutdown(self.pool)
        else:
            self.pool.shutdown(wait=True)
        _INHERITED = None
        if self.watchdog_dir is not None:
            shutil.rmtree(self.watchdog_dir, ignore_errors=True)

    @staticmethod
    def _shutdown(pool: ProcessPoolExecutor) -> None:
        """Stop a pool now: kill its processes, then wait for its manager thread, so no
        thread of it is left to race the interpreter's exit."""
        for process in (getattr(pool, "_processes", None) or {}).values():
            with contextlib.suppress(Exception):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def plugin_paths(paths: Sequence[str | Path]) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in paths)
