"""The output format of ``annotate run``: ``--format NAME``, else inferred from ``-o``.

A writer class (registered through ``register_writers``) may declare ``suffixes``, e.g.
``(".jsonl",)``: ``-o x.jsonl`` then picks it without ``--format``. A plugin's writer extends
the mapping the same way (``suffixes = (".duckdb",)``). Anything else is a folder of
``<id>.json`` files (the ``json`` writer), and ``-o -`` is JSON Lines on standard output.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotate.names import check_names
from annotate.registry import Entry

DEFAULT = "json"
STDOUT = "jsonl"


def suffix_table(writers: Mapping[str, Entry]) -> dict[str, str]:
    """File suffix (lower case, with its dot) -> writer name."""
    return {
        suffix.lower(): name
        for name, entry in sorted(writers.items())
        for suffix in getattr(entry.obj, "suffixes", ())
    }


def writer_name(out: str, format: str | None, writers: Mapping[str, Entry]) -> str:
    """The writer for ``-o out``: ``format`` if given (checked), else by ``out``'s suffix."""
    if format is not None:
        check_names([format], writers, "output format")
        return format
    if out == "-":
        return STDOUT
    return suffix_table(writers).get(Path(out).suffix.lower(), DEFAULT)


def writer_class(out: str, format: str | None, writers: Mapping[str, Entry]) -> Any:
    return writers[writer_name(out, format, writers)].obj
