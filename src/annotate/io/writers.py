"""Builtin writers: one JSON file per document (``json``), or JSON Lines (``jsonl``).

A writer class has a ``name``; ``Writer(out)`` opens it, ``write(record)`` adds one document's
JSON, ``close()`` finishes. Files appear atomically (temp file, then rename), so an
interrupted run never leaves a partial file, and what was written before stays intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

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


def write_atomic(path: Path, text: str) -> None:
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


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = temp_file(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonDirWriter:
    """``OUT/<id>.json`` per document."""

    name = "json"

    def __init__(self, out: str) -> None:
        self.folder = Path(out)
        if (self.folder.exists() or self.folder.is_symlink()) and not self.folder.is_dir():
            raise OutputError(
                out, "exists and is not a folder; choose another -o, or --format jsonl."
            )
        _make_folder(self.folder, out)
        self.written: dict[str, str] = {}
        self.count = 0  # files this run wrote

    def path_for(self, doc_id: str) -> Path:
        return self.folder / f"{safe_filename(doc_id)}.json"

    def write(self, record: dict[str, Any]) -> None:
        doc_id = record["id"]
        if doc_id in self.written:
            raise InputError(
                record["meta"].get("source", doc_id),
                f"duplicate document id '{doc_id}' (also in {self.written[doc_id]}); "
                "give each document its own `id`.",
            )
        text = dumps(record, indent=2) + "\n"
        self.written[doc_id] = record["meta"].get("source", doc_id)
        try:
            with held():  # a Ctrl-C comes after the count, which the "interrupted" line gives
                write_atomic(self.path_for(doc_id), text)
                self.count += 1
        except OSError as error:
            raise OutputError(
                str(self.folder), f"cannot write output: {error.strerror or error}."
            ) from None

    def close(self) -> None:
        pass


class JsonlWriter:
    """All documents in one JSON Lines file (``-o -`` writes to standard output).

    The file appears whole when the run ends (temp file, then rename); an interrupted or
    failed run leaves any earlier file as it was. ``-o`` must be a new path, a folder (for
    ``OUT/annotations.jsonl``) or an earlier annotate JSON Lines file: a FIFO, device,
    symlink or another file is refused.
    """

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")  # -o x.jsonl picks this writer (annotate.io.formats)

    def __init__(self, out: str) -> None:
        self.stdout = out == "-"
        self.discards_on_abort = not self.stdout
        self.tmp: str | None = None
        self.handle: IO[str]
        self.seen: dict[str, str] = {}
        if self.stdout:
            self.handle = sys.stdout
            return
        path = Path(out)
        if path.is_dir() and not path.is_symlink():
            path = path / "annotations.jsonl"
        _check_replaceable(path, out)
        _make_folder(path.parent, out)
        self.path = path
        remove_stale_temp_files(path.parent, f".{path.name}.*.tmp")
        fd, self.tmp = temp_file(path)
        self.handle = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        doc_id = record["id"]
        source = record["meta"].get("source", doc_id)
        if doc_id in self.seen:
            raise InputError(
                source,
                f"duplicate document id '{doc_id}' (also in {self.seen[doc_id]}); "
                "give each document its own `id`.",
            )
        text = dumps(record) + "\n"
        self.seen[doc_id] = source
        try:
            self.handle.write(text)
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

    def abort(self) -> None:
        if not self.stdout:
            with contextlib.suppress(OSError):
                self.handle.close()
            Path(self.tmp).unlink(missing_ok=True)


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
