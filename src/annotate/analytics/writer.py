"""The ``duckdb`` writer: ``annotate run ... --format duckdb -o corpus.duckdb`` loads each
document straight into the corpus database, through the same hook as any writer plugin.

It shares ``CorpusStore`` with ``annotate index``: a document already in the database with
the same input hash and pipeline is left as it is, a changed one is replaced. Batches are
committed as they fill, so an interrupted run keeps what it finished.

The ``parquet`` writer (``--format parquet -o DIR``) loads into a temporary database the same
way and writes its tables as Parquet partitioned by month when the run ends, so a run on a
Dask cluster lands straight in Parquet.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from annotate.hookspecs import hookimpl


class DuckDBWriter:
    """All documents into the DuckDB database file ``out`` (created when missing)."""

    name = "duckdb"
    suffixes = (".duckdb", ".ddb")  # -o corpus.duckdb picks this writer (annotate.io.formats)

    def __init__(self, out: str) -> None:
        from annotate.analytics.store import CorpusStore, connect

        self.out = out
        self.con = connect(out)
        self.store = CorpusStore(self.con)

    def write(self, record: dict[str, Any]) -> None:
        self.store.add(record, where=str(record.get("meta", {}).get("source") or record["id"]))

    def close(self) -> None:
        try:
            self.store.close()
        finally:
            self.con.close()

    def abort(self) -> None:
        """Keep the documents annotated so far (each batch is one transaction)."""
        try:
            self.store.close()
        except Exception:
            self.store.discard()
        finally:
            self.con.close()


class ParquetWriter(DuckDBWriter):
    """All documents as Parquet tables in the folder ``out`` (see docs/analytics.md)."""

    name = "parquet"
    suffixes = ()  # a folder: only with --format parquet

    def __init__(self, out: str) -> None:
        from annotate.errors import InputError

        if Path(out).exists() and not Path(out).is_dir():
            raise InputError(out, "exists and is not a folder; give -o a folder for Parquet.")
        self.folder = Path(out)
        self.tmp = Path(tempfile.mkdtemp(prefix="annotate-parquet-"))
        super().__init__(str(self.tmp / "corpus.duckdb"))

    def close(self) -> None:
        from annotate.analytics.store import export_parquet

        try:
            self.store.close()
            export_parquet(self.con, self.folder)
        finally:
            self.con.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def abort(self) -> None:
        self.store.discard()
        self.con.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@hookimpl
def register_writers(register) -> None:
    register(DuckDBWriter)
    register(ParquetWriter)
