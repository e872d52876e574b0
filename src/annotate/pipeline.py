"""The runner: orders annotators from what they declare, then annotates a document step by step."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotate.annotator import Annotator
from annotate.cache import (
    StepIdentity,
    StepStore,
    doc_layer_hash,
    input_hash,
    model_identity,
    parse_key,
    pipeline_fingerprint,
    step_identities,
    step_key,
)
from annotate.config import Config
from annotate.contract import ContractError, Snapshot, check_annotations, check_document_values
from annotate.errors import AnnotateError, ConfigError, PluginError, available
from annotate.interrupt import is_real
from annotate.merge import merge
from annotate.model import Annotation, Document, sort_key
from annotate.nlp import from_bytes, load_model, model_label, parse, resolve_model_name, to_bytes
from annotate.registry import Entry, Registry
from annotate.selection import default_pipeline
from annotate.timeouts import Deadline


@dataclass
class Step:
    """One annotator in the pipeline."""

    name: str
    annotator: Annotator
    entry: Entry

    @property
    def info(self) -> dict[str, Any]:
        return {"version": self.annotator.version, "plugin": self.entry.plugin}


class AnnotatorFailed(AnnotateError):
    """Raised with --fail-fast when an annotator raises on a document (exit code 1)."""

    exit_code = 1


class Pipeline:
    """Annotators ready to run, in an order where every required layer comes first."""

    def __init__(
        self,
        config: Config,
        registry: Registry,
        only: Sequence[str] = (),
        skip: Sequence[str] = (),
        fail_fast: bool = False,
        timings: bool = False,
    ) -> None:
        self.config = config
        self.registry = registry
        self.fail_fast = fail_fast
        self.timings = timings
        configured = list(config["pipeline"])
        for name in [*configured, *config["annotators"]]:
            if name not in registry.annotators:
                raise ConfigError(
                    f"{config.where('pipeline')}: no annotator named '{name}'. "
                    f"{available(registry.annotators)} (`annotate plugins` lists them.)"
                )
        for name in [*only, *skip]:
            registry.annotator(name)  # raises with the available names
        # Plugins join the default pipeline unless the config pins it (annotate.selection).
        selection = default_pipeline(config, registry, skip)
        configured = selection.names
        self.notices = [] if only else selection.notices  # loaded annotators that will not run
        chosen = list(only) if only else [n for n in configured if n not in skip]
        self.skipped = [n for n in configured if n not in chosen]
        self.steps = _ordered(
            [_make_step(registry.annotators[n], config) for n in chosen], registry
        )
        self.skipped_info = {
            n: {
                "version": registry.annotators[n].obj.version,
                "plugin": registry.annotators[n].plugin,
            }
            for n in self.skipped
        }
        components = [s.annotator.spacy_components for s in self.steps]
        self.nlp = None
        if any(c is not None for c in components):
            wanted = frozenset(itertools.chain.from_iterable(c for c in components if c))
            self.nlp = load_model(resolve_model_name(config["model"]), wanted)
            self.model = model_label(self.nlp)
        for step in self.steps:
            _starting(step.entry, step.annotator.setup, self.nlp)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    @functools.cached_property
    def identities(self) -> list[StepIdentity]:
        """What identifies each step's behaviour, in step order (cache keys)."""
        return step_identities(self)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Hash of everything but the input that shapes an output record."""
        return pipeline_fingerprint(self)

    @functools.cached_property
    def model_identity(self) -> list[Any]:
        return model_identity(self)

    def prepare(self, docs: Sequence[Document], store: StepStore | None = None) -> None:
        """Parse, in one ``nlp.pipe`` batch, the documents whose parse ``store`` lacks.

        ``annotate_chunk`` would parse them one by one, which is slower; a parse the store holds
        is loaded only if a step that needs it is not cached itself.
        """
        if self.nlp is None:
            return
        need = [
            d
            for d in docs
            if d.spacy is None
            and (store is None or not store.has_parse(parse_key(d.text, self.model_identity)))
        ]
        batch_size = max(1, int(self.config["batch_size"]))
        for doc, parsed in zip(
            need, parse(self.nlp, (d.text for d in need), batch_size), strict=True
        ):
            doc.spacy = parsed
            if store is not None:
                store.keep_parse(
                    parse_key(doc.text, self.model_identity), to_bytes(parsed, doc.text)
                )

    def annotate(
        self, doc: Document, store: StepStore | None = None, deadline: Deadline | None = None
    ) -> Document:
        """Run every step on ``doc`` (``annotate_chunk`` of one); raise what stopped it."""
        [error] = self.annotate_chunk([doc], store, [deadline])
        if error is not None:
            raise error
        return doc

    def annotate_chunk(
        self,
        docs: Sequence[Document],
        store: StepStore | None = None,
        deadlines: Sequence[Deadline | None] | None = None,
    ) -> list[Exception | None]:
        """Run every step on each of ``docs``, merging each step's annotations into the others.

        Each step runs over the whole chunk before the next one starts, as ``nlp.pipe`` runs
        each component over a batch, so an annotator's tables stay in the CPU's caches.
        ``store`` answers a step with its result from an earlier run, and keeps the new ones
        (the parse too). A text is parsed when the first step that needs spaCy runs on it,
        unless ``prepare`` parsed it. ``deadlines``: each document's budget for its
        annotator calls (--timeout-per-doc).

        Returns, per document, None or the error that stopped it: a bug outside the
        annotators, which loses that document only (an annotator's own error is recorded in
        ``doc.annotators``). With --fail-fast, an annotator's error raises AnnotatorFailed.
        """
        runs = [
            _DocRun(doc, deadline)
            for doc, deadline in zip(docs, deadlines or [None] * len(docs), strict=True)
        ]
        self._each(runs, self._start)
        for step, identity in zip(self.steps, self.identities, strict=True):
            self._each(runs, functools.partial(self._record, step, identity, store=store))
        self._each(runs, self._finish)
        return [run.error for run in runs]

    @staticmethod
    def _each(runs: list[_DocRun], do: Callable[[_DocRun], None]) -> None:
        """``do`` on each document not stopped yet; an error outside the annotators stops
        that document alone (an annotator's error under --fail-fast stops the run)."""
        for run in runs:
            if run.error is not None:
                continue
            try:
                do(run)
            except AnnotatorFailed:
                raise
            except Exception as error:
                run.error = error

    def _start(self, run: _DocRun) -> None:
        run.hash = input_hash(run.doc)
        run.ids = _Ids(run.doc.annotations)
        for name, info in self.skipped_info.items():
            run.doc.annotators[name] = {**info, "status": "skipped"}

    def _finish(self, run: _DocRun) -> None:
        doc = run.doc
        doc.annotations.sort(key=sort_key)
        doc.provenance = {
            "input": run.hash,
            "pipeline": self.fingerprint,
            "text_sha256": hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest(),
        }

    def _record(
        self, step: Step, identity: StepIdentity, run: _DocRun, store: StepStore | None
    ) -> None:
        """One step on one document, its status (and time, with --timings) recorded."""
        started = time.perf_counter()
        status = self._step(step, identity, run, store)
        if self.timings:
            status["seconds"] = round(time.perf_counter() - started, 4)
        run.doc.annotators[step.name] = status

    def _step(
        self, step: Step, identity: StepIdentity, run: _DocRun, store: StepStore | None
    ) -> dict[str, Any]:
        """One step on one document: from the store, or run; merged in. Returns its status."""
        doc = run.doc
        status = step.info
        if self.nlp is not None and step.annotator.spacy_components is not None:
            status["model"] = self.model
        broken = [layer for layer in identity.requires if layer in run.failed]
        if broken:
            run.failed.update(identity.assigns)
            error = f"required layer {', '.join(broken)} failed on this document"
            return {**status, "status": "skipped", "error": error}
        key = cached = None
        if store is not None:
            required = [doc_layer_hash(doc, layer) for layer in identity.requires]
            key = step_key(run.hash, identity, required)
            cached = store.result(key, step.name)
        if cached is not None:
            new = _restored(doc, cached)
        else:
            if step.annotator.spacy_components is not None and doc.spacy is None:
                self._parse(doc, store)
            try:
                new, changed = self._run(step, doc, run.deadline)
            except _Failed as failure:
                run.failed.update(identity.assigns)
                return {**status, "status": "error", "error": failure.message}
            if store is not None and key is not None:
                store.keep_result(key, step.name, new, changed)
        self._add(doc, new, run.ids)
        return {**status, "status": "ok"}

    def _parse(self, doc: Document, store: StepStore | None) -> None:
        assert self.nlp is not None
        key = parse_key(doc.text, self.model_identity) if store is not None else ""
        data = store.parse(key) if store is not None else None
        if data is not None:
            doc.spacy = from_bytes(self.nlp, data)
            return
        doc.spacy = next(parse(self.nlp, [doc.text], 1))
        if store is not None:
            store.keep_parse(key, to_bytes(doc.spacy, doc.text))

    def _run(
        self, step: Step, doc: Document, deadline: Deadline | None
    ) -> tuple[list[Annotation], dict[str, Any]]:
        """One annotator call, captured: its error, timeout or broken contract is a _Failed,
        with the document restored as it was."""
        saved = dict(doc.document)
        snapshot = Snapshot(doc)
        try:
            with deadline.guard() if deadline is not None else contextlib.nullcontext():
                return self._call(step, doc, saved, snapshot)
        except (Exception, SystemExit, KeyboardInterrupt) as error:
            # SystemExit and a plugin's own KeyboardInterrupt are that plugin's errors too.
            if is_real(error):
                raise
            message = _describe(error, step)
            if self.fail_fast:
                raise AnnotatorFailed(
                    f"{doc.meta.get('source', doc.id)}: annotator '{step.name}' failed: "
                    f"{message} (stopped by --fail-fast; output written so far is kept)"
                ) from error
            snapshot.restore(doc)
            doc.document = saved
            raise _Failed(message) from None

    def _add(self, doc: Document, new: list[Annotation], ids: _Ids) -> None:
        """Merge a step's annotations into the document's, then number the new ones kept."""
        if not new:
            return
        doc.annotations.extend(new)
        if self._merged_layers.intersection(a.layer for a in new):
            doc.annotations = merge(doc.annotations, self.config["merge"])
            kept = {id(a) for a in doc.annotations}
            new = [a for a in new if id(a) in kept]
        for annotation in new:
            if not annotation.id:
                annotation.id = ids.next()

    @functools.cached_property
    def _merged_layers(self) -> frozenset[str]:
        """The layers the merge rules name: only a step adding to one of them can merge."""
        rules = self.config["merge"]
        if rules.get("policy", "merge") == "keep-all":
            return frozenset()
        subsumes = rules.get("subsumes") or {}
        return frozenset(subsumes).union(*(set(r) for r in subsumes.values()))

    def _call(
        self, step: Step, doc: Document, before: dict[str, Any], snapshot: Snapshot
    ) -> tuple[list[Annotation], dict[str, Any]]:
        """Run one annotator and check what it did against the contract (contract.py)."""
        assigns = step.annotator.assigns
        new = check_annotations(step.annotator.annotate(doc) or (), doc, assigns)
        problem = snapshot.problem(doc)
        if problem:
            raise ContractError(problem)
        new.sort(key=sort_key)
        for a in new:
            a.text = doc.text[a.start : a.end]
            if not a.sources:
                a.sources = [step.name]
        changed = {k: v for k, v in doc.document.items() if before.get(k) is not v}
        if set(changed) - set(assigns):
            raise ContractError(
                f"wrote document['{min(map(str, set(changed) - set(assigns)))}'], not in its "
                "assigns"
            )
        check_document_values(doc, changed)
        return new, changed


def _describe(error: BaseException, step: Step) -> str:
    """An annotator's error as one line; a broken contract names the plugin."""
    if isinstance(error, ContractError):
        return f"ContractError: plugin {step.entry.plugin} {error}"
    try:
        detail = " ".join(str(error).split())
    except Exception:  # an exception whose __str__ raises
        detail = "(no message)"
    return f"{type(error).__name__}: {detail}"


class _Failed(Exception):
    """An annotator's error on one document, as the one line its status records."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _DocRun:
    """One document on its way through the steps."""

    def __init__(self, doc: Document, deadline: Deadline | None) -> None:
        self.doc = doc
        self.deadline = deadline
        self.hash = ""  # its input hash, and
        self.ids = _Ids(())  # the ids after its own: both set by Pipeline._start
        self.failed: set[str] = set()  # layers of the steps that failed on it
        self.error: Exception | None = None  # what stopped it, outside any annotator


class _Ids:
    """Annotation ids T1, T2, ... continuing after those the document already has."""

    def __init__(self, existing: Iterable[Annotation]) -> None:
        self.last = max((_number(a.id) for a in existing), default=0)

    def next(self) -> str:
        self.last += 1
        return f"T{self.last}"


def _number(annotation_id: str) -> int:
    digits = annotation_id.lstrip("T")
    return int(digits) if digits.isdigit() else 0


def _restored(doc: Document, cached: dict[str, Any]) -> list[Annotation]:
    """A step's cached result applied to ``doc``: its annotations, and its document values."""
    doc.document.update(cached["document"])
    new = [Annotation(**raw) for raw in cached["annotations"]]
    for a in new:
        a.text = doc.text[a.start : a.end]
    return new


def _make_step(entry: Entry, config: Config) -> Step:
    cls = entry.obj
    settings = config.annotator_config(entry.name, cls.default_config)
    return Step(entry.name, _starting(entry, cls, settings), entry)


def _starting(entry: Entry, function: Any, *args: Any) -> Any:
    """Create or set up an annotator; its failure is one line naming it and its plugin."""
    try:
        return function(*args)
    except AnnotateError:
        raise
    except (Exception, SystemExit) as error:
        raise PluginError(
            f"annotator '{entry.name}' (plugin {entry.plugin}) failed to start: "
            f"{type(error).__name__}: {error}. Fix or uninstall the plugin, or leave it out "
            f"with --skip {entry.name}."
        ) from None


def _ordered(steps: list[Step], registry: Registry) -> list[Step]:
    """Steps in configured order, moved later where needed so required layers come first."""
    remaining = list(steps)
    ordered: list[Step] = []
    done: set[str] = set()
    assigned = {layer for s in steps for layer in s.annotator.assigns}
    for step in steps:
        for layer in step.annotator.requires:
            if layer not in assigned:
                providers = [p for p in registry.providers(layer) if p != step.name]
                hint = (
                    f"add {' or '.join(providers)} to the pipeline"
                    if providers
                    else "no installed annotator provides it"
                )
                raise ConfigError(
                    f"annotator '{step.name}' requires layer '{layer}', which no annotator in the "
                    f"pipeline assigns: {hint}."
                )
    while remaining:
        ready = next((s for s in remaining if set(s.annotator.requires) <= done), None)
        if ready is None:
            cycle = ", ".join(s.name for s in remaining)
            raise ConfigError(f"annotators {cycle} require each other's layers; break the cycle.")
        remaining.remove(ready)
        ordered.append(ready)
        done.update(ready.annotator.assigns)
    return ordered
