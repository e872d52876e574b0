"""Load annotate output records into the corpus database, incrementally.

One loop serves ``annotate index`` (records read from output files) and the ``duckdb``
writer (records from ``annotate run``): ``CorpusStore.add(record)`` skips a document whose
input hash and pipeline fingerprint the database already holds, and replaces one whose
either changed. Rows are buffered, written as JSON Lines to a temp folder and loaded with
DuckDB's ``read_json`` in one transaction per batch (much faster than row-by-row inserts), so
memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import bisect
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.analytics import schema
from annotate.analytics.aliases import build_aliases
from annotate.cache import digest
from annotate.errors import ConfigError, InputError
from annotate.export import output_files
from annotate.model import READABLE_SCHEMAS, SCHEMA

BATCH_DOCS = 1000
_MAX_OBJECT = 1 << 30  # read_json's limit per line: a document's annotations, in bytes

_COLUMNS = {
    "documents": {
        "id": "VARCHAR",
        "date": "VARCHAR",
        "title": "VARCHAR",
        "source": "VARCHAR",
        "words": "INTEGER",
        "input_hash": "VARCHAR",
        "pipeline": "VARCHAR",
        "path": "VARCHAR",
        "stance_label": "VARCHAR",
        "collaboration": "DOUBLE",
        "competition": "DOUBLE",
        "annotators": "JSON",
        "meta": "JSON",
        "document": "JSON",
    },
    "annotations": {
        "doc_id": "VARCHAR",
        "a": 'STRUCT(id VARCHAR, layer VARCHAR, label VARCHAR, start INTEGER, "end" INTEGER, '
        "text VARCHAR, attrs JSON, sources VARCHAR[])[]",
    },
    "doc_pairs": {
        "doc_id": "VARCHAR",
        "name_a": "VARCHAR",
        "name_b": "VARCHAR",
        "label": "VARCHAR",
        "collaboration": "DOUBLE",
        "competition": "DOUBLE",
        "trend": "VARCHAR",
        "evidence": "INTEGER",
        "evidence_spans": "JSON",
    },
    "money_orgs": {"doc_id": "VARCHAR", "id": "VARCHAR", "name": "VARCHAR"},
}
_SELECT = {
    "documents": "SELECT id, TRY_CAST(left(date, 10) AS DATE), title, source, words, input_hash, "
    "pipeline, path, stance_label, collaboration, competition, annotators, meta, document FROM src",
    "annotations": 'SELECT doc_id, x.id, x.layer, x.label, x.start, x."end", x.text, x.attrs, '
    "x.sources FROM (SELECT doc_id, unnest(a) AS x FROM src)",
    "doc_pairs": "SELECT * FROM src",
    "money_orgs": "SELECT * FROM src",
}


def connect(db: str | Path, read_only: bool = False) -> Any:
    """A DuckDB connection to ``db`` with the schema in place (created when writable)."""
    import duckdb

    path = Path(db)
    if read_only and not path.exists():
        raise ConfigError(
            f"{db}: no such database; build it with `annotate index OUT --db {db}` "
            f"or `annotate run ... --format duckdb -o {db}`."
        )
    if not read_only:
        if path.is_dir():
            raise ConfigError(f"{db}: is a folder; give --db a file name, e.g. corpus.duckdb.")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        raise ConfigError(f"{db}: cannot open the database: {error}") from None
    if not read_only:
        schema.create(con)
    elif not con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'documents'"
    ).fetchone()[0]:
        con.close()
        raise ConfigError(f"{db}: is not an annotate corpus database (no `documents` table).")
    return con


@dataclass
class IndexResult:
    """What loading did: documents added, replaced, unchanged, removed; problems."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.added + self.replaced


class CorpusStore:
    """Adds output records to the database behind ``con``; ``close()`` finishes the job."""

    def __init__(self, con: Any, batch_docs: int = BATCH_DOCS) -> None:
        self.con = con
        self.batch_docs = batch_docs
        self.known: dict[str, tuple[str, str]] = {
            doc_id: (input_hash, pipeline)
            for doc_id, input_hash, pipeline in con.execute(
                "SELECT id, input_hash, pipeline FROM documents"
            ).fetchall()
        }
        self.seen: set[str] = set()
        self.result = IndexResult()
        self._tmp = Path(tempfile.mkdtemp(prefix="annotate-index-"))
        self._rows: dict[str, list[str]] = {table: [] for table in _COLUMNS}
        self._replace: list[str] = []

    def add(
        self, record: Mapping[str, Any], path: str | None = None, where: str | None = None
    ) -> str:
        """Queue one output record (read from the file ``path``, at ``where``); ``added``,
        ``replaced`` or ``unchanged``."""
        where = where or path or str(record.get("id") if isinstance(record, Mapping) else None)
        doc_id = record.get("id") if isinstance(record, Mapping) else None
        if not isinstance(doc_id, str) or record.get("schema") not in READABLE_SCHEMAS:
            raise InputError(where, f'is not annotate output (no "schema": "{SCHEMA}" and "id").')
        if doc_id in self.seen:
            raise InputError(where, f"document id '{doc_id}' appears twice; the first one is kept.")
        self.seen.add(doc_id)
        identity = fingerprint(record)
        before = self.known.get(doc_id)
        if before == identity:
            self.result.unchanged += 1
            return "unchanged"
        if before is not None:
            self._replace.append(doc_id)
            self.result.replaced += 1
        else:
            self.result.added += 1
        self.known[doc_id] = identity
        for table, row in document_rows(record, identity, path):
            self._rows[table].append(row)
        if len(self._rows["documents"]) >= self.batch_docs:
            self.flush()
        return "replaced" if before is not None else "added"

    def flush(self) -> None:
        """Write the queued documents in one transaction."""
        if not self._rows["documents"]:
            return
        files = {}
        for table, rows in self._rows.items():
            files[table] = self._tmp / f"{table}.jsonl"
            files[table].write_text("".join(rows), encoding="utf-8")
        con = self.con
        con.begin()
        try:
            if self._replace:
                for table, column in schema.DOC_TABLES.items():
                    con.execute(
                        f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[]))",
                        [self._replace],
                    )
            for table, file in files.items():
                if file.stat().st_size:
                    con.execute(f"INSERT INTO {table} {_from_json(table, file)}")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        self._rows = {table: [] for table in _COLUMNS}
        self._replace = []

    def prune(self) -> int:
        """Remove the documents not added in this session (not among the inputs)."""
        gone = sorted(set(self.known) - self.seen)
        if gone:
            self.flush()
            self.con.begin()
            for table, column in schema.DOC_TABLES.items():
                self.con.execute(
                    f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[]))", [gone]
                )
            self.con.commit()
            for doc_id in gone:
                del self.known[doc_id]
        self.result.removed += len(gone)
        return len(gone)

    def close(self, overrides: Mapping[str, str] | None = None) -> IndexResult:
        """Flush, rebuild the corpus alias table (``overrides`` replace the stored ones)."""
        try:
            self.flush()
            rebuild_aliases(self.con, overrides)
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
        return self.result

    def discard(self) -> None:
        """Leave without writing what is queued (the database keeps earlier batches)."""
        shutil.rmtree(self._tmp, ignore_errors=True)


def _from_json(table: str, file: Path) -> str:
    columns = ", ".join(f"{json.dumps(k)}: '{v}'" for k, v in _COLUMNS[table].items())
    path = str(file).replace("'", "''")
    source = (
        f"read_json('{path}', format = 'newline_delimited', columns = {{{columns}}}, "
        f"maximum_object_size = {_MAX_OBJECT})"
    )
    return f"WITH src AS (SELECT * FROM {source}) {_SELECT[table]}"


def fingerprint(record: Mapping[str, Any]) -> tuple[str, str]:
    """``(input hash, pipeline)`` from ``provenance`` (``meta.fingerprint`` in annotate/v1);
    for output written without one, hashes of the text and meta, and of the annotators."""
    meta = record.get("meta") or {}
    found = record.get("provenance")
    if not isinstance(found, dict) and isinstance(meta, dict):
        found = meta.get("fingerprint")
    if isinstance(found, dict) and found.get("input") and found.get("pipeline"):
        return str(found["input"]), str(found["pipeline"])
    plain = {k: v for k, v in meta.items() if k != "fingerprint"} if isinstance(meta, dict) else {}
    return (
        digest([record.get("id"), record.get("text"), plain]),
        digest(record.get("annotators")),
    )


def _line(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"


def document_rows(
    record: Mapping[str, Any], identity: tuple[str, str], path: str | None = None
) -> Iterator[tuple[str, str]]:
    """``(table, JSON line)`` for every row one output record gives."""
    doc_id = record["id"]
    meta = record.get("meta") or {}
    document = record.get("document") or {}
    stance = document.get("stance") if isinstance(document, dict) else None
    stance = stance if isinstance(stance, dict) else {}
    text = record.get("text") or ""
    annotations = [a for a in record.get("annotations") or () if isinstance(a, dict)]
    date = meta.get("date")
    yield (
        "documents",
        _line(
            {
                "id": doc_id,
                "date": str(date) if date is not None else None,
                "title": meta.get("title"),
                "source": meta.get("source"),
                "words": len(text.split()),
                "input_hash": identity[0],
                "pipeline": identity[1],
                "path": path,
                "stance_label": stance.get("label"),
                "collaboration": stance.get("collaboration"),
                "competition": stance.get("competition"),
                "annotators": record.get("annotators") or {},
                "meta": meta,
                "document": document,
            }
        ),
    )
    if annotations:
        yield "annotations", _line({"doc_id": doc_id, "a": annotations})
    for pair in stance.get("pairs") or ():
        orgs = [*(pair.get("orgs") or ()), None, None]
        evidence = pair.get("evidence") or []
        row = {
            "doc_id": doc_id,
            "name_a": orgs[0],
            "name_b": orgs[1],
            "label": pair.get("label"),
            "collaboration": pair.get("collaboration"),
            "competition": pair.get("competition"),
            "trend": pair.get("trend"),
            "evidence": len(evidence),
            "evidence_spans": evidence,
        }
        yield "doc_pairs", _line(row)
    for money_id, name in attribute_money(text, annotations):
        yield "money_orgs", _line({"doc_id": doc_id, "id": money_id, "name": name})


# A sentence ends at a line break, or at . ! ? (and closing quotes) before a space and an
# upper-case letter, digit or quote, unless the word before is an abbreviation ("Corp.").
_SENTENCE_END = re.compile(r"\n+|(?<=[.!?])[\"”’')]?\s+(?=[A-Z0-9\"“‘'(])")
_ABBREVIATIONS = frozenset(
    "inc corp co ltd plc mr mrs ms dr st jr sr no vs u.s u.k e.g i.e jan feb mar apr jun jul "
    "aug sep sept oct nov dec".split()
)


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        before = text[max(0, match.start() - 60) : match.start()].rstrip("\"”’')")
        word = before.rsplit(None, 1)[-1] if before.strip() else ""
        if match.group().strip() or word.rstrip(".").casefold() not in _ABBREVIATIONS:
            starts.append(match.end())
    return starts


def attribute_money(text: str, annotations: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """``(money id, organisation name)``: the organisation of each amount, by position.

    The nearest organisation (``entities`` ``ORG``, by canonical name) before the amount in
    its sentence, else the nearest after it in the sentence; amounts with none are left out.
    """
    money = [a for a in annotations if a.get("layer") == "money"]
    if not money:
        return
    orgs = sorted(
        (a["start"], a["end"], (a.get("attrs") or {}).get("canonical") or a.get("text"))
        for a in annotations
        if a.get("layer") == "entities" and a.get("label") == "ORG"
    )
    if not orgs:
        return
    starts = _sentence_starts(text)
    for amount in money:
        i = bisect.bisect_right(starts, amount["start"]) - 1
        low = starts[i]
        high = starts[i + 1] if i + 1 < len(starts) else len(text) + 1
        before = [o for o in orgs if low <= o[0] and o[1] <= amount["start"]]
        after = [o for o in orgs if amount["end"] <= o[0] < high]
        chosen = before[-1] if before else (after[0] if after else None)
        if chosen is not None and chosen[2] and amount.get("id"):
            yield amount["id"], chosen[2]


def rebuild_aliases(con: Any, overrides: Mapping[str, str] | None = None) -> None:
    """Recompute the ``aliases`` table from the organisation names in the database."""
    con.begin()
    try:
        if overrides is not None:
            con.execute("DELETE FROM alias_overrides")
            if overrides:
                names, orgs = zip(*sorted(overrides.items()), strict=True)
                con.execute(
                    "INSERT INTO alias_overrides SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                    [list(names), list(orgs)],
                )
        stored = dict(con.execute("SELECT name, org FROM alias_overrides").fetchall())
        counts = con.execute(
            """
            SELECT attrs->>'canonical', count(*) FROM annotations
            WHERE layer = 'entities' AND label = 'ORG' AND attrs->>'canonical' IS NOT NULL
            GROUP BY ALL
            UNION ALL SELECT name_a, 0 FROM doc_pairs WHERE name_a IS NOT NULL GROUP BY ALL
            UNION ALL SELECT name_b, 0 FROM doc_pairs WHERE name_b IS NOT NULL GROUP BY ALL
            UNION ALL SELECT name, 0 FROM money_orgs GROUP BY ALL
            """
        ).fetchall()
        rows = build_aliases(counts, stored)
        con.execute("DELETE FROM aliases")
        if rows:
            names, orgs, origins = (list(column) for column in zip(*rows, strict=True))
            con.execute(
                "INSERT INTO aliases SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[])",
                [names, orgs, origins],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise


# ---- reading output files -------------------------------------------------------------------


Record = tuple[str, str, Any]  # (where: file or "file, line N", file, record or InputError)


def read_records(paths: Iterable[str | Path]) -> Iterator[Record]:
    """``(where, file, record)`` for every output record under ``paths``, streamed; a file or
    line that cannot be read gives an InputError as its record, and the rest goes on."""
    for path in paths:
        try:
            files = output_files(Path(path))
        except InputError as error:
            yield str(path), str(path), error
            continue
        for file in files:
            if file.suffix == ".jsonl":
                yield from _jsonl_records(file)
                continue
            try:
                record = json.loads(file.read_bytes())
            except (OSError, ValueError) as error:
                problem = InputError(str(file), f"cannot read annotate output: {error}")
                yield str(file), str(file), problem
                continue
            yield str(file), str(file), record


def _jsonl_records(file: Path) -> Iterator[Record]:
    try:
        handle = file.open(encoding="utf-8")
    except OSError as error:
        yield str(file), str(file), InputError(str(file), f"cannot read annotate output: {error}")
        return
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{file}, line {number}"
            try:
                yield where, str(file), json.loads(line)
            except ValueError as error:
                yield where, str(file), InputError(where, f"not valid JSON: {error}")


def index_outputs(
    paths: Iterable[str | Path],
    db: str | Path,
    *,
    overrides: Mapping[str, str] | None = None,
    prune: bool = False,
    report: Callable[[str], None] | None = None,
    batch_docs: int = BATCH_DOCS,
) -> IndexResult:
    """Load the output under ``paths`` into ``db``: the plain function behind ``annotate index``.

    Unchanged documents are skipped, changed ones replaced; ``prune`` removes documents that
    are not among the inputs. ``report`` receives one line per unreadable record.
    """
    con = connect(db)
    store = CorpusStore(con, batch_docs)
    try:
        for where, file, record in read_records(paths):
            try:
                if isinstance(record, InputError):
                    raise record
                store.add(record, file, where)
            except InputError as error:
                store.result.problems.append(str(error))
                if report is not None:
                    report(str(error))
        if prune:
            store.prune()
        return store.close(overrides)
    except BaseException:
        store.discard()
        raise
    finally:
        con.close()


def export_parquet(con: Any, folder: str | Path) -> list[Path]:
    """Write the tables and views as Parquet under ``folder``, partitioned by document month
    (``doc_month=YYYY-MM``, ``unknown`` when a document has no date); its subfolders."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def month(table: str) -> str:
        return f"coalesce(strftime({table}.date, '%Y-%m'), 'unknown') AS doc_month"

    queries = {
        "documents": f"SELECT t.*, {month('t')} FROM documents t",
        "annotations": f"SELECT t.*, {month('d')} FROM annotations t "
        "JOIN documents d ON d.id = t.doc_id",
    }
    for view in schema.VIEW_NAMES:
        queries[view] = f"SELECT t.*, {month('t')} FROM {view} t"
    written = []
    for name, query in queries.items():
        target = folder / name
        where = str(target).replace("'", "''")
        con.execute(
            f"COPY ({query}) TO '{where}' "
            "(FORMAT parquet, PARTITION_BY (doc_month), OVERWRITE true)"
        )
        written.append(target)
    aliases = folder / "aliases.parquet"
    con.execute(f"COPY aliases TO '{str(aliases).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
    written.append(aliases)
    return written
