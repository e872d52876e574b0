"""The batch job behind ``annotate run``: read, annotate, write, and count what happened.

The main process plans partitions of the input (annotate.io.partitions) and hands them to an
:class:`Executor` (this process, worker processes or Dask), at most two per worker in flight,
so memory stays flat however large the corpus. Each worker reads its partition, keeps what an
earlier run already wrote (same input hash and pipeline fingerprint in the output's
``provenance``), annotates the rest and stages their files in OUT (or returns them encoded).
The main process moves them into place, or writes them, in input order, checks ids, stores
the cache entries the workers made, and counts. It reads the documents itself only from
stdin, for a resumable writer plugin that cannot stage, or when a worker does not see the
files; then it sends documents instead of partitions.
"""

from __future__ import annotations

import itertools
import os
import queue
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.cache import ResultCache, StepStore, input_hash
from annotate.chunking import chunked
from annotate.errors import AnnotateError, InputError, Interrupted, OutputError
from annotate.interrupt import tracking
from annotate.io.partitions import Slice, plan, read_slices
from annotate.io.sources import Inputs, checked, list_inputs, read_paths, reader_table
from annotate.io.writers import (
    EncodingWriter,
    ResumableWriter,
    StagingWriter,
    Writer,
    temp_file,
)
from annotate.model import Document
from annotate.parallel import (
    ChunkResult,
    Executor,
    InProcessExecutor,
    Outcome,
    Output,
    PipelineSpec,
    ProcessExecutor,
    Staged,
    Worker,
    default_workers,
    long_lived_frozen,
)
from annotate.pipeline import Pipeline
from annotate.progress import Bar
from annotate.timeouts import hard_stop_after

# Fewer documents than this to annotate: run in this process (no process start-up to pay).
SMALL_INPUT = 48

# What the chunker groups: a slice a worker reads, or an item read here (a document, an
# error, a resumed document), with how many documents and characters it holds.
_Unit = tuple[Any, int, int]


@dataclass
class Summary:
    """What a run did: documents ok / failed / resumed, annotations per layer, cache hits."""

    ok: int = 0
    failed: int = 0
    skipped: int = 0  # resumed: already in OUT, from the same input and pipeline
    annotator_errors: Counter[str] = field(default_factory=Counter)
    layers: Counter[str] = field(default_factory=Counter)
    cached: Counter[str] = field(default_factory=Counter)  # results from the cache, per step
    words: int = 0
    seconds: float = 0.0
    main_cpu: float = 0.0  # CPU seconds of this (the main) process, pipeline build excluded
    spacy_cpu: float = 0.0  # CPU seconds of the workers in spaCy's parse
    annotators_cpu: float = 0.0  # ... in the annotators, with the runner's checks and records
    workers: int = 1

    @property
    def exit_code(self) -> int:
        """0 when everything went well, 1 when a document or an annotator failed."""
        return 1 if self.failed or self.annotator_errors else 0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": {"ok": self.ok, "failed": self.failed, "skipped": self.skipped},
            "annotator_errors": dict(sorted(self.annotator_errors.items())),
            "annotations": dict(sorted(self.layers.items())),
            "cached": dict(sorted(self.cached.items())),
            "words": self.words,
            "seconds": round(self.seconds, 3),
            "main_cpu_seconds": round(self.main_cpu, 3),
            "spacy_cpu_seconds": round(self.spacy_cpu, 3),
            "annotators_cpu_seconds": round(self.annotators_cpu, 3),
            "words_per_second": round(self.words_per_second, 1),
            "workers": self.workers,
        }


@dataclass
class _Resumed:
    doc_id: str


@dataclass
class _Chunk:
    """Documents read here (``items``), or a partition a worker reads (``slices``)."""

    items: list[Document | InputError | _Resumed] = field(default_factory=list)
    slices: list[Slice] | None = None
    expected: int = 0  # documents in the slices (errors included)
    future: Any = None
    counted: bool = False  # on the progress bar

    @property
    def docs(self) -> list[Document]:
        return [item for item in self.items if isinstance(item, Document)]


def run_batch(
    paths: Iterable[str],
    pipeline: Pipeline,
    writer: Writer,
    report: Callable[[str], None],
    stdin_format: str = "text",
    *,
    workers: int | None = 1,
    scheduler: str | None = None,
    spec: PipelineSpec | None = None,
    cache_dir: str | Path | None = None,
    force: bool = False,
    timeout: float | None = None,
    progress: bool = False,
    total: int | None = None,
) -> Summary:
    """Annotate every document under ``paths`` into ``writer``.

    ``report`` receives one line per problem (unreadable document, failed annotator).
    ``workers``: processes (None: all cores; fewer than SMALL_INPUT documents run in this
    process). ``scheduler``: a Dask scheduler address, or ``local`` (needs ``spec``).
    ``cache_dir``: the result cache. ``force``: redo every document, without the cache.
    ``total``: how many documents there are, if known (the progress bar).
    """
    summary = Summary()
    started, cpu = time.perf_counter(), time.process_time()
    cache = ResultCache(cache_dir) if cache_dir is not None and not force else None
    if isinstance(writer, ResumableWriter):
        writer.cleanup()
    count = workers or default_workers()
    readers = pipeline.registry.readers
    inputs = paths if isinstance(paths, Inputs) else list_inputs(paths, readers)
    size = max(1, int(pipeline.config["batch_size"]))  # documents parsed together
    # The workers read their partitions themselves, or this process reads the documents.
    workers_read = _workers_read(inputs, writer, force)
    if workers_read:
        units: Iterator[_Unit] = (
            (piece, documents, piece.bytes)
            for piece, documents in plan(inputs, reader_table(readers), lines=max(1, size // 4))
        )
    else:
        items = read_paths(inputs, readers, stdin_format, int(pipeline.config["max_chars"]))
        units = (
            (item, 1, len(item.text)) if isinstance(item, Document) else (item, 0, 0)
            for item in _prepare(items, pipeline, writer, force)
        )
    executor: Executor | None = None
    dispatch: _Dispatch | None = None
    flow: _InOrder | None = None
    try:
        with tracking(), long_lived_frozen():
            head, units = _peek(units, SMALL_INPUT)
            executor = _executor(
                pipeline, writer, cache, timeout, count, scheduler, spec, small=head < SMALL_INPUT
            )
            chunks = (
                _Chunk(slices=part, expected=documents) if workers_read else _Chunk(items=part)
                for part, documents in chunked(units, size, executor.workers)
            )
            summary.workers = executor.workers
            dispatch = _Dispatch(executor, pipeline, writer, force)
            with Bar(progress, total) as bar:  # after the fork: the bar runs a thread
                flow = _InOrder(dispatch, chunks, bar)
                for chunk, result in flow:
                    try:
                        _finish(chunk, result, writer, cache, summary, report)
                    except BaseException:
                        _discard(result)  # what of it was not moved into place
                        raise
            executor.close()
            if isinstance(writer, ResumableWriter):
                writer.cleanup()  # what workers lost with the pool had staged
            writer.close()
    except BaseException as error:
        if dispatch is not None:
            dispatch.close()
        if flow is not None:
            flow.discard()
        if executor is not None:
            executor.close(abort=True)
        if isinstance(writer, ResumableWriter):
            writer.cleanup()  # what the stopped workers were writing
        kept = writer.abort() if hasattr(writer, "abort") else writer.close()
        if isinstance(error, KeyboardInterrupt):
            # What is written stays; a JSONL file is only ever written whole.
            raise Interrupted(summary.ok if kept is None else kept) from None
        raise
    finally:
        if dispatch is not None:
            dispatch.close()
        if cache is not None:
            cache.close()
    summary.seconds = time.perf_counter() - started
    summary.main_cpu = time.process_time() - cpu
    return summary


def _executor(
    pipeline: Pipeline,
    writer: Writer,
    cache: ResultCache | None,
    timeout: float | None,
    workers: int,
    scheduler: str | None,
    spec: PipelineSpec | None,
    small: bool,
) -> Executor:
    encode = writer.encoder if isinstance(writer, EncodingWriter) else None
    cache_dir = str(cache.folder.resolve()) if cache is not None else None
    if scheduler:
        from annotate.distributed import DaskExecutor

        if spec is None:
            raise ValueError("--scheduler needs a PipelineSpec to build the pipeline on workers")
        return DaskExecutor(scheduler, pipeline, spec, encode, cache_dir, timeout, workers)
    if timeout:  # only a worker process can be stopped, and replaced, at any point
        count = 1 if small else workers
        return ProcessExecutor(count, pipeline, encode, cache_dir, timeout, spec)
    if workers <= 1 or small:
        store = StepStore(cache) if cache is not None else None
        return InProcessExecutor(Worker(pipeline, pipeline.fingerprint, encode, store))
    return ProcessExecutor(workers, pipeline, encode, cache_dir, timeout, spec)


def _prepare(
    items: Iterable[Document | InputError], pipeline: Pipeline, writer: Writer, force: bool
) -> Iterator[Document | InputError | _Resumed]:
    """Documents to annotate; the errors of reading and checking them; those resumed."""
    limit = int(pipeline.config["max_chars"])
    resumable = isinstance(writer, ResumableWriter) and not force
    for item in items:
        item = checked(item, limit)
        if isinstance(item, Document) and resumable:
            provenance = {"input": input_hash(item), "pipeline": pipeline.fingerprint}
            try:
                if writer.resume(item.id, str(item.meta.get("source", item.id)), provenance):  # type: ignore[attr-defined]
                    yield _Resumed(item.id)
                    continue
            except InputError as error:  # a duplicate id
                yield error
                continue
        yield item


def _peek(units: Iterator[_Unit], docs: int) -> tuple[int, Iterator[_Unit]]:
    """Read ``units`` ahead until ``docs`` documents to annotate are seen (or the input
    ends): how many, and all the units again."""
    head: list[_Unit] = []
    seen = 0
    for unit in units:
        head.append(unit)
        seen += unit[1]
        if seen >= docs:
            break
    return seen, itertools.chain(head, units)


def _resolved(result: ChunkResult) -> Future[ChunkResult]:
    future: Future[ChunkResult] = Future()
    future.set_result(result)
    return future


def _workers_read(inputs: list[str], writer: Writer, force: bool) -> bool:
    """Whether the workers can read the partitions themselves: not stdin, and resuming (if
    any) can be checked where the output is written."""
    if "-" in inputs:
        return False
    return force or not isinstance(writer, ResumableWriter) or isinstance(writer, StagingWriter)


class _Dispatch:
    """Sends a chunk to the executor: its documents, or its partition to read."""

    def __init__(self, executor: Executor, pipeline: Pipeline, writer: Writer, force: bool):
        self.executor = executor
        self.pipeline = pipeline
        self.writer = writer
        self.force = force
        self.output = None
        self.token: int | None = None
        if isinstance(writer, StagingWriter):
            self.token, token = temp_file(Path(writer.staging) / "annotate-run")
            resume = isinstance(writer, ResumableWriter) and not force
            self.output = Output(writer.staging, token, writer.stage, writer.earlier, resume)

    def close(self) -> None:
        """The run is over: workers stage nothing more."""
        if self.output is not None and self.token is not None:
            Path(self.output.token).unlink(missing_ok=True)
            os.close(self.token)
            self.token = None

    def submit(self, chunk: _Chunk) -> Future[ChunkResult]:
        if chunk.slices is not None:
            return self.executor.submit_slices(chunk.slices, self.output)  # type: ignore[return-value]
        docs = chunk.docs
        return self.executor.submit(docs) if docs else _resolved(ChunkResult())

    def read_here(self, chunk: _Chunk) -> None:
        """A partition the worker could not read (not the same files): read it here."""
        assert chunk.slices is not None
        readers = reader_table(self.pipeline.registry.readers)
        items = read_slices(chunk.slices, readers, int(self.pipeline.config["max_chars"]))
        chunk.items = list(_prepare(items, self.pipeline, self.writer, self.force))
        chunk.slices = None


class _InOrder:
    """Chunks with their results, in input order, at most two chunks per worker in flight.

    The bar moves as each chunk finishes, in whatever order they finish. A partition a worker
    gives back (it does not see the files) is read here and sent again as soon as it comes
    back. ``discard`` removes the files staged by chunks not written when the run stops.
    """

    def __init__(self, dispatch: _Dispatch, chunks: Iterator[_Chunk], bar: Bar) -> None:
        self.dispatch = dispatch
        self.executor = dispatch.executor
        self.chunks = chunks
        self.bar = bar
        self.inflight: deque[_Chunk] = deque()
        self.finished: queue.SimpleQueue[_Chunk] = queue.SimpleQueue()

    def __iter__(self) -> Iterator[tuple[_Chunk, ChunkResult]]:
        limit = 2 * self.executor.workers
        for chunk in self.chunks:
            self._submit(chunk)
            self.inflight.append(chunk)
            while len(self.inflight) > limit or (self.inflight and self.inflight[0].future.done()):
                yield self._first()
        while self.inflight:
            yield self._first()

    def _submit(self, chunk: _Chunk) -> None:
        chunk.future = self.dispatch.submit(chunk)
        chunk.future.add_done_callback(lambda _: self.finished.put(chunk))

    def _settle(self, chunk: _Chunk) -> None:
        """A chunk that finished (a late notice of an earlier future is ignored)."""
        future = chunk.future
        if not future.done() or future.cancelled() or future.exception() is not None:
            return
        result = future.result()
        if result is None:  # the worker does not see the files: read them here, send them
            self.dispatch.read_here(chunk)
            self._submit(chunk)
        else:
            _advance(self.bar, chunk, result)

    def _first(self) -> tuple[_Chunk, ChunkResult]:
        chunk = self.inflight[0]
        while True:
            while not chunk.future.done():
                self._settle(self.finished.get())
            self._settle(chunk)
            if chunk.future.done():
                break
        self.inflight.popleft()
        try:
            result = chunk.future.result()
        except self.executor.lost:
            # A worker died. Redo this chunk document by document to find the culprit; send
            # again the chunks that failed with it (a broken process pool fails them all).
            if chunk.slices is not None:
                self.dispatch.read_here(chunk)
            with self.bar.paused():  # restarting the pool forks: no other thread then
                result = _isolate(self.executor, chunk.docs)
            for other in self.inflight:
                if other.future.done() and _failed(other.future):
                    self._submit(other)
        _advance(self.bar, chunk, result)
        while not self.finished.empty():
            self._settle(self.finished.get())
        return chunk, result

    def discard(self) -> None:
        """Remove the files staged by finished chunks that will not be written."""
        for chunk in self.inflight:
            if chunk.future.done() and not _failed(chunk.future):
                _discard(chunk.future.result())


def _failed(future: Future[Any]) -> bool:
    return future.cancelled() or future.exception() is not None


def _discard(result: ChunkResult | None) -> None:
    for outcome in result.outcomes if result is not None else ():
        if isinstance(outcome.record, Staged):
            Path(outcome.record.path).unlink(missing_ok=True)


def _advance(bar: Bar, chunk: _Chunk, result: ChunkResult) -> None:
    """Count a finished chunk on the bar, once."""
    if chunk.counted:
        return
    chunk.counted = True
    documents = len(result.outcomes) if chunk.slices is not None else len(chunk.items)
    bar.advance(documents, sum(o.words for o in result.outcomes))


def _isolate(executor: Executor, docs: list[Document]) -> ChunkResult:
    executor.stopped()  # forget the watchdog of the chunk that broke the pool
    executor.restart()
    result = ChunkResult()
    for doc in docs:
        try:
            one = executor.submit([doc]).result()
        except executor.lost:
            source = str(doc.meta.get("source", doc.id))
            result.outcomes.append(
                Outcome(doc.id, source, None, f"{source} (id {doc.id}): {_lost_why(executor)}")
            )
            executor.restart()
            continue
        result.add(one)
    return result


def _lost_why(executor: Executor) -> str:
    timeout = getattr(executor, "timeout", None)
    if executor.stopped() and timeout:
        return (
            f"timed out: an annotator ran {hard_stop_after(timeout):g}s past "
            f"--timeout-per-doc {timeout:g}s and would not stop, so its worker process was "
            "replaced"
        )
    why = "the worker process died"
    if timeout:
        why += (
            f" (it crashed, or an annotator ran past --timeout-per-doc {timeout:g}s and was "
            "stopped)"
        )
    return why


def _finish(
    chunk: _Chunk,
    result: ChunkResult,
    writer: Writer,
    cache: ResultCache | None,
    summary: Summary,
    report: Callable[[str], None],
) -> None:
    if chunk.slices is not None:  # read by the worker: every item is an outcome
        for outcome in result.outcomes:
            if outcome.resumed is None:
                _write(outcome, writer, summary, report)
            else:
                _resume(outcome, writer, summary, report)
    else:
        outcomes = iter(result.outcomes)
        for item in chunk.items:
            if isinstance(item, InputError):
                summary.failed += 1
                report(str(item))
            elif isinstance(item, _Resumed):
                summary.skipped += 1
            else:
                _write(next(outcomes), writer, summary, report)
    if cache is not None and result.entries:
        cache.put_many(result.entries)
    summary.cached.update(result.hits)
    summary.spacy_cpu += result.spacy_cpu
    summary.annotators_cpu += result.annotators_cpu


def _resume(
    outcome: Outcome, writer: Writer, summary: Summary, report: Callable[[str], None]
) -> None:
    """A document a worker found already done: keep it, if it still is."""
    assert outcome.resumed is not None
    try:
        kept = writer.resume(outcome.doc_id, outcome.source, outcome.resumed)  # type: ignore[attr-defined]
    except InputError as error:  # a duplicate id
        summary.failed += 1
        report(str(error))
        return
    if kept:
        summary.skipped += 1
    else:  # it changed after the worker looked: the next run redoes it
        summary.failed += 1
        report(f"{outcome.source}: its output changed during the run; run again.")


def _write(
    outcome: Outcome, writer: Writer, summary: Summary, report: Callable[[str], None]
) -> None:
    if outcome.record is None:
        summary.failed += 1
        report(outcome.error or "unknown error")
        return
    try:
        if isinstance(outcome.record, bytes):
            writer.write_encoded(outcome.doc_id, outcome.source, outcome.record)  # type: ignore[attr-defined]
        elif isinstance(outcome.record, Staged):
            writer.write_staged(outcome.doc_id, outcome.source, outcome.record.path)  # type: ignore[attr-defined]
        else:
            writer.write(outcome.record)
    except InputError as error:
        summary.failed += 1
        report(str(error))
        return
    except (AnnotateError, BrokenPipeError):  # BrokenPipe: `-o - | head` stopped reading
        raise
    except Exception as error:  # a writer plugin's bug: nothing more can be written
        raise OutputError(
            outcome.source,
            f"writer '{writer.name}' failed: {type(error).__name__}: {error}",
        ) from None
    summary.ok += 1
    summary.words += outcome.words
    summary.layers.update(outcome.layers)
    for name, message in outcome.failed_annotators:
        summary.annotator_errors[name] += 1
        report(f"{outcome.source}: annotator '{name}' failed: {message}")
