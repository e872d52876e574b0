"""The ``duckdb`` writer: ``annotate run ... --format duckdb -o corpus.duckdb`` loads each
document straight into the corpus database, through the same hook as any writer plugin.

It shares ``CorpusStore`` with ``annotate index``: a document already in the database with
the same input hash and pipeline is left as it is, a changed one is replaced. Batches are
committed as they fill, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

from typing import Any

from annotate.hookspecs import hookimpl


class DuckDBWriter:
    """All documents into the DuckDB database file ``out`` (created when missing)."""

    name = "duckdb"

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


@hookimpl
def register_writers(register) -> None:
    register(DuckDBWriter)
