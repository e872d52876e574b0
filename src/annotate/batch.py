"""The batch job behind ``annotate run``: read, annotate, write, and count what happened.

Documents stream from the readers to the writer in chunks of ``batch_size``, with at most
two chunks per worker in flight, so memory stays flat however large the corpus. The main
process reads, skips what a previous run already wrote (same input hash and pipeline
fingerprint in the output's ``meta.fingerprint``), looks up cached annotator results, hands
chunks to an executor (this process, worker processes or Dask) and writes the results in
input order.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.cache import (
    FINGERPRINT_KEY,
    ResultCache,
    input_hash,
    pipeline_fingerprint,
    resolve,
    step_identities,
)
from annotate.contract import json_problem
from annotate.errors import AnnotateError, InputError, Interrupted, OutputError
from annotate.interrupt import tracking
from annotate.io.sources import read_paths
from annotate.io.writers import remove_stale_temp_files
from annotate.model import Document
from annotate.parallel import (
    InProcessExecutor,
    Outcome,
    PipelineSpec,
    ProcessExecutor,
    Task,
    default_workers,
    hard_stop_after,
)
from annotate.pipeline import Pipeline
from annotate.progress import Bar

# Fewer documents than this to annotate: run in this process (no process start-up to pay).
SMALL_INPUT = 48


@dataclass
class Summary:
    """What a run did: documents ok / failed / skipped, annotations per layer, speed."""

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    annotator_errors: Counter[str] = field(default_factory=Counter)
    layers: Counter[str] = field(default_factory=Counter)
    words: int = 0
    seconds: float = 0.0
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
            "words": self.words,
            "seconds": round(self.seconds, 3),
            "words_per_second": round(self.words_per_second, 1),
            "workers": self.workers,
        }


@dataclass
class _Skipped:
    doc: Document


@dataclass
class _Chunk:
    items: list[Task | InputError | _Skipped] = field(default_factory=list)

    @property
    def tasks(self) -> list[Task]:
        return [item for item in self.items if isinstance(item, Task)]


def run_batch(
    paths: Iterable[str],
    pipeline: Pipeline,
    writer: Any,
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
    ``cache_dir``: the per-annotator result cache. ``force``: redo documents already written.
    """
    summary = Summary()
    started = time.perf_counter()
    fingerprint = pipeline_fingerprint(pipeline)
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    _remove_stale_temp_files(writer)
    items = read_paths(
        paths, pipeline.registry.readers, stdin_format, int(pipeline.config["max_chars"])
    )
    chunk_size = max(1, int(pipeline.config["batch_size"]))
    chunks = _chunks(_prepare(items, pipeline, writer, fingerprint, cache, force), chunk_size)
    executor: Any = None
    try:
        with tracking():
            head, chunks = _peek(chunks, SMALL_INPUT)
            executor = _executor(
                pipeline, fingerprint, timeout, workers, scheduler, spec, small=head < SMALL_INPUT
            )
            summary.workers = executor.workers
            with Bar(progress, total) as bar:
                for chunk, outcomes in _ordered(executor, chunks):
                    _finish(chunk, outcomes, writer, cache, summary, report, bar)
            executor.close()
            writer.close()
    except BaseException as error:
        if executor is not None:
            executor.close(abort=True)
        getattr(writer, "abort", writer.close)()
        if isinstance(error, KeyboardInterrupt):
            # What is written stays; a JSONL file is only ever written whole.
            kept = getattr(writer, "count", summary.ok)
            if getattr(writer, "discards_on_abort", False):
                kept = 0
            raise Interrupted(kept) from None
        raise
    finally:
        if cache is not None:
            cache.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _executor(
    pipeline: Pipeline,
    fingerprint: str,
    timeout: float | None,
    workers: int | None,
    scheduler: str | None,
    spec: PipelineSpec | None,
    small: bool,
) -> Any:
    if scheduler:
        from annotate.distributed import DaskExecutor

        if spec is None:
            raise ValueError("--scheduler needs a PipelineSpec to build the pipeline on workers")
        return DaskExecutor(scheduler, spec, fingerprint, timeout, workers or default_workers())
    count = workers or default_workers()
    if timeout:  # only a worker process can be stopped, and replaced, at any point
        return ProcessExecutor(1 if small else count, pipeline, fingerprint, timeout, spec)
    if count <= 1 or small:
        return InProcessExecutor(pipeline, fingerprint, timeout)
    return ProcessExecutor(count, pipeline, fingerprint, timeout, spec)


def _prepare(
    items: Iterable[Document | InputError],
    pipeline: Pipeline,
    writer: Any,
    fingerprint: str,
    cache: ResultCache | None,
    force: bool,
) -> Iterator[Task | InputError | _Skipped]:
    limit = int(pipeline.config["max_chars"])
    identities = step_identities(pipeline)
    resumable = hasattr(writer, "path_for") and not force
    for item in items:
        if isinstance(item, InputError):
            yield item
            continue
        problem = _document_problem(item)
        if problem:  # a reader plugin's document that breaks the input contract
            yield InputError(str(item.meta.get("source", item.id)), problem)
            continue
        if len(item.text) > limit:
            yield InputError(
                str(item.meta.get("source", item.id)),
                f"document is {len(item.text):,} characters, over max_chars ({limit:,}); "
                "split it, or raise max_chars in annotate.yaml",
            )
            continue
        doc_hash = input_hash(item)
        if resumable and _already_written(writer, item, doc_hash, fingerprint):
            if isinstance(getattr(writer, "written", None), dict):
                writer.written[item.id] = item.meta.get("source", item.id)
            yield _Skipped(item)
            continue
        cached = resolve(cache, identities, doc_hash) if cache is not None and not force else {}
        yield Task(item, doc_hash, cached)


def _document_problem(doc: Document) -> str | None:
    if not isinstance(doc.id, str) or not doc.id.strip():
        return f"the reader gave the id {doc.id!r}; ids are non-blank strings."
    if not isinstance(doc.text, str) or not isinstance(doc.meta, dict):
        return "the reader gave a document whose text is not a str or meta not a dict."
    return json_problem(doc.text, "text") or json_problem(doc.meta, "meta")


def _already_written(writer: Any, doc: Document, doc_hash: str, fingerprint: str) -> bool:
    try:
        with open(writer.path_for(doc.id), "rb") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return False
    meta = record.get("meta") if isinstance(record, dict) else None
    return (
        record.get("id") == doc.id
        and isinstance(meta, dict)
        and meta.get(FINGERPRINT_KEY) == {"input": doc_hash, "pipeline": fingerprint}
    )


def _chunks(items: Iterable[Task | InputError | _Skipped], size: int) -> Iterator[_Chunk]:
    chunk = _Chunk()
    tasks = 0
    for item in items:
        chunk.items.append(item)
        tasks += isinstance(item, Task)
        if tasks >= size or len(chunk.items) >= 4 * size:
            yield chunk
            chunk, tasks = _Chunk(), 0
    if chunk.items:
        yield chunk


def _peek(chunks: Iterator[_Chunk], tasks: int) -> tuple[int, Iterator[_Chunk]]:
    """Read ahead until ``tasks`` documents to annotate are seen (or the input ends)."""
    head: list[_Chunk] = []
    seen = 0
    for chunk in chunks:
        head.append(chunk)
        seen += len(chunk.tasks)
        if seen >= tasks:
            break

    def chained() -> Iterator[_Chunk]:
        yield from head
        yield from chunks

    return seen, chained()


def _done(outcomes: list[Outcome]) -> Future[list[Outcome]]:
    future: Future[list[Outcome]] = Future()
    future.set_result(outcomes)
    return future


def _ordered(executor: Any, chunks: Iterator[_Chunk]) -> Iterator[tuple[_Chunk, list[Outcome]]]:
    """Chunks with their outcomes, in input order, at most two chunks per worker in flight."""
    limit = 2 * executor.workers
    inflight: deque[tuple[_Chunk, Any]] = deque()

    def submit(chunk: _Chunk) -> Any:
        tasks = chunk.tasks
        return executor.submit(tasks) if tasks else _done([])

    def first() -> tuple[_Chunk, list[Outcome]]:
        chunk, future = inflight.popleft()
        try:
            return chunk, future.result()
        except executor.lost:
            # A worker died; every chunk in flight is lost with it. Redo this one document by
            # document to find the culprit, and send the others again.
            outcomes = _isolate(executor, chunk.tasks)
            for i, (other, _) in enumerate(inflight):
                inflight[i] = (other, submit(other))
            return chunk, outcomes

    for chunk in chunks:
        inflight.append((chunk, submit(chunk)))
        while len(inflight) > limit or (inflight and inflight[0][1].done()):
            yield first()
    while inflight:
        yield first()


def _isolate(executor: Any, tasks: list[Task]) -> list[Outcome]:
    stopped = getattr(executor, "stopped", lambda: False)
    stopped()  # forget the watchdog of the chunk that broke the pool
    executor.restart()
    outcomes = []
    for task in tasks:
        try:
            outcomes.extend(executor.submit([task]).result())
        except executor.lost:
            doc = task.doc
            where = doc.meta.get("source", doc.id)
            timeout = getattr(executor, "timeout", None)
            if stopped():
                why = (
                    f"timed out: an annotator ran {hard_stop_after(timeout):g}s past "
                    f"--timeout-per-doc {timeout:g}s and would not stop, so its worker "
                    "process was replaced"
                )
            else:
                why = "the worker process died"
                if timeout:
                    why += (
                        f" (it crashed, or an annotator ran past --timeout-per-doc {timeout:g}s "
                        "and was stopped)"
                    )
            executor.restart()
            outcomes.append(Outcome(None, f"{where} (id {doc.id}): {why}"))
    return outcomes


def _finish(
    chunk: _Chunk,
    outcomes: list[Outcome],
    writer: Any,
    cache: ResultCache | None,
    summary: Summary,
    report: Callable[[str], None],
    bar: Bar,
) -> None:
    results = iter(outcomes)
    entries: list[tuple[str, str, str]] = []
    words = 0
    for item in chunk.items:
        if isinstance(item, InputError):
            summary.failed += 1
            report(str(item))
            continue
        if isinstance(item, _Skipped):
            summary.skipped += 1
            continue
        outcome = next(results)
        entries.extend(outcome.entries)
        if outcome.record is None:
            summary.failed += 1
            report(outcome.error or "unknown error")
            continue
        try:
            writer.write(outcome.record)
        except InputError as error:
            summary.failed += 1
            report(str(error))
            continue
        except (AnnotateError, BrokenPipeError):  # BrokenPipe: `-o - | head` stopped reading
            raise
        except Exception as error:  # a writer plugin's bug: nothing more can be written
            name = getattr(writer, "name", type(writer).__name__)
            raise OutputError(
                str(outcome.record["meta"].get("source", outcome.record["id"])),
                f"writer '{name}' failed: {type(error).__name__}: {error}",
            ) from None
        words += _count(summary, outcome.record, report)
    if cache is not None and entries:
        cache.put_many(entries)
    bar.advance(len(chunk.items), words)


def _count(summary: Summary, record: dict[str, Any], report: Callable[[str], None]) -> int:
    words = len(record["text"].split())
    summary.ok += 1
    summary.words += words
    summary.layers.update(a["layer"] for a in record["annotations"])
    where = record["meta"].get("source", record["id"])
    for name, status in record["annotators"].items():
        if status["status"] == "error":
            summary.annotator_errors[name] += 1
            report(f"{where}: annotator '{name}' failed: {status['error']}")
    return words


def _remove_stale_temp_files(writer: Any) -> None:
    """Temp files a killed run left in the output folder (never a live run's, nor an output)."""
    folder = getattr(writer, "folder", None)
    if isinstance(folder, Path) and folder.is_dir():
        remove_stale_temp_files(folder, ".*.json.*.tmp")
