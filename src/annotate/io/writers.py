"""What a writer is, and the builtin ones: a JSON file per document (``json``), JSON Lines
(``jsonl``).

A writer class has a ``name``; ``Writer(out)`` opens it and then follows :class:`Writer`;
it may also encode records in the worker processes (:class:`EncodingWriter`) and keep what an
earlier run wrote (:class:`ResumableWriter`). The builtin writers' files appear atomically
(temp file, then rename), so an interrupted run never leaves a partial file, and what was
written before stays intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import orjson

from annotate.errors import InputError, OutputError
from annotate.hookspecs import hookimpl
from annotate.interrupt import held

try:
    import fcntl
except ImportError:  # not on Windows: temp files are then told apart by PID alone
    fcntl = None  # type: ignore[assignment]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give; mkstemp alone gives 0600


@runtime_checkable
class Writer(Protocol):
    """Receives each annotated document's record (``annotate/v2`` JSON), in input order.

    ``close()`` finishes a run that went well. ``abort()``, optional, ends one that failed
    or was interrupted (without it, ``close()`` is called): it keeps intact whatever was
    written before this run, and may return how many of this run's documents it kept.
    """

    name: str

    def write(self, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class EncodingWriter(Writer, Protocol):
    """A writer whose records are encoded where they are annotated, in the worker processes:
    ``encoder`` is a picklable function record -> bytes, and ``write_encoded`` gets its bytes
    (the main process never decodes them)."""

    encoder: Callable[[dict[str, Any]], bytes]

    def write_encoded(self, doc_id: str, source: str, data: bytes) -> None: ...


@runtime_checkable
class ResumableWriter(Writer, Protocol):
    """A writer that can keep what an earlier run wrote into the same output."""

    def resume(self, doc_id: str, source: str, provenance: dict[str, str]) -> bool:
        """Keep the earlier output of ``doc_id`` if it has this provenance (same input and
        pipeline) and count it as written by this run; False: annotate it again."""
        ...

    def cleanup(self) -> None:
        """Remove what a killed run left behind (temp files), never a live run's."""
        ...


@runtime_checkable
class StagingWriter(EncodingWriter, Protocol):
    """A writer whose records workers on other machines (Dask) may write themselves.

    ``stage(staging, doc_id, data)`` (picklable) writes an encoded record into a temp file in
    the folder ``staging`` and returns its path; ``write_staged`` then moves it into place in
    input order, so the main process handles no record bytes at all. ``earlier(staging,
    doc_id)`` (picklable) is the provenance of an earlier run's output, for resuming there.
    """

    staging: str
    stage: Callable[[str, str, bytes], str]
    earlier: Callable[[str, str], dict[str, str] | None]

    def write_staged(self, doc_id: str, source: str, path: str) -> None: ...


class SeenIds:
    """The document ids written so far, for the duplicate check: on disk, not in memory
    (a private temporary SQLite database, which SQLite deletes when it is closed)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")
        self.db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, source TEXT)")

    def add(self, doc_id: str, source: str) -> None:
        """Record ``doc_id``; InputError if it was already written."""
        try:
            self.db.execute("INSERT INTO seen VALUES (?, ?)", (doc_id, source))
        except sqlite3.IntegrityError:
            (first,) = self.db.execute("SELECT source FROM seen WHERE id = ?", (doc_id,)).fetchone()
            raise InputError(
                source,
                f"duplicate document id '{doc_id}' (also in {first}); give each document its "
                "own `id`.",
            ) from None


def json_file(record: dict[str, Any]) -> bytes:
    """A record as the ``json`` writer's file holds it: indented by two spaces.

    ``orjson`` writes what ``json.dumps(indent=2, ensure_ascii=False)`` writes (but for tiny
    floats' exponents: 1e-7, not 1e-07), from C: the standard library indents in Python,
    which cost 7% of a run. A value it refuses (an int
    over 64 bits, a lone surrogate) goes through ``dumps``, which writes it or says why not.
    Values that strict JSON cannot hold never get here: the contract refuses NaN and the like.
    """
    try:
        return orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except (orjson.JSONEncodeError, TypeError):
        return (dumps(record, indent=2) + "\n").encode("utf-8")


def json_line(record: dict[str, Any]) -> bytes:
    """A record as one line of JSON Lines."""
    return (dumps(record) + "\n").encode("utf-8")


def dumps(record: dict[str, Any], indent: int | None = None) -> str:
    """Strict JSON (no NaN or Infinity) as UTF-8-encodable text; InputError if it cannot be."""
    try:
        text = json.dumps(record, ensure_ascii=False, indent=indent, allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:
        source = record.get("meta", {}).get("source", record.get("id"))
        raise InputError(str(source), f"cannot be written as strict JSON: {error}") from None
    return text


def temp_file(path: Path) -> tuple[int, str]:
    """A locked temp file beside ``path``, named with this process's PID (see stale_temp_files)."""
    try:
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(
            str(path.parent), f"cannot write here: {error.strerror or error}; choose another -o."
        ) from None
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd, tmp


_TEMP_PID = re.compile(r"\.(\d+)-[^.]*\.tmp$")


def remove_stale_temp_files(folder: Path, pattern: str) -> list[Path]:
    """Remove the temp files matching ``pattern`` that no live run is writing; return them.

    A temp file belongs to a live run while the process named by its PID is alive or while
    its lock is held; only those of dead (e.g. SIGKILLed) runs are removed, so two runs into
    one OUT leave each other's files alone.
    """
    removed = []
    for path in sorted(folder.glob(pattern)):
        match = _TEMP_PID.search(path.name)
        if match and _alive(int(match.group(1))):
            continue
        if _locked(path):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def _locked(path: Path) -> bool:
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True  # cannot tell: leave it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def safe_filename(doc_id: str) -> str:
    """A file name for ``doc_id`` that stays inside the output folder ("../x" -> "x")."""
    name = _UNSAFE.sub("_", doc_id).strip("._")[:150]
    if name != doc_id or not name:  # keep distinct ids distinct after cleaning; never ".json"
        digest = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = f"{name or 'doc'}-{digest}"
    return name


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and a rename.

    The rename would replace whatever ``path`` is, so a symbolic link, FIFO or device there
    (``--report /dev/null``) is refused with an OutputError instead.
    """
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(
            str(path), "is not a regular file (a link, FIFO or device?); choose another path."
        )
    with held():  # Ctrl-C waits for the rename: no temp file is left behind
        _write_atomic(path, text)


def _write_atomic(path: Path, text: str | bytes) -> None:
    fd, tmp = temp_file(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonDirWriter:
    """``OUT/<id>.json`` per document."""

    name = "json"
    encoder = staticmethod(json_file)

    def __init__(self, out: str) -> None:
        self.folder = Path(out)
        if (self.folder.exists() or self.folder.is_symlink()) and not self.folder.is_dir():
            raise OutputError(
                out, "exists and is not a folder; choose another -o, or --format jsonl."
            )
        _make_folder(self.folder, out)
        self.staging = str(self.folder.resolve())
        self.seen = SeenIds()
        self.count = 0  # files this run wrote

    def path_for(self, doc_id: str) -> Path:
        return self.folder / f"{safe_filename(doc_id)}.json"

    def write(self, record: dict[str, Any]) -> None:
        source = str(record["meta"].get("source", record["id"]))
        self.write_encoded(record["id"], source, json_file(record))

    def write_encoded(self, doc_id: str, source: str, data: bytes) -> None:
        self.seen.add(doc_id, source)
        try:
            with held():  # a Ctrl-C comes after the count, which the "interrupted" line gives
                write_atomic(self.path_for(doc_id), data)
                self.count += 1
        except OSError as error:
            raise OutputError(
                str(self.folder), f"cannot write output: {error.strerror or error}."
            ) from None

    def resume(self, doc_id: str, source: str, provenance: dict[str, str]) -> bool:
        earlier = self.earlier(str(self.folder), doc_id)
        if earlier is None or any(earlier.get(k) != provenance[k] for k in ("input", "pipeline")):
            return False
        self.seen.add(doc_id, source)
        return True

    @staticmethod
    def earlier(folder: str, doc_id: str) -> dict[str, str] | None:
        """The provenance of the output an earlier run wrote for ``doc_id`` into ``folder``."""
        try:
            with open(Path(folder) / f"{safe_filename(doc_id)}.json", "rb") as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("id") != doc_id:
            return None
        provenance = record.get("provenance")
        return provenance if isinstance(provenance, dict) else None

    @staticmethod
    def stage(folder: str, doc_id: str, data: bytes) -> str:
        """Write ``data`` to a temp file beside ``doc_id``'s output in ``folder``."""
        fd, tmp = temp_file(Path(folder) / f"{safe_filename(doc_id)}.json")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, FILE_MODE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return tmp

    def write_staged(self, doc_id: str, source: str, path: str) -> None:
        try:
            self.seen.add(doc_id, source)
        except InputError:
            Path(path).unlink(missing_ok=True)
            raise
        try:
            with held():
                os.replace(path, self.path_for(doc_id))
                self.count += 1
        except OSError as error:
            raise OutputError(
                str(self.folder), f"cannot write output: {error.strerror or error}."
            ) from None

    def cleanup(self) -> None:
        remove_stale_temp_files(self.folder, ".*.json.*.tmp")
        remove_stale_temp_files(self.folder, ".annotate-run.*.tmp")  # a run's token

    def close(self) -> None:
        pass

    def abort(self) -> int:
        return self.count


class JsonlWriter:
    """All documents in one JSON Lines file (``-o -`` writes to standard output).

    The file appears whole when the run ends (temp file, then rename); an interrupted or
    failed run leaves any earlier file as it was. ``-o`` must be a new path, a folder (for
    ``OUT/annotations.jsonl``) or an earlier annotate JSON Lines file: a FIFO, device,
    symlink or another file is refused.
    """

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")  # -o x.jsonl picks this writer (annotate.io.formats)
    encoder = staticmethod(json_line)

    def __init__(self, out: str) -> None:
        self.stdout = out == "-"
        self.tmp: str | None = None
        self.handle: IO[bytes]
        self.seen = SeenIds()
        if self.stdout:
            self.handle = sys.stdout.buffer
            return
        path = Path(out)
        if path.is_dir() and not path.is_symlink():
            path = path / "annotations.jsonl"
        _check_replaceable(path, out)
        _make_folder(path.parent, out)
        self.path = path
        remove_stale_temp_files(path.parent, f".{path.name}.*.tmp")
        fd, self.tmp = temp_file(path)
        self.handle = os.fdopen(fd, "wb")

    def write(self, record: dict[str, Any]) -> None:
        source = str(record["meta"].get("source", record["id"]))
        self.write_encoded(record["id"], source, json_line(record))

    def write_encoded(self, doc_id: str, source: str, data: bytes) -> None:
        self.seen.add(doc_id, source)
        try:
            self.handle.write(data)
            if self.stdout:
                self.handle.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            where = "-" if self.stdout else str(self.path)
            raise OutputError(where, f"cannot write output: {error.strerror or error}.") from None

    def close(self) -> None:
        if self.stdout:
            return
        try:
            self.handle.close()
            os.chmod(self.tmp, FILE_MODE)
            os.replace(self.tmp, self.path)
        except OSError as error:
            Path(self.tmp).unlink(missing_ok=True)
            raise OutputError(
                str(self.path), f"cannot write output: {error.strerror or error}."
            ) from None

    def abort(self) -> int | None:
        """Leave any earlier file as it was: none of this run's lines are kept (but those
        already on standard output)."""
        if self.stdout:
            return None
        with contextlib.suppress(OSError):
            self.handle.close()
        Path(self.tmp).unlink(missing_ok=True)
        return 0


def _make_folder(folder: Path, out: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            out, f"cannot create the output folder: {error.strerror or error}; choose another -o."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(out, "the output folder is not writable; choose another -o.")


def _check_replaceable(path: Path, out: str) -> None:
    """Refuse to replace anything but an earlier JSON Lines output (or an empty file)."""
    if path.is_symlink():
        raise OutputError(out, "is a symbolic link; give the real path, or another -o.")
    if not path.exists():
        return
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise OutputError(
            out,
            "is not a regular file (a FIFO, device or socket?); choose another -o, "
            "or -o - for standard output.",
        )
    if not _is_jsonl_output(path):
        raise OutputError(
            out,
            "exists and is not annotate JSON Lines output; choose another -o, or delete it.",
        )


def _is_jsonl_output(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
    except OSError:
        return False
    if path.stat().st_size == 0:
        return True
    return first.startswith(b'{"schema": "annotate/')


@hookimpl
def register_writers(register) -> None:
    register(JsonDirWriter)
    register(JsonlWriter)
