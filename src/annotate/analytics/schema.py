"""The database: two tables mirroring the JSON output, helper tables, and typed views.

``documents`` and ``annotations`` hold exactly what the output files hold (``attrs`` as JSON);
``doc_pairs`` the organisation pairs of ``document.stance.pairs``; ``money_orgs`` the
organisation each amount is attributed to; ``aliases`` the corpus-wide name of each
organisation name. The views turn them into typed columns. docs/analytics.md describes them.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

TABLES = """
CREATE TABLE IF NOT EXISTS info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS documents (
    id VARCHAR NOT NULL,
    date DATE,
    title VARCHAR,
    source VARCHAR,
    words INTEGER,
    input_hash VARCHAR,
    pipeline VARCHAR,
    path VARCHAR,
    stance_label VARCHAR,
    collaboration DOUBLE,
    competition DOUBLE,
    annotators JSON,
    meta JSON,
    document JSON
);
CREATE TABLE IF NOT EXISTS annotations (
    doc_id VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    layer VARCHAR,
    label VARCHAR,
    start INTEGER,
    "end" INTEGER,
    text VARCHAR,
    attrs JSON,
    sources VARCHAR[]
);
CREATE TABLE IF NOT EXISTS doc_pairs (
    doc_id VARCHAR NOT NULL,
    name_a VARCHAR,
    name_b VARCHAR,
    label VARCHAR,
    collaboration DOUBLE,
    competition DOUBLE,
    trend VARCHAR,
    evidence INTEGER,
    evidence_spans JSON
);
CREATE TABLE IF NOT EXISTS money_orgs (doc_id VARCHAR NOT NULL, id VARCHAR NOT NULL, name VARCHAR);
CREATE TABLE IF NOT EXISTS aliases (name VARCHAR PRIMARY KEY, org VARCHAR, origin VARCHAR);
CREATE TABLE IF NOT EXISTS alias_overrides (name VARCHAR PRIMARY KEY, org VARCHAR);
"""

VIEWS = """
CREATE OR REPLACE VIEW entities AS
SELECT a.doc_id, a.id, a.label, a.start, a."end", a.text,
       a.attrs->>'canonical' AS canonical,
       a.attrs->>'entity_id' AS entity_id,
       a.attrs->>'method' AS method,
       coalesce(al.org, a.attrs->>'canonical') AS corpus_key,
       d.date, date_trunc('month', d.date)::DATE AS month
FROM annotations a
JOIN documents d ON d.id = a.doc_id
LEFT JOIN aliases al ON al.name = a.attrs->>'canonical'
WHERE a.layer = 'entities';

CREATE OR REPLACE VIEW money AS
SELECT a.doc_id, a.id, a.label, a.start, a."end", a.text,
       a.attrs->>'currency' AS currency,
       TRY_CAST(a.attrs->>'value' AS DOUBLE) AS value,
       TRY_CAST(a.attrs->>'min' AS DOUBLE) AS min,
       TRY_CAST(a.attrs->>'max' AS DOUBLE) AS max,
       coalesce(TRY_CAST(a.attrs->>'approx' AS BOOLEAN), false) AS approx,
       a.attrs->>'per' AS per,
       coalesce(TRY_CAST(a.attrs->>'value' AS DOUBLE),
                (TRY_CAST(a.attrs->>'min' AS DOUBLE) + TRY_CAST(a.attrs->>'max' AS DOUBLE)) / 2,
                TRY_CAST(a.attrs->>'max' AS DOUBLE),
                TRY_CAST(a.attrs->>'min' AS DOUBLE)) AS amount,
       m.name AS org_name,
       coalesce(al.org, m.name) AS org,
       d.date, date_trunc('month', d.date)::DATE AS month
FROM annotations a
JOIN documents d ON d.id = a.doc_id
LEFT JOIN money_orgs m ON m.doc_id = a.doc_id AND m.id = a.id
LEFT JOIN aliases al ON al.name = m.name
WHERE a.layer = 'money';

CREATE OR REPLACE VIEW dates AS
SELECT a.doc_id, a.id, a.label AS type, a.attrs->>'value' AS value,
       TRY_CAST(left(a.attrs->>'start', 10) AS DATE) AS start,
       TRY_CAST(left(a.attrs->>'end', 10) AS DATE) AS "end",
       a.attrs->>'granularity' AS granularity,
       a.attrs->>'mod' AS mod,
       a.start AS char_start, a."end" AS char_end, a.text,
       d.date, date_trunc('month', d.date)::DATE AS month
FROM annotations a
JOIN documents d ON d.id = a.doc_id
WHERE a.layer = 'dates';

CREATE OR REPLACE VIEW stance_sentences AS
SELECT a.doc_id, a.id, a.start, a."end", a.text, a.label,
       TRY_CAST(a.attrs->>'collaboration' AS DOUBLE) AS collaboration,
       TRY_CAST(a.attrs->>'competition' AS DOUBLE) AS competition,
       TRY_CAST(a.attrs->'targets' AS VARCHAR[]) AS targets,
       a.attrs->>'trend' AS trend,
       coalesce(TRY_CAST(a.attrs->>'negated' AS BOOLEAN), false) AS negated,
       coalesce(TRY_CAST(a.attrs->>'hedged' AS BOOLEAN), false) AS hedged,
       d.date, date_trunc('month', d.date)::DATE AS month
FROM annotations a
JOIN documents d ON d.id = a.doc_id
WHERE a.layer = 'stance';

CREATE OR REPLACE VIEW stance_pairs AS
WITH keyed AS (
    SELECT p.*, coalesce(a1.org, p.name_a) AS key_a, coalesce(a2.org, p.name_b) AS key_b
    FROM doc_pairs p
    LEFT JOIN aliases a1 ON a1.name = p.name_a
    LEFT JOIN aliases a2 ON a2.name = p.name_b
)
SELECT k.doc_id, d.date, date_trunc('month', d.date)::DATE AS month,
       least(k.key_a, k.key_b) AS org_a, greatest(k.key_a, k.key_b) AS org_b,
       k.label, k.collaboration, k.competition, k.trend, k.evidence,
       k.name_a, k.name_b, k.evidence_spans
FROM keyed k
JOIN documents d ON d.id = k.doc_id;
"""

#: Tables holding one document's rows, each with its document id column.
DOC_TABLES = {
    "documents": "id",
    "annotations": "doc_id",
    "doc_pairs": "doc_id",
    "money_orgs": "doc_id",
}
VIEW_NAMES = ("entities", "money", "dates", "stance_sentences", "stance_pairs")


def create(con) -> None:
    """Create what is missing (tables, then views) in the DuckDB connection ``con``."""
    con.execute(TABLES)
    con.execute(VIEWS)
    con.execute("INSERT OR REPLACE INTO info VALUES ('schema_version', ?)", [SCHEMA_VERSION])
