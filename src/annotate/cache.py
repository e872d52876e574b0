"""Fingerprints and the per-annotator result cache.

An annotator's result on a document is cached under a key made of the document's input hash,
the annotator's name, version and config (and spaCy model, if it uses one), and the hashes of
the layers it requires as they stood when it ran. Change one annotator's config and only that
annotator, and those reading its layers, run again. The cache is one SQLite file
(``~/.cache/annotate/cache.sqlite`` unless ``--cache DIR``); only the main process writes it.
Annotators are identified by their version *and* a hash of their module's source, so editing
an annotator without bumping its version does not serve stale results.

The *pipeline fingerprint* covers everything that shapes an output file except the input:
``meta.fingerprint = {"input": ..., "pipeline": ...}`` in each output lets a re-run skip
documents that are already done.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import sqlite3
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.errors import OutputError

if TYPE_CHECKING:
    from annotate.model import Annotation, Document
    from annotate.pipeline import Pipeline

CACHE_FILE = "cache.sqlite"
FINGERPRINT_KEY = "fingerprint"  # in meta; left out of the input hash


def digest(value: Any) -> str:
    """SHA-256 of a JSON-able value, keys sorted: the same value, the same hash, anywhere."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_hash(doc: Document) -> str:
    """Hash of everything an annotator may read from the input: id, text and meta."""
    meta = {k: v for k, v in doc.meta.items() if k not in ("sha256", FINGERPRINT_KEY)}
    return digest([doc.id, doc.text, meta])


@dataclass(frozen=True)
class StepIdentity:
    """What identifies one annotator's behaviour, minus its input."""

    name: str
    version: str
    config: str  # hash of its settings, module source (and the spaCy model, if it uses one)
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


def step_identities(pipeline: Pipeline) -> list[StepIdentity]:
    model = None
    if pipeline.nlp is not None:
        model = [pipeline.model, list(pipeline.nlp.pipe_names)]
    identities = []
    for step in pipeline.steps:
        annotator = step.annotator
        uses_spacy = annotator.spacy_components is not None
        identities.append(
            StepIdentity(
                name=step.name,
                version=str(annotator.version),
                config=digest(
                    [
                        dict(annotator.config),
                        _source_hash(type(annotator)),
                        model if uses_spacy else None,
                    ]
                ),
                requires=tuple(annotator.requires),
                assigns=tuple(annotator.assigns),
            )
        )
    return identities


def _source_hash(cls: type) -> str | None:
    """Hash of the source of ``cls``: the files of its package's folder (an annotator's
    grammar, tables and helpers beside it) and of the modules of its own top-level package
    that it uses, however deep. None if it has no file (e.g. defined in a REPL)."""
    module = sys.modules.get(cls.__module__)
    if module is None or not getattr(module, "__file__", None):
        return None
    files = set()
    if "." in cls.__module__:  # a module inside a package: every module beside it
        files.update(Path(module.__file__).parent.glob("*.py"))
    package = cls.__module__.split(".")[0]
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current.__name__ in seen or not getattr(current, "__file__", None):
            continue
        seen.add(current.__name__)
        files.add(Path(current.__file__))
        for value in vars(current).values():
            name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", "")
            if isinstance(name, str) and name.split(".")[0] == package and name in sys.modules:
                todo.append(sys.modules[name])
    digest = hashlib.sha256()
    try:
        for path in sorted(files):
            digest.update(path.name.encode() + path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def pipeline_fingerprint(pipeline: Pipeline) -> str:
    """Hash of the annotators (names, versions, configs, model), skipped ones and merge rules."""
    return digest(
        {
            "steps": [
                [s.name, s.version, s.config, s.requires, s.assigns]
                for s in step_identities(pipeline)
            ],
            "skipped": pipeline.skipped_info,
            "merge": pipeline.config["merge"],
            "max_chars": pipeline.config["max_chars"],
            "timings": pipeline.timings,
        }
    )


def _annotation_key(a: Mapping[str, Any]) -> tuple[Any, ...]:
    return (a["start"], -a["end"], a["label"], json.dumps(a["attrs"], sort_keys=True, default=repr))


def layer_hash(annotations: Iterable[Mapping[str, Any]], document_value: Any) -> str:
    """Hash of one layer's content: its spans (offsets, label, attrs) and document-level value."""
    spans = sorted(
        (_annotation_key(a) for a in annotations),
    )
    return digest([spans, document_value])


def doc_layer_hash(doc: Document, layer: str) -> str:
    return layer_hash(
        (
            {"start": a.start, "end": a.end, "label": a.label, "attrs": a.attrs}
            for a in doc.layer(layer)
        ),
        doc.document.get(layer),
    )


def step_key(doc_hash: str, step: StepIdentity, required: Sequence[str]) -> str:
    return digest([doc_hash, step.name, step.version, step.config, list(required)])


def raw_annotation(a: Annotation) -> dict[str, Any]:
    """An annotator's output as returned (before the runner adds text, id, default sources)."""
    return {
        "layer": a.layer,
        "start": a.start,
        "end": a.end,
        "label": a.label,
        "attrs": a.attrs,
        "sources": list(a.sources),
    }


class CacheWarning(UserWarning):
    """The result cache is corrupt or cannot be written; annotate goes on without it."""


SCHEMA_VERSION = 2  # results carry a checksum of their value


def _checksum(key: str, annotator: str, value: str) -> str:
    return hashlib.sha256(f"{key}\0{annotator}\0{value}".encode()).hexdigest()


def _valid_value(value: Any) -> bool:
    """A cached result has the shape the runner reads (the contract check does the rest)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("annotations"), list)
        and isinstance(value.get("document"), dict)
        and all(
            isinstance(a, dict) and set(a) == _RAW_KEYS and isinstance(a["layer"], str)
            for a in value["annotations"]
        )
    )


_RAW_KEYS = {"layer", "start", "end", "label", "attrs", "sources"}


class ResultCache:
    """key -> one annotator's result (``{"annotations": [...], "document": {...}}``) in SQLite.

    The cache can never stop a run: a file that is not a database (or of another schema) is
    rebuilt with a warning; an entry whose checksum or shape is wrong is a miss, dropped with
    a warning; a cache that cannot be written is bypassed for the rest of the run. A cache
    folder that cannot be created at all is an ``OutputError`` (exit code 2).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / CACHE_FILE
        self.db: sqlite3.Connection | None = None
        self.warned = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(
                str(self.folder),
                f"cannot create the cache folder: {error.strerror or error}; choose another "
                "--cache, or --no-cache.",
            ) from None
        try:
            self.db = self._open()
        except sqlite3.OperationalError as error:  # cannot open or write: not corruption
            raise OutputError(
                str(self.path),
                f"cannot use the cache ({error}); choose another --cache, or --no-cache.",
            ) from None
        except sqlite3.DatabaseError as error:
            self._warn(f"{self.path} is corrupt ({error}); rebuilding it")
            self._remove_files()
            try:
                self.db = self._open()
            except (sqlite3.Error, OSError) as again:
                self._warn(f"{self.path} cannot be rebuilt ({again}); running without a cache")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version != SCHEMA_VERSION:
                db.execute("DROP TABLE IF EXISTS results")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, annotator TEXT "
                "NOT NULL, value TEXT NOT NULL, checksum TEXT NOT NULL)"
            )
            db.commit()
            db.execute("SELECT key, annotator, value, checksum FROM results LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _warn(self, message: str) -> None:
        warnings.warn(message, CacheWarning, stacklevel=3)

    def _disable(self, error: BaseException) -> None:
        self._warn(f"cache {self.path} failed ({error}); going on without it")
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
        self.db = None

    def get(self, key: str) -> dict[str, Any] | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT annotator, value, checksum FROM results WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as error:
            self._disable(error)
            return None
        if row is None:
            return None
        annotator, value, checksum = row
        try:
            ok = isinstance(value, str) and checksum == _checksum(key, annotator, value)
            data = json.loads(value) if ok else None
        except ValueError:
            data = None
        if data is None or not _valid_value(data):
            if not self.warned:
                self.warned = True
                self._warn(f"a corrupt entry in {self.path} ({annotator}) is ignored and redone")
            with contextlib.suppress(sqlite3.Error), self.db:
                self.db.execute("DELETE FROM results WHERE key = ?", (key,))
            return None
        return data

    def put_many(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(key, annotator, value_json)`` entries in one transaction."""
        if self.db is None:
            return
        rows = [(k, a, v, _checksum(k, a, v)) for k, a, v in entries]
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO results (key, annotator, value, checksum) "
                    "VALUES (?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as error:
            self._disable(error)

    def info(self) -> dict[str, Any]:
        rows = []
        if self.db is not None:
            rows = self.db.execute(
                "SELECT annotator, COUNT(*), SUM(LENGTH(value)) FROM results GROUP BY annotator"
            ).fetchall()
        files = [p for p in self.folder.iterdir() if p.name.startswith(CACHE_FILE)]
        return {
            "path": str(self.path),
            "entries": {name: count for name, count, _ in sorted(rows)},
            "bytes": sum(p.stat().st_size for p in files),
        }

    def clear(self, annotators: Sequence[str] = ()) -> int:
        """Delete the entries of ``annotators`` (all when empty); return how many."""
        if self.db is None:  # unusable: clearing everything means removing the file
            if not annotators:
                self._remove_files()
            return 0
        try:
            with self.db:
                if annotators:
                    marks = ",".join("?" * len(annotators))
                    cursor = self.db.execute(
                        f"DELETE FROM results WHERE annotator IN ({marks})", tuple(annotators)
                    )
                else:
                    cursor = self.db.execute("DELETE FROM results")
            self.db.execute("VACUUM")
        except sqlite3.Error as error:
            if annotators:
                raise
            self._warn(f"{self.path} could not be cleared ({error}); removing the file")
            self.close()
            self._remove_files()
            return 0
        return cursor.rowcount

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


def resolve(
    cache: ResultCache, steps: Sequence[StepIdentity], doc_hash: str
) -> dict[str, tuple[str, dict[str, Any]]]:
    """The cached results usable for a document: step name -> (key, value).

    Walks the steps in order, building each key from the layers the cached results before it
    produced; a step whose required layer comes from a miss is a miss too.
    """
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    annotations: dict[str, list[dict[str, Any]]] = {}
    documents: dict[str, Any] = {}
    unknown: set[str] = set()
    for step in steps:
        if unknown.intersection(step.requires):
            unknown.update(step.assigns)
            continue
        required = [
            layer_hash(annotations.get(layer, ()), documents.get(layer)) for layer in step.requires
        ]
        key = step_key(doc_hash, step, required)
        value = cache.get(key)
        if value is None:
            unknown.update(step.assigns)
            continue
        found[step.name] = (key, value)
        for a in value["annotations"]:
            annotations.setdefault(a["layer"], []).append(a)
        documents.update(value["document"])
    return found


def default_cache_dir() -> Path:
    """``$ANNOTATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/annotate``, else ``~/.cache/annotate``.

    One cache serves every output folder: keys are content hashes, so a result is reused
    wherever the same document meets the same annotator, and OUT holds only outputs.
    """
    if os.environ.get("ANNOTATE_CACHE_DIR"):
        return Path(os.environ["ANNOTATE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "annotate"
