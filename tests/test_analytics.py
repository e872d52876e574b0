"""Corpus analytics: `annotate index` / the duckdb writer hold exactly the JSON output's counts,
incrementally; aliases merge organisations across documents; `query` answers in CSV and JSON;
`report` is one offline page whose charts render in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from annotate.analytics.aliases import build_aliases, normalise
from annotate.analytics.queries import NAMED
from annotate.analytics.schema import VIEW_NAMES
from annotate.analytics.store import attribute_money, connect, index_outputs
from annotate.cli.index import index_corpus
from annotate.cli.report import report_page
from annotate.cli.run import annotate_paths
from annotate.io.formats import writer_name
from annotate.plugins import discover
from conftest import CHROMIUM, chromium

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def outputs(tmp_path_factory) -> Path:
    """The example corpus annotated once, as OUT/*.json (session fixtures start before the
    autouse one that sets the test cache folder: name it here)."""
    out = tmp_path_factory.mktemp("analytics") / "out"
    cache = tmp_path_factory.getbasetemp() / "cache"
    summary = annotate_paths([str(CORPUS)], str(out), workers=1, cache=cache)
    assert summary.ok == len(list(CORPUS.glob("*.txt")))
    return out


@pytest.fixture(scope="session")
def db(outputs: Path) -> Path:
    path = outputs.parent / "corpus.duckdb"
    index_outputs([outputs], path)
    return path


def json_counts(records: list[dict]) -> dict:
    layers = Counter(a["layer"] for r in records for a in r["annotations"])
    pairs = sum(len(r["document"].get("stance", {}).get("pairs", [])) for r in records)
    return {"documents": len(records), "layers": dict(layers), "pairs": pairs}


def db_counts(path: Path) -> dict:
    con = connect(path, read_only=True)
    try:
        layers = dict(con.execute("SELECT layer, count(*) FROM annotations GROUP BY 1").fetchall())
        views = {
            layer: con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
            for layer, view in (
                ("entities", "entities"),
                ("money", "money"),
                ("dates", "dates"),
                ("stance", "stance_sentences"),
            )
        }
        assert views == {k: v for k, v in layers.items() if k in views}  # views lose no row
        return {
            "documents": con.execute("SELECT count(*) FROM documents").fetchone()[0],
            "layers": layers,
            "pairs": con.execute("SELECT count(*) FROM stance_pairs").fetchone()[0],
        }
    finally:
        con.close()


def read_json_dir(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def test_index_holds_the_json_counts_and_skips_unchanged(outputs: Path, db: Path) -> None:
    expected = json_counts(read_json_dir(outputs))
    assert expected["pairs"] > 0 and expected["layers"]["money"] > 0
    assert db_counts(db) == expected
    again = index_outputs([outputs], db)  # the second run changes nothing
    assert (again.added, again.replaced, again.unchanged) == (0, 0, expected["documents"])
    assert db_counts(db) == expected


def rows(path: Path) -> set[tuple]:
    con = connect(path, read_only=True)
    try:
        found = con.execute(
            'SELECT doc_id, id, layer, label, start, "end", text, attrs FROM annotations'
        ).fetchall()
    finally:
        con.close()
    return {(*row[:-1], json.dumps(json.loads(row[-1]), sort_keys=True)) for row in found}


def test_duckdb_writer_matches_the_json_output(
    outputs: Path, db: Path, tmp_path: Path, cli
) -> None:
    writers = discover().registry().writers
    assert writers["duckdb"].plugin == "annotate.analytics.writer"
    assert writer_name("x.duckdb", None, writers) == writer_name("x", "duckdb", writers) == "duckdb"
    assert writer_name("folder", "parquet", writers) == "parquet"
    direct = tmp_path / "direct.duckdb"
    result = cli("run", CORPUS, "-o", direct, "--workers", "1", "--quiet")  # format from -o
    assert result.exit_code == 0, result.output
    assert db_counts(direct) == json_counts(read_json_dir(outputs))
    assert rows(direct) == rows(db)  # the same rows, attributes and all


def test_changed_documents_are_replaced_and_pruned(outputs: Path, tmp_path: Path) -> None:
    records = read_json_dir(outputs)
    out = tmp_path / "out"
    out.mkdir()
    for record in records:
        (out / f"{record['id']}.json").write_text(json.dumps(record))
    path = tmp_path / "c.duckdb"
    assert index_outputs([out], path).added == len(records)
    changed = records[0]
    changed["annotations"] = [a for a in changed["annotations"] if a["layer"] != "money"]
    changed["provenance"]["pipeline"] = "another pipeline"
    (out / f"{changed['id']}.json").write_text(json.dumps(changed))
    (out / f"{records[1]['id']}.json").unlink()
    result = index_outputs([out], path, prune=True)
    assert (result.added, result.replaced, result.unchanged, result.removed) == (
        0,
        1,
        len(records) - 2,
        1,
    )
    assert db_counts(path) == json_counts([changed, *records[2:]])


def test_jsonl_input_and_unreadable_records(outputs: Path, tmp_path: Path) -> None:
    records = read_json_dir(outputs)
    lines = [json.dumps(r) for r in records] + ["{not json", json.dumps({"id": "x"})]
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n")
    problems: list[str] = []
    result = index_outputs([tmp_path / "all.jsonl"], tmp_path / "c.duckdb", report=problems.append)
    assert result.added == len(records)
    assert len(problems) == 2 and f"line {len(records) + 1}: not valid JSON" in problems[0]
    assert "is not annotate output" in problems[1]
    assert db_counts(tmp_path / "c.duckdb") == json_counts(records)


def record(doc_id: str, date: str, orgs: list[str], pairs: list[tuple], text: str = "") -> dict:
    """A minimal output record: ORG mentions of ``orgs``, document pairs ``(a, b, label)``."""
    annotations, position = [], 0
    for i, name in enumerate(orgs, start=1):
        attrs = {"canonical": name, "method": "ner"}
        annotations.append(
            dict(id=f"T{i}", layer="entities", start=position, end=position + len(name),
                 text=name, label="ORG", attrs=attrs, sources=["entities"])
        )  # fmt: skip
        position += len(name) + 1
    stance_pairs = [
        {"orgs": [a, b], "label": label, "collaboration": 0.8 if label != "competition" else 0,
         "competition": 0.7 if label != "collaboration" else 0, "trend": None,
         "evidence": [[0, 10]]}
        for a, b, label in pairs
    ]  # fmt: skip
    return {
        "schema": "annotate/v1",
        "id": doc_id,
        "text": text or " ".join(orgs),
        "meta": {"date": date, "title": doc_id.title()},
        "annotators": {},
        "annotations": annotations,
        "document": {"stance": {"label": "mixed", "pairs": stance_pairs}},
    }


def test_normalise_and_alias_groups() -> None:
    assert normalise("The Microsoft Corp.") == normalise("MICROSOFT") == "microsoft"
    assert normalise("Volkswagen Group") == "volkswagen"
    assert normalise("AT&T Inc.") == normalise("AT and T") == "at and t"
    assert normalise("Group") == "group"  # a name is never emptied
    rows = build_aliases([("Microsoft", 5), ("Microsoft Corp.", 2), ("OpenAI", 1)])
    assert rows == [
        ("Microsoft", "Microsoft", "auto"),
        ("Microsoft Corp.", "Microsoft", "auto"),
        ("OpenAI", "OpenAI", "auto"),
    ]
    held = build_aliases([("Netflix Holdings", 9), ("Netflix", 2), ("NETFLIX", 2)])
    assert {org for _, org, _ in held} == {"Netflix"}
    over = build_aliases([("Microsoft", 5), ("MSFT", 1)], {"msft": "Microsoft"})
    assert over == [("MSFT", "Microsoft", "config"), ("Microsoft", "Microsoft", "auto")]


def test_one_name_per_organisation_across_documents(tmp_path: Path, cli) -> None:
    docs = [
        record("a", "2025-01-10", ["Microsoft Corp.", "OpenAI"],
               [("Microsoft Corp.", "OpenAI", "collaboration")]),
        record("b", "2025-02-03", ["Microsoft", "Microsoft", "OpenAI"],
               [("Microsoft", "OpenAI", "competition")]),
        record("c", "2025-04-21", ["MICROSOFT", "Open AI"], [("MICROSOFT", "Open AI", "mixed")]),
    ]  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    for doc in docs:
        (out / f"{doc['id']}.json").write_text(json.dumps(doc))
    path = tmp_path / "c.duckdb"
    index_corpus([out], path)
    con = connect(path, read_only=True)
    keys = con.execute("SELECT DISTINCT corpus_key FROM entities ORDER BY 1").fetchall()
    pairs = con.execute("SELECT DISTINCT org_a, org_b FROM stance_pairs ORDER BY 1").fetchall()
    con.close()
    # "Open AI" is another spelling no rule can merge: the config does
    assert keys == [("Microsoft",), ("Open AI",), ("OpenAI",)]
    assert pairs == [("Microsoft", "Open AI"), ("Microsoft", "OpenAI")]
    config = tmp_path / "annotate.yaml"
    config.write_text("analytics:\n  aliases:\n    Open AI: OpenAI\n")
    result = cli("index", out, "--db", path, "--config", config)
    assert result.exit_code == 0, result.output
    assert "0 added, 0 replaced, 3 unchanged" in result.output
    result = cli("query", "--db", path, "timeline", "microsoft corp", "OPENAI", "--format", "csv")
    assert result.exit_code == 0, result.output
    timeline = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["month"], r["label"]) for r in timeline] == [
        ("2025-01-01", "collaboration"),
        ("2025-02-01", "competition"),
        ("2025-04-01", "mixed"),
    ]
    index_corpus([out], path)  # without --config the stored overrides stay
    result = cli("query", "--db", path, "pairs", "--format", "json")
    assert [(p["org_a"], p["org_b"], p["documents"]) for p in json.loads(result.output)] == [
        ("Microsoft", "OpenAI", 3)
    ]


def test_money_goes_to_the_nearest_organisation_of_its_sentence() -> None:
    text = "Acme Corp. said it would pay $5 million. Later, $2 billion went to Zenith Ltd. too."
    annotations = [
        {"id": "T1", "layer": "entities", "label": "ORG", "start": 0, "end": 4,
         "attrs": {"canonical": "Acme"}},
        {"id": "T2", "layer": "money", "start": 29, "end": 39},
        {"id": "T3", "layer": "money", "start": 48, "end": 58},
        {"id": "T4", "layer": "entities", "label": "ORG", "start": 67, "end": 77,
         "attrs": {"canonical": "Zenith"}},
    ]  # fmt: skip
    assert text[29:39] == "$5 million" and text[48:58] == "$2 billion"
    assert list(attribute_money(text, annotations)) == [("T2", "Acme"), ("T3", "Zenith")]


def test_query_command(db: Path, cli) -> None:
    listed = cli("query", "--list")
    assert listed.exit_code == 0
    for name in NAMED:
        assert re.search(rf"^{name}\b", listed.output, re.M)
    result = cli("query", "--db", db, "SELECT count(*) AS n FROM documents", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output == f"n\n{len(list(CORPUS.glob('*.txt')))}\n"
    result = cli("query", "--db", db, "pairs", "--top", "3", "--format", "csv")
    pairs = list(csv.DictReader(io.StringIO(result.output)))
    assert len(pairs) == 3 and set(pairs[0]) >= {"org_a", "org_b", "evidence", "label"}
    assert int(pairs[0]["evidence"]) >= int(pairs[2]["evidence"])
    result = cli("query", "--db", db, "timeline", "Microsoft", "OpenAI", "--format", "json")
    assert json.loads(result.output)[0]["month"] == "2025-01-01"
    table = cli("query", "--db", db, "orgs", "--top", "5")
    assert table.exit_code == 0 and "organisation" in table.output and "5 row(s)" in table.output
    bad = cli("query", "--db", db, "SELECT nope FROM documents")
    assert bad.exit_code == 2 and "query failed" in bad.output and "stance_pairs" in bad.output
    wrong = cli("query", "--db", db, "timeline", "Microsoft")
    assert wrong.exit_code == 2 and 'timeline "A" "B"' in wrong.output
    missing = cli("query", "--db", db.parent / "nothing.duckdb", "pairs")
    assert missing.exit_code == 2 and "annotate index" in missing.output


def test_parquet_partitions_by_month(outputs: Path, tmp_path: Path) -> None:
    result = index_corpus([outputs], tmp_path / "c.duckdb", parquet=tmp_path / "pq")
    months = sorted(p.name for p in (tmp_path / "pq" / "annotations").iterdir())
    assert months and all(re.fullmatch(r"doc_month=\d{4}-\d\d", m) for m in months)
    for table in ("documents", "annotations", *VIEW_NAMES):
        assert (tmp_path / "pq" / table).is_dir()
    count = (
        duckdb.connect()
        .execute(
            f"SELECT count(*) FROM read_parquet('{tmp_path}/pq/annotations/*/*.parquet', "
            "hive_partitioning = true)"
        )
        .fetchone()[0]
    )
    expected = json_counts(read_json_dir(outputs))
    assert count == sum(expected["layers"].values()) and result.added == expected["documents"]
    direct = tmp_path / "direct"  # the parquet writer (`annotate run --format parquet`)
    writer = discover().registry().writers["parquet"].obj(str(direct))
    for doc in read_json_dir(outputs):
        writer.write(doc)
    writer.close()
    for table in ("documents", "annotations", "stance_pairs"):
        counts = [
            duckdb.connect()
            .execute(f"SELECT count(*) FROM read_parquet('{folder}/{table}/*/*.parquet')")
            .fetchone()[0]
            for folder in (tmp_path / "pq", direct)
        ]
        assert counts[0] == counts[1] > 0, table


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attr = dict(attrs)
        if "id" in attr:
            self.ids.add(attr["id"])
        for key in ("href", "xlink:href"):
            if key in attr:
                self.hrefs.append(attr[key])
        if "src" in attr or tag == "link":
            self.loads.append(tag)


@pytest.fixture(scope="session")
def report(db: Path) -> Path:
    return report_page(db, db.parent / "report.html")


def test_report_is_one_offline_page_of_linked_charts(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    links = Links()
    links.feed(page)
    assert not links.loads and not re.search(r"@import|url\((?!#)|<script", page)
    assert "default-src 'none'" in page
    assert links.hrefs and all(h.startswith("#") for h in links.hrefs)  # in-page links only
    assert {h[1:] for h in links.hrefs} <= links.ids  # each leads to its evidence
    figures = re.findall(r"<figure.*?</figure>", page, re.S)
    assert len(figures) >= 4 and all("<svg" in f and "<figcaption>" in f for f in figures)
    svg_links = re.findall(r'xlink:href="#(pair-[^"]+)"', page)
    assert svg_links and "microsoft-openai" in " ".join(svg_links)
    assert "The partnership between Microsoft and OpenAI" in page  # an evidence sentence


def test_report_of_an_empty_database(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    assert index_corpus([tmp_path / "out"], tmp_path / "c.duckdb").loaded == 0
    page = report_page(tmp_path / "c.duckdb", tmp_path / "r.html").read_text()
    assert page.count("Nothing to draw") == 3 and "<b>0</b> documents (no dates)" in page


def page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for (the browser's own background requests have no origin)."""
    log = json.loads(net_log.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted(
        {
            e["params"]["url"]
            for e in log["events"]
            if e["type"] == start
            and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"
            and not e["params"]["url"].startswith("file:")
        }
    )


def test_report_renders_in_headless_chromium_and_loads_nothing(
    report: Path, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    control = tmp_path / "control.html"  # proves the request check sees a page's loads
    control.write_text('<img src="http://127.0.0.1:9/x.png">')
    chromium(f"--log-net-log={tmp_path / 'control.json'}", "--dump-dom", control.as_uri(),
             tmp_path=tmp_path, window="1100,2400")  # fmt: skip
    assert page_requests(tmp_path / "control.json") == ["http://127.0.0.1:9/x.png"]
    net = tmp_path / "net.json"
    dom = chromium(
        f"--log-net-log={net}", "--dump-dom", report.as_uri(), tmp_path=tmp_path, window="1100,2400"
    ).stdout
    assert page_requests(net) == []
    charts = re.findall(r'<svg[^>]*class="marks"[^>]*width="(\d+)"[^>]*height="(\d+)"', dom)
    assert len(charts) >= 2 and all(int(w) > 100 and int(h) > 100 for w, h in charts)
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", report.as_uri(), tmp_path=tmp_path, window="1100,2400")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 30_000


def test_docs_describe_every_view_column(db: Path) -> None:
    docs = (ROOT / "docs" / "analytics.md").read_text(encoding="utf-8")
    con = connect(db, read_only=True)
    try:
        for view in ("documents", "annotations", *VIEW_NAMES):
            columns = [c[0] for c in con.execute(f"DESCRIBE {view}").fetchall()]
            section = docs.split(f"### `{view}`", 1)[1].split("###", 1)[0]
            missing = [c for c in columns if f"`{c}`" not in section]
            assert not missing, f"docs/analytics.md: {view} lacks {missing}"
    finally:
        con.close()
    for name in NAMED:
        assert f"`{name}" in docs
