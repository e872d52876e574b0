"""Annotating chunks of documents, in this process or in worker processes.

Every way of running (``--workers 1``, ``--workers N``, ``--scheduler``) hands chunks of
:class:`Task` to a :class:`Worker` and gets back one :class:`Outcome` per document, in order;
the main process alone reads, writes and keeps the cache. So the output is the same
byte for byte whichever way it ran.

Local workers are forked from the main process after it has built the pipeline, so the spaCy
model is loaded once and shared copy-on-write (where ``fork`` is unavailable each worker
rebuilds the pipeline from a :class:`PipelineSpec`). A worker dies with its parent.

Per-document timeouts (``--timeout-per-doc``) always run in worker processes. A ``SIGALRM``
timer around each annotator call (in the process's main thread) gives the annotator a
``DocumentTimeout`` exception, recorded like any annotator error, and the next document goes
on. An annotator that swallows it, or sits in C code that never returns to Python (a runaway
regex), is stopped by a ``faulthandler`` watchdog a little later (``hard_stop_after``): the
worker process exits, the main process starts a new one and reports that document as failed.
Dask workers run tasks in threads, where only the watchdog applies.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import faulthandler
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.cache import (
    FINGERPRINT_KEY,
    StepIdentity,
    doc_layer_hash,
    pipeline_fingerprint,
    raw_annotation,
    step_identities,
    step_key,
)
from annotate.errors import AnnotateError
from annotate.model import Annotation, Document
from annotate.nlp import parse
from annotate.pipeline import AnnotatorFailed, Pipeline, Step


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
        from annotate.api import build_pipeline

        return build_pipeline(
            self.config,
            only=self.only,
            skip=self.skip,
            plugin_dirs=self.plugin_dirs,
            plugins=self.plugins,
            fail_fast=self.fail_fast,
            timings=self.timings,
        )


@dataclass
class Task:
    """One document to annotate, with the cached results the main process found for it."""

    doc: Document
    doc_hash: str
    cached: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Outcome:
    """What became of one document: its output record, or why it failed; new cache entries."""

    record: dict[str, Any] | None
    error: str | None = None
    entries: list[tuple[str, str, str]] = field(default_factory=list)


class PipelineMismatch(AnnotateError):
    """A worker built a pipeline other than the client's (other versions, config or code)."""


class DocumentTimeout(Exception):
    """An annotator took longer than --timeout-per-doc on one document."""


class _Unparsed:
    """Stands in for ``doc.spacy`` when every spaCy-using annotator's result is cached."""


_UNPARSED: Any = _Unparsed()


class _Context:
    def __init__(self, timeout: float | None, hard_stop: bool = False) -> None:
        self.timeout = timeout
        self.hard_stop = hard_stop
        self.task: Task | None = None
        self.deadline = 0.0
        self.entries: list[tuple[str, str, str]] = []

    def begin(self, task: Task) -> None:
        self.task = task
        self.entries = []
        self.deadline = time.monotonic() + (self.timeout or 0)


class _Cached:
    """Wraps an annotator: answers from the task's cached result, else runs it and records it."""

    def __init__(self, inner: Any, identity: StepIdentity, context: _Context, nlp: Any) -> None:
        self._inner = inner
        self._identity = identity
        self._context = context
        self._nlp = nlp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def annotate(self, doc: Document) -> list[Annotation]:
        context, identity = self._context, self._identity
        task = context.task
        assert task is not None
        required = [doc_layer_hash(doc, layer) for layer in identity.requires]
        key = step_key(task.doc_hash, identity, required)
        hit = task.cached.get(identity.name)
        if hit is not None and hit[0] == key:
            value = copy.deepcopy(hit[1])
            doc.document.update(value["document"])
            return [Annotation(**a) for a in value["annotations"]]
        if doc.spacy is _UNPARSED:
            doc.spacy = next(parse(self._nlp, [doc.text], 1)) if self._nlp is not None else None
        before = dict(doc.document)
        with _alarm(context):
            new = list(self._inner.annotate(doc) or ())
        changed = {k: v for k, v in doc.document.items() if before.get(k) is not v}
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            value_json = json.dumps(
                {"annotations": [raw_annotation(a) for a in new], "document": changed},
                ensure_ascii=False,
                allow_nan=False,
            )
            context.entries.append((key, identity.name, value_json))
        return new


def hard_stop_after(seconds: float) -> float:
    """How long past its deadline an annotator that ignores DocumentTimeout may run."""
    return max(1.0, seconds / 2)


# Where this worker process's watchdog writes when it fires (os.devnull unless the main
# process gave a folder, where it then finds "Timeout" in the file named by the worker's PID).
_WATCHDOG_FILE: Any = None


@contextlib.contextmanager
def _hard_stop(context: _Context) -> Iterator[None]:
    """In a worker process: end the process if the annotator runs far past its deadline.

    ``faulthandler``'s watchdog is a C thread that needs no GIL, so it fires even while an
    annotator swallows every exception or sits in C code (a runaway regex). The process dies;
    the main process replaces it and reports the document (batch._isolate).
    """
    global _WATCHDOG_FILE
    seconds = context.timeout
    if not seconds or not context.hard_stop:
        yield
        return
    if _WATCHDOG_FILE is None:
        _WATCHDOG_FILE = open(os.devnull, "w")  # noqa: SIM115 - open for the process's life
    remaining = max(0.0, context.deadline - time.monotonic())
    faulthandler.dump_traceback_later(
        remaining + hard_stop_after(seconds), exit=True, file=_WATCHDOG_FILE
    )
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@contextlib.contextmanager
def _alarm(context: _Context) -> Iterator[None]:
    with _hard_stop(context), _soft_stop(context):
        yield


@contextlib.contextmanager
def _soft_stop(context: _Context) -> Iterator[None]:
    """``DocumentTimeout`` raised in the annotator at its deadline (main thread only)."""
    seconds = context.timeout
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    remaining = context.deadline - time.monotonic()
    message = f"took longer than --timeout-per-doc {seconds:g}s; its result is left out"
    if remaining <= 0:
        raise DocumentTimeout(message)

    def expired(signum: int, frame: Any) -> None:
        raise DocumentTimeout(message)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Worker:
    """A pipeline ready to annotate chunks of tasks (one per process)."""

    def __init__(
        self,
        pipeline: Pipeline,
        fingerprint: str,
        timeout: float | None = None,
        hard_stop: bool = False,
    ) -> None:
        own = pipeline_fingerprint(pipeline)
        if own != fingerprint:
            raise PipelineMismatch(
                f"a worker built a different pipeline than this process ({own[:12]} instead of "
                f"{fingerprint[:12]}): install the same annotate, plugins, spaCy model and "
                "config files on every worker."
            )
        self.fingerprint = fingerprint
        self.context = _Context(timeout, hard_stop)
        self.identities = step_identities(pipeline)
        self.pipeline = copy.copy(pipeline)
        self.pipeline.steps = [
            Step(s.name, _Cached(s.annotator, i, self.context, pipeline.nlp), s.entry)  # type: ignore[arg-type]
            for s, i in zip(pipeline.steps, self.identities, strict=True)
        ]
        self.spacy_steps = [
            s.name for s in pipeline.steps if s.annotator.spacy_components is not None
        ]

    def run(self, tasks: Sequence[Task]) -> list[Outcome]:
        pipeline = self.pipeline
        if pipeline.nlp is not None:
            need = [t.doc for t in tasks if any(n not in t.cached for n in self.spacy_steps)]
            batch_size = max(1, int(pipeline.config["batch_size"]))
            parsed = parse(pipeline.nlp, (d.text for d in need), batch_size)
            for doc, spacy_doc in zip(need, parsed, strict=True):
                doc.spacy = spacy_doc
            for task in tasks:
                if task.doc.spacy is None:
                    task.doc.spacy = _UNPARSED
        return [self._one(task) for task in tasks]

    def _one(self, task: Task) -> Outcome:
        doc = task.doc
        self.context.begin(task)
        try:
            self.pipeline.annotate(doc)
        except AnnotatorFailed:
            raise
        except Exception as error:  # a bug outside the annotators: lose this document only
            where = doc.meta.get("source", doc.id)
            return Outcome(None, f"{where} (id {doc.id}): {type(error).__name__}: {error}")
        finally:
            doc.spacy = None
        doc.meta[FINGERPRINT_KEY] = {"input": task.doc_hash, "pipeline": self.fingerprint}
        return Outcome(doc.to_json(), entries=self.context.entries)


class InProcessExecutor:
    """``--workers 1``: annotate in this process, when asked."""

    workers = 1
    lost: tuple[type[BaseException], ...] = ()

    def __init__(self, pipeline: Pipeline, fingerprint: str, timeout: float | None) -> None:
        self.worker = Worker(pipeline, fingerprint, timeout)

    def submit(self, tasks: list[Task]) -> Future[list[Outcome]]:
        future: Future[list[Outcome]] = Future()
        future.set_result(self.worker.run(tasks))
        return future

    def close(self, abort: bool = False) -> None:
        pass


# Set in the main process before forking, so workers start with the built pipeline.
_INHERITED: Pipeline | None = None
_WORKER: Worker | None = None


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _init_worker(
    spec: PipelineSpec | None,
    fingerprint: str,
    timeout: float | None,
    parent: int,
    watchdog_dir: str | None = None,
) -> None:
    global _WORKER, _WATCHDOG_FILE
    _die_with_parent()
    if watchdog_dir is not None:
        _WATCHDOG_FILE = open(os.path.join(watchdog_dir, str(os.getpid())), "w")  # noqa: SIM115
    if os.getppid() != parent:  # the parent died before we could ask to die with it
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business
    pipeline = _INHERITED if spec is None else spec.build()
    assert pipeline is not None
    _WORKER = Worker(pipeline, fingerprint, timeout, hard_stop=True)


def _run_chunk(tasks: list[Task]) -> list[Outcome]:
    assert _WORKER is not None
    return _WORKER.run(tasks)


class ProcessExecutor:
    """``--workers N``: a pool of N processes, each with its own copy of the pipeline."""

    def __init__(
        self,
        workers: int,
        pipeline: Pipeline,
        fingerprint: str,
        timeout: float | None,
        spec: PipelineSpec | None = None,
    ) -> None:
        global _INHERITED
        self.workers = workers
        self.timeout = timeout
        self.lost = (BrokenProcessPool,)
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods:
            _INHERITED = pipeline
            self.context = multiprocessing.get_context("fork")
            spec = None
        elif spec is None:
            raise RuntimeError("worker processes need a PipelineSpec where fork is unavailable")
        else:
            self.context = multiprocessing.get_context("spawn")
        self.watchdog_dir = tempfile.mkdtemp(prefix="annotate-watchdog-") if timeout else None
        self.initargs = (spec, fingerprint, timeout, os.getpid(), self.watchdog_dir)
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=self.context,
            initializer=_init_worker,
            initargs=self.initargs,
        )
        pool.submit(int).result()  # start the processes now, before any other thread runs
        return pool

    def submit(self, tasks: list[Task]) -> Future[list[Outcome]]:
        return self.pool.submit(_run_chunk, tasks)

    def restart(self) -> None:
        """A worker died (the pool is broken): start a fresh pool."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start()

    def stopped(self) -> bool:
        """Whether a worker was ended by the --timeout-per-doc watchdog since the last call."""
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
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=not abort, cancel_futures=True)
        _INHERITED = None
        if self.watchdog_dir is not None:
            shutil.rmtree(self.watchdog_dir, ignore_errors=True)


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def plugin_paths(paths: Sequence[str | Path]) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in paths)
