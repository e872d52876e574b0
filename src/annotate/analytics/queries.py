"""Named queries over the corpus database (``annotate query NAME ...``), and running SQL.

Each named query is plain SQL over the documented views with ``$name`` parameters: its
positional arguments (organisation names, resolved through the corpus alias table) and
``$top``. ``annotate query --list`` prints them; docs/analytics.md shows their SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotate.analytics.aliases import normalise
from annotate.errors import ConfigError, available

# A pair's or a month's label from its summed scores: the stance annotator's rule (mixed
# when the weaker side has at least 25 % of the two).
LABEL_SQL = """CASE WHEN {col} + {comp} = 0 THEN 'neutral'
     WHEN least({col}, {comp}) / ({col} + {comp}) >= 0.25 THEN 'mixed'
     WHEN {col} > {comp} THEN 'collaboration' ELSE 'competition' END"""


def _label(col: str = "sum(collaboration)", comp: str = "sum(competition)") -> str:
    return LABEL_SQL.format(col=col, comp=comp)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    help: str
    sql: str
    args: tuple[str, ...] = ()  # organisation names, in order
    top: bool = True  # takes --top

    @property
    def usage(self) -> str:
        names = " ".join(f'"{a.upper()}"' for a in self.args)
        return f"{self.name} {names}".strip() + (" [--top N]" if self.top else "")


NAMED: dict[str, NamedQuery] = {
    q.name: q
    for q in (
        NamedQuery(
            "summary",
            "Documents, annotations per layer, organisations and stance pairs in the database.",
            """
            SELECT 'documents' AS what, count(*) AS count FROM documents
            UNION ALL SELECT 'annotations: ' || layer, count(*) FROM annotations GROUP BY layer
            UNION ALL SELECT 'organisations', count(DISTINCT corpus_key) FROM entities
                      WHERE label = 'ORG'
            UNION ALL SELECT 'stance pairs', count(*) FROM stance_pairs
            """,
            top=False,
        ),
        NamedQuery(
            "orgs",
            "Organisations ranked by mentions, with the documents naming them.",
            """
            SELECT corpus_key AS organisation, count(*) AS mentions,
                   count(DISTINCT doc_id) AS documents, min(date) AS first, max(date) AS last
            FROM entities WHERE label = 'ORG' AND corpus_key IS NOT NULL
            GROUP BY corpus_key ORDER BY mentions DESC, organisation LIMIT $top
            """,
        ),
        NamedQuery(
            "pairs",
            "The strongest organisation pairs: evidence sentences, summed scores, overall label.",
            f"""
            SELECT org_a, org_b, count(*) AS documents, sum(evidence) AS evidence,
                   round(sum(collaboration), 3) AS collaboration,
                   round(sum(competition), 3) AS competition,
                   {_label()} AS label, min(date) AS first, max(date) AS last
            FROM stance_pairs WHERE org_a <> org_b
            GROUP BY org_a, org_b ORDER BY evidence DESC, documents DESC, org_a, org_b LIMIT $top
            """,
        ),
        NamedQuery(
            "timeline",
            "One pair month by month: documents, evidence, collaboration vs competition.",
            f"""
            SELECT month, count(*) AS documents, sum(evidence) AS evidence,
                   round(sum(collaboration), 3) AS collaboration,
                   round(sum(competition), 3) AS competition, {_label()} AS label
            FROM stance_pairs WHERE org_a = least($a, $b) AND org_b = greatest($a, $b)
            GROUP BY month ORDER BY month NULLS LAST
            """,
            args=("a", "b"),
            top=False,
        ),
        NamedQuery(
            "partners",
            "One organisation's counterparts: who it collaborates and competes with.",
            f"""
            SELECT CASE WHEN org_a = $a THEN org_b ELSE org_a END AS counterpart,
                   count(*) AS documents, sum(evidence) AS evidence,
                   round(sum(collaboration), 3) AS collaboration,
                   round(sum(competition), 3) AS competition, {_label()} AS label
            FROM stance_pairs WHERE (org_a = $a OR org_b = $a) AND org_a <> org_b
            GROUP BY counterpart ORDER BY evidence DESC, counterpart LIMIT $top
            """,
            args=("a",),
        ),
        NamedQuery(
            "evidence",
            "The evidence sentences of one pair, newest first.",
            """
            SELECT p.date, p.doc_id, s.label, s.text
            FROM (SELECT doc_id, date,
                         unnest(from_json(evidence_spans, '[["INTEGER"]]')) AS span
                  FROM stance_pairs
                  WHERE org_a = least($a, $b) AND org_b = greatest($a, $b)) p
            JOIN stance_sentences s
              ON s.doc_id = p.doc_id AND s.start = p.span[1] AND s."end" = p.span[2]
            ORDER BY p.date DESC NULLS LAST, p.doc_id, s.start LIMIT $top
            """,
            args=("a", "b"),
        ),
        NamedQuery(
            "money",
            "Money announced per organisation and currency (amounts; rates such as "
            "'$20 a share' left out).",
            """
            SELECT org AS organisation, currency, count(*) AS amounts,
                   count(DISTINCT doc_id) AS documents, sum(amount) AS total
            FROM money WHERE org IS NOT NULL AND per IS NULL AND amount IS NOT NULL
            GROUP BY org, currency ORDER BY total DESC, organisation LIMIT $top
            """,
        ),
        NamedQuery(
            "documents",
            "The documents naming one organisation, by mentions.",
            """
            SELECT e.doc_id, d.date, d.title, count(*) AS mentions
            FROM entities e JOIN documents d ON d.id = e.doc_id
            WHERE e.label = 'ORG' AND e.corpus_key = $a
            GROUP BY ALL ORDER BY mentions DESC, d.date DESC NULLS LAST LIMIT $top
            """,
            args=("a",),
        ),
    )
}


def resolve_org(con: Any, name: str) -> str:
    """The corpus name of the organisation the user typed (any spelling the alias table
    knows, any case); the name itself when the database has no such organisation."""
    rows = con.execute(
        "SELECT DISTINCT name, org FROM aliases WHERE lower(org) = lower($n) OR lower(name) = "
        "lower($n)",
        {"n": name},
    ).fetchall()
    exact = sorted({org for _, org in rows if org == name})
    if exact:
        return exact[0]
    if rows:
        return sorted({org for _, org in rows})[0]
    key = normalise(name)
    for candidate, org in con.execute("SELECT name, org FROM aliases").fetchall():
        if normalise(candidate) == key:
            return org
    return name


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_named(con: Any, name: str, args: Sequence[str] = (), top: int = 20) -> Result:
    """Run the named query ``name`` with organisation names ``args``."""
    if name not in NAMED:
        raise ConfigError(f"no named query '{name}'. {available(NAMED)}")
    query = NAMED[name]
    if len(args) != len(query.args):
        raise ConfigError(
            f"query {name} takes {len(query.args)} name(s), got {len(args)}: "
            f"annotate query {query.usage}"
        )
    params: dict[str, Any] = {
        key: resolve_org(con, value) for key, value in zip(query.args, args, strict=True)
    }
    if query.top:
        params["top"] = top
    return run_sql(con, query.sql, params)


def run_sql(con: Any, sql: str, params: dict[str, Any] | None = None) -> Result:
    """Run ``sql``; a DuckDB error becomes a ConfigError naming the tables and views."""
    import duckdb

    try:
        cursor = con.execute(sql, params or None)
        if cursor.description is None:
            return Result([], [])
        columns = [c[0] for c in cursor.description]
        return Result(columns, cursor.fetchall())
    except duckdb.Error as error:
        message = str(error).strip().splitlines()[0]
        raise ConfigError(
            f"query failed: {message}. Tables: documents, annotations; views: entities, money, "
            "dates, stance_sentences, stance_pairs (docs/analytics.md); named queries: "
            "`annotate query --list`."
        ) from None


def plain(value: Any) -> Any:
    """A JSON-friendly value: dates as ISO strings, decimals as floats, JSON text parsed."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(
            [json.dumps(plain(v)) if isinstance(v, list | dict) else plain(v) for v in row]
        )
    return buffer.getvalue()


def to_json(result: Result) -> str:
    records = [dict(zip(result.columns, map(plain, row), strict=True)) for row in result.rows]
    return json.dumps(records, ensure_ascii=False, indent=2)


def show(value: Any) -> str:
    """A cell for the terminal table."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(plain(value))
