"""The runner: orders annotators from what they declare, parses once, annotates, merges."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from annotate.annotator import Annotator
from annotate.config import Config
from annotate.contract import ContractError, Snapshot, check_annotations, check_document_values
from annotate.errors import AnnotateError, ConfigError, InputError, PluginError, available
from annotate.interrupt import is_real
from annotate.merge import merge
from annotate.model import Annotation, Document, sort_key
from annotate.nlp import load_model, model_label, parse, resolve_model_name
from annotate.registry import Entry, Registry
from annotate.selection import default_pipeline


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

    def run(self, items: Iterable[Document | InputError]) -> Iterator[Document | InputError]:
        """Annotate a stream of documents in batches; read errors pass through in order."""
        batch_size = max(1, int(self.config["batch_size"]))
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, batch_size)):
            batch = [self._check_size(item) for item in batch]
            docs = [item for item in batch if isinstance(item, Document)]
            if self.nlp is not None:
                for doc, parsed in zip(
                    docs, parse(self.nlp, (d.text for d in docs), batch_size), strict=True
                ):
                    doc.spacy = parsed
            for item in batch:
                if isinstance(item, Document):
                    self.annotate(item)
                    item.spacy = None
                yield item

    def _check_size(self, item: Document | InputError) -> Document | InputError:
        limit = int(self.config["max_chars"])
        if isinstance(item, Document) and len(item.text) > limit:
            return InputError(
                str(item.meta.get("source", item.id)),
                f"document is {len(item.text):,} characters, over max_chars ({limit:,}); "
                "split it, or raise max_chars in annotate.yaml",
            )
        return item

    def annotate(self, doc: Document) -> Document:
        """Run every step on one document (parsing it first if needed) and merge the layers."""
        if self.nlp is not None and doc.spacy is None:
            doc.spacy = next(parse(self.nlp, [doc.text], 1))
        failed_layers: set[str] = set()
        next_id = 1 + max((_number(a.id) for a in doc.annotations), default=0)
        for name, info in self.skipped_info.items():
            doc.annotators[name] = {**info, "status": "skipped"}
        for step in self.steps:
            status = step.info
            if self.nlp is not None and step.annotator.spacy_components is not None:
                status["model"] = self.model
            broken = [layer for layer in step.annotator.requires if layer in failed_layers]
            if broken:
                doc.annotators[step.name] = {
                    **status,
                    "status": "skipped",
                    "error": f"required layer {', '.join(broken)} failed on this document",
                }
                failed_layers.update(step.annotator.assigns)
                continue
            started = time.perf_counter()
            saved = dict(doc.document)
            snapshot = Snapshot(doc)
            try:
                new = self._call(step, doc, saved, snapshot)
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
                failed_layers.update(step.annotator.assigns)
                status.update(status="error", error=message)
            else:
                for annotation in new:
                    annotation.id = f"T{next_id}"
                    next_id += 1
                doc.annotations.extend(new)
                doc.annotations.sort(key=sort_key)
                status["status"] = "ok"
            if self.timings:
                status["seconds"] = round(time.perf_counter() - started, 4)
            doc.annotators[step.name] = status
        doc.annotations = merge(doc.annotations, self.config["merge"])
        return doc

    def _call(
        self, step: Step, doc: Document, before: dict[str, Any], snapshot: Snapshot
    ) -> list[Annotation]:
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
        changed = {k for k, v in doc.document.items() if before.get(k) is not v}
        if changed - set(assigns):
            raise ContractError(
                f"wrote document['{min(map(str, changed - set(assigns)))}'], not in its assigns"
            )
        check_document_values(doc, changed)
        return new


def _describe(error: BaseException, step: Step) -> str:
    """An annotator's error as one line; a broken contract names the plugin."""
    if isinstance(error, ContractError):
        return f"ContractError: plugin {step.entry.plugin} {error}"
    try:
        detail = " ".join(str(error).split())
    except Exception:  # an exception whose __str__ raises
        detail = "(no message)"
    return f"{type(error).__name__}: {detail}"


def _number(annotation_id: str) -> int:
    digits = annotation_id.lstrip("T")
    return int(digits) if digits.isdigit() else 0


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
