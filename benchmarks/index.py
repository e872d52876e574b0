"""Corpus analytics at scale: index 20,000 output documents, query them, draw the report.

    .venv/bin/python benchmarks/index.py [--docs 20000] [--sample 60] [--words 400]
        [--small 2000] [--json FILE]

It annotates a small generated sample (benchmarks/corpus.py) with ``annotate run`` (one
worker, no cache) to measure the annotating rate, then makes ``--docs`` output documents from
those records (new ids, dates spread over 24 months, new input hashes; annotations as they
are) and writes them as OUT/*.json. Each of the following runs in its own process, so its peak
RSS is its own: ``annotate index`` into a new database (the rate, compared with annotating),
the same again (incremental: every document unchanged), and the first ``--small`` documents
alone (memory should not grow with the corpus). Then every named query runs five times on the
large database (median and worst latency), and ``annotate report`` draws it.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from annotate.cli.run import annotate_paths

PROBE = """
import json, resource, sys, time
from annotate.analytics.store import index_outputs
started = time.perf_counter()
result = index_outputs([sys.argv[1]], sys.argv[2])
seconds = time.perf_counter() - started
print(json.dumps({"added": result.added, "unchanged": result.unchanged, "seconds": seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def annotate_sample(tmp: Path, docs: int, words: int) -> tuple[list[dict], float, int]:
    """Annotate ``docs`` generated articles; their records, seconds and words."""
    corpus = write_corpus(tmp / "sample", docs, words)
    started = time.perf_counter()
    summary = annotate_paths([str(corpus)], str(tmp / "sample-out"), workers=1, use_cache=False)
    seconds = time.perf_counter() - started
    records = [json.loads(p.read_text()) for p in sorted((tmp / "sample-out").glob("*.json"))]
    return records, seconds, summary.words


def synthesise(records: list[dict], docs: int, out: Path) -> int:
    """Write ``docs`` output documents made from ``records``; their size in bytes."""
    out.mkdir(parents=True)
    first = dt.date(2024, 1, 1)
    size = 0
    for i in range(docs):
        record = copy.deepcopy(records[i % len(records)])
        doc_id = f"gen-{i:06d}"
        date = first + dt.timedelta(days=(i * 7919) % 730)
        record["id"] = doc_id
        record["meta"]["date"] = date.isoformat()
        record["meta"]["title"] = f"{record['meta'].get('title', '')} ({i})"
        record["meta"]["fingerprint"]["input"] = hashlib.sha256(doc_id.encode()).hexdigest()
        text = json.dumps(record, ensure_ascii=False, indent=2)
        (out / f"{doc_id}.json").write_text(text, encoding="utf-8")
        size += len(text)
    return size


def index_process(out: Path, db: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), str(db)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def query_latencies(db: Path, repeat: int = 5) -> dict[str, tuple[float, float]]:
    from annotate.analytics.queries import NAMED, run_named
    from annotate.analytics.store import connect

    con = connect(db, read_only=True)
    try:
        top = run_named(con, "pairs", top=1).rows[0]
        names = {0: [], 1: [top[0]], 2: [top[0], top[1]]}
        latencies = {}
        for name, query in NAMED.items():
            args = names[len(query.args)]
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                run_named(con, name, args, top=20)
                times.append(time.perf_counter() - started)
            latencies[f"{name} {' '.join(args)}".strip()] = (statistics.median(times), max(times))
        return latencies
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--sample", type=int, default=60, help="documents really annotated")
    parser.add_argument("--words", type=int, default=400, help="mean words per document")
    parser.add_argument("--small", type=int, default=2000, help="documents of the memory check")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures: dict[str, object] = {"docs": args.docs, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="annotate-index-bench-") as name:
        tmp = Path(name)
        os.environ["ANNOTATE_CACHE_DIR"] = str(tmp / "cache")
        records, seconds, words = annotate_sample(tmp, args.sample, args.words)
        annotate_rate = len(records) / seconds
        print(
            f"annotate run (1 worker, no cache): {annotate_rate:8,.1f} docs/s "
            f"({words / seconds:,.0f} words/s; {len(records)} docs of ~{args.words} words)"
        )
        big, small = tmp / "out", tmp / "out-small"
        size = synthesise(records, args.docs, big)
        synthesise(records, min(args.small, args.docs), small)
        print(f"generated {args.docs:,} output documents ({size / 1e6:,.0f} MB of JSON)")

        db = tmp / "corpus.duckdb"
        first = index_process(big, db)
        rate = first["added"] / first["seconds"]
        print(
            f"annotate index (new database):     {rate:8,.1f} docs/s "
            f"({first['seconds']:.1f}s, {rate / annotate_rate:,.0f}x the annotating rate "
            f"of one worker), peak RSS {first['rss_mb']:,.0f} MB"
        )
        again = index_process(big, db)
        print(
            f"annotate index (again, unchanged): {again['unchanged'] / again['seconds']:8,.1f} "
            f"docs/s ({again['seconds']:.1f}s), peak RSS {again['rss_mb']:,.0f} MB"
        )
        little = index_process(small, tmp / "small.duckdb")
        print(
            f"peak RSS indexing {little['added']:,} docs: {little['rss_mb']:,.0f} MB; "
            f"{first['added']:,} docs: {first['rss_mb']:,.0f} MB"
        )
        print(f"database size: {db.stat().st_size / 1e6:,.0f} MB")
        figures.update(
            annotate_docs_per_s=annotate_rate,
            index_docs_per_s=rate,
            index_seconds=first["seconds"],
            reindex_seconds=again["seconds"],
            rss_mb={"small": little["rss_mb"], "large": first["rss_mb"]},
        )

        latencies = query_latencies(db)
        print("named queries (median / worst of 5):")
        for query, (median, worst) in latencies.items():
            print(f"  {query:<40} {median * 1000:7.0f} ms / {worst * 1000:5.0f} ms")
        figures["query_ms"] = {q: round(m * 1000, 1) for q, (m, _) in latencies.items()}

        from annotate.cli.report import report_page

        started = time.perf_counter()
        page = report_page(db, tmp / "report.html")
        seconds = time.perf_counter() - started
        print(f"annotate report: {seconds:.1f}s, {page.stat().st_size / 1e3:,.0f} kB")
        figures["report_seconds"] = seconds
        if os.environ.get("KEEP_REPORT"):
            (Path(os.environ["KEEP_REPORT"])).write_bytes(page.read_bytes())

        from annotate.analytics.store import connect, export_parquet

        con = connect(db)
        started = time.perf_counter()
        export_parquet(con, tmp / "parquet")
        con.close()
        print(f"Parquet export (partitioned by month): {time.perf_counter() - started:.1f}s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
