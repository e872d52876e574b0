"""Fingerprints, cache keys and the result cache.

Before each step, ``Pipeline.annotate_chunk`` asks a :class:`StepStore` for that annotator's
result on this document under a key made of the document's input hash, the annotator's name,
version, config and source (and spaCy model, if it uses one), and the hashes of the layers it
requires as they stand when it runs. The spaCy parse is a cached result too, keyed by the text,
the model and its components. Change one annotator's config and only that annotator, and those
reading its layers, run again, on the cached parse. The cache is one SQLite file
(``~/.cache/annotate/cache.sqlite`` unless ``--cache DIR``): worker processes read it, and only
the main process writes it (the entries a worker made come back with its results).

The *pipeline fingerprint* covers everything that shapes an output file except the input:
``provenance = {"input": ..., "pipeline": ...}`` in each output lets a re-run skip documents
that are already done.
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
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.errors import OutputError

if TYPE_CHECKING:
    from annotate.model import Annotation, Document
    from annotate.pipeline import Pipeline

CACHE_FILE = "cache.sqlite"
PARSE = "spacy-parse"  # the cache's name for parses, beside the annotators' names


def digest(value: Any) -> str:
    """SHA-256 of a JSON-able value, keys sorted: the same value, the same hash, anywhere."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_hash(doc: Document) -> str:
    """Hash of everything an annotator may read from the input: id, text and meta."""
    return digest([doc.id, doc.text, doc.meta])


@dataclass(frozen=True)
class StepIdentity:
    """What identifies one annotator's behaviour, minus its input."""

    name: str
    version: str
    config: str  # hash of its settings, module source (and the spaCy model, if it uses one)
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


def step_identities(pipeline: Pipeline) -> list[StepIdentity]:
    model = pipeline.model_identity if pipeline.nlp is not None else None
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
                [s.name, s.version, s.config, s.requires, s.assigns] for s in pipeline.identities
            ],
            "skipped": pipeline.skipped_info,
            "merge": pipeline.config["merge"],
            "max_chars": pipeline.config["max_chars"],
            "timings": pipeline.timings,
        }
    )


def doc_layer_hash(doc: Document, layer: str) -> str:
    """Hash of one layer as a step reads it: its annotations (ids too, which a step may
    record) and its document-level value."""
    spans = sorted(
        (a.start, -a.end, a.label, a.id, json.dumps(a.attrs, sort_keys=True, default=repr))
        for a in doc.annotations
        if a.layer == layer
    )
    return digest([spans, doc.document.get(layer)])


def step_key(doc_hash: str, step: StepIdentity, required: Sequence[str]) -> str:
    return digest([doc_hash, step.name, step.version, step.config, list(required)])


def parse_key(text: str, model: Sequence[Any]) -> str:
    """Key of a text's spaCy parse: the text and the model's identity (``model_identity``)."""
    return digest([PARSE, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), model])


def model_identity(pipeline: Pipeline) -> list[Any]:
    """The spaCy model as a parse depends on it: name, version, components, spaCy, our code."""
    import spacy

    from annotate import nlp

    return [
        pipeline.model,
        list(pipeline.nlp.pipe_names) if pipeline.nlp is not None else [],
        spacy.__version__,
        hashlib.sha256(Path(nlp.__file__).read_bytes()).hexdigest(),
    ]


def raw_annotation(a: Annotation) -> dict[str, Any]:
    """An annotation as a step's cached result holds it (without text and id)."""
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


SCHEMA_VERSION = 3  # values are bytes: JSON results, compressed spaCy parses

Entry = tuple[str, str, bytes]  # (key, annotator or PARSE, value)


def _checksum(key: str, annotator: str, value: bytes) -> str:
    return hashlib.sha256(f"{key}\0{annotator}\0".encode() + value).hexdigest()


class ResultCache:
    """key -> one cached value (an annotator's result, or a parse) in SQLite.

    The cache can never stop a run: a file that is not a database (or of another schema) is
    rebuilt with a warning; an entry whose checksum is wrong is a miss, dropped with a
    warning; a cache that cannot be written is bypassed for the rest of the run. A cache
    folder that cannot be created at all is an ``OutputError`` (exit code 2).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / CACHE_FILE
        self.db: sqlite3.Connection | None = None
        self.warned = False
        self.readonly = False
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

    @classmethod
    def reader(cls, folder: str | Path) -> ResultCache | None:
        """The cache opened read-only (in a worker process), or None if it cannot be read.

        A reader never warns nor repairs: the main process, which writes, does that.
        """
        cache = cls.__new__(cls)
        cache.folder = Path(folder)
        cache.path = cache.folder / CACHE_FILE
        cache.warned = cache.readonly = True
        try:
            cache.db = sqlite3.connect(f"{cache.path.resolve().as_uri()}?mode=ro", uri=True)
            cache.db.execute("SELECT key, annotator, value, checksum FROM results LIMIT 1")
        except (sqlite3.Error, OSError, ValueError):
            return None
        return cache

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
                "NOT NULL, value BLOB NOT NULL, checksum TEXT NOT NULL)"
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
        if not self.warned:
            self._warn(f"cache {self.path} failed ({error}); going on without it")
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
        self.db = None

    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, if its checksum holds."""
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
        if isinstance(value, bytes) and checksum == _checksum(key, annotator, value):
            return value
        self.drop(key, annotator)
        return None

    def has(self, key: str) -> bool:
        if self.db is None:
            return False
        try:
            return (
                self.db.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone()
                is not None
            )
        except sqlite3.Error as error:
            self._disable(error)
            return False

    def drop(self, key: str, annotator: str) -> None:
        """Forget a corrupt entry (warning once per run); a reader only ignores it."""
        if self.readonly:
            return
        if not self.warned:
            self.warned = True
            self._warn(f"a corrupt entry in {self.path} ({annotator}) is ignored and redone")
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error), self.db:
                self.db.execute("DELETE FROM results WHERE key = ?", (key,))

    def put_many(self, entries: Iterable[Entry]) -> None:
        """Store ``(key, annotator, value)`` entries in one transaction."""
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


class StepStore:
    """What ``Pipeline.annotate_chunk`` asks before each step, and tells after it.

    It answers from the cache (None: never a hit) and collects the entries this process made,
    which the main process writes (``take``); ``hits`` counts results taken from the cache,
    per annotator (``PARSE`` for parses).
    """

    def __init__(self, cache: ResultCache | None) -> None:
        self.cache = cache
        self.new: list[Entry] = []
        self.hits: Counter[str] = Counter()

    def result(self, key: str, name: str) -> dict[str, Any] | None:
        """A step's cached result: ``{"annotations": [raw annotation, ...], "document": {...}}``."""
        data = self.cache.get(key) if self.cache is not None else None
        if data is None:
            return None
        try:
            value = json.loads(data)
        except ValueError:
            value = None
        if not _valid_result(value):
            assert self.cache is not None
            self.cache.drop(key, name)
            return None
        self.hits[name] += 1
        return value

    def keep_result(
        self, key: str, name: str, annotations: Iterable[Annotation], document: dict[str, Any]
    ) -> None:
        value = {"annotations": [raw_annotation(a) for a in annotations], "document": document}
        data = json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
        self.new.append((key, name, data))

    def has_parse(self, key: str) -> bool:
        return self.cache is not None and self.cache.has(key)

    def parse(self, key: str) -> bytes | None:
        """A cached parse, as ``Doc.to_bytes`` gave it."""
        data = self.cache.get(key) if self.cache is not None else None
        if data is None:
            return None
        try:
            parsed = zlib.decompress(data)
        except zlib.error:
            assert self.cache is not None
            self.cache.drop(key, PARSE)
            return None
        self.hits[PARSE] += 1
        return parsed

    def keep_parse(self, key: str, data: bytes) -> None:
        self.new.append((key, PARSE, zlib.compress(data, 1)))

    def take(self) -> tuple[list[Entry], Counter[str]]:
        """The entries made and the hits counted since the last call."""
        taken = self.new, self.hits
        self.new, self.hits = [], Counter()
        return taken


def _valid_result(value: Any) -> bool:
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


def default_cache_dir() -> Path:
    """``$ANNOTATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/annotate``, else ``~/.cache/annotate``.

    One cache serves every output folder: keys are content hashes, so a result is reused
    wherever the same document meets the same annotator, and OUT holds only outputs.
    """
    if os.environ.get("ANNOTATE_CACHE_DIR"):
        return Path(os.environ["ANNOTATE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "annotate"
