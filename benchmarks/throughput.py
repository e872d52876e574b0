"""Throughput, overhead, parallel speed-up and memory of ``annotate run``.

    .venv/bin/python benchmarks/throughput.py [--docs 2000] [--words 250] [--workers 2]
        [--memory-docs 2000 20000] [--memory-words 15] [--dask] [--skip-memory]

On one generated corpus (benchmarks/corpus.py: varied news-like articles, fixed seed) it times
(a) bare spaCy ``nlp.pipe`` with the same model and components the pipeline enables, and
(b) the full default ``annotate run`` (read files, annotate, write OUT/*.json), one worker;
then (b) with --workers N, optionally on a Dask LocalCluster, and the peak RSS of runs over
small and large corpora of short documents (each in its own process, one worker).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from annotate.api import build_pipeline
from annotate.cli.run import annotate_paths
from annotate.io.sources import read_paths
from annotate.model import Document

RSS_PROBE = """
import resource, sys
from annotate.cli.run import annotate_paths
summary = annotate_paths([sys.argv[1]], sys.argv[2], workers=1, use_cache=False)
print(summary.ok, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_spacy(folder: Path) -> tuple[int, float]:
    pipeline = build_pipeline()
    texts = [
        d.text
        for d in read_paths([str(folder)], pipeline.registry.readers)
        if isinstance(d, Document)
    ]
    words = sum(len(t.split()) for t in texts)
    nlp = pipeline.nlp
    batch_size = int(pipeline.config["batch_size"])
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return words, time.perf_counter() - started


def full_run(folder: Path, out: Path, **options) -> tuple[int, float, int]:
    started = time.perf_counter()
    summary = annotate_paths([str(folder)], str(out), use_cache=False, **options)
    seconds = time.perf_counter() - started
    assert summary.failed == 0, summary.to_json()
    return summary.words, seconds, summary.workers


def memory_run(docs: int, words: int, tmp: Path) -> tuple[int, float, float]:
    corpus = write_corpus(tmp / f"mem-{docs}", docs, words, jsonl=True, seed=7)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(corpus), str(tmp / f"mem-out-{docs}")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ANNOTATE_CACHE_DIR": str(tmp / "cache")},
    )
    ok, rss_kb = map(int, result.stdout.split())
    return ok, rss_kb / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--words", type=int, default=250, help="mean words per document")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-docs", type=int, nargs=2, default=(2000, 20000))
    parser.add_argument("--memory-words", type=int, default=15)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--dask", action="store_true", help="also time --scheduler local")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    results: dict[str, object] = {"cores": os.cpu_count(), "docs": args.docs}
    with tempfile.TemporaryDirectory(prefix="annotate-bench-") as name:
        tmp = Path(name)
        corpus = write_corpus(tmp / "corpus", args.docs, args.words)
        print(f"corpus: {args.docs} documents, ~{args.words} words each, {os.cpu_count()} cores")

        words, seconds = bare_spacy(corpus)
        a = words / seconds
        print(
            f"(a) bare spaCy nlp.pipe:        {a:9,.0f} words/s ({words:,} words, {seconds:.1f}s)"
        )

        words, seconds, _ = full_run(corpus, tmp / "out-1", workers=1)
        b = words / seconds
        print(f"(b) annotate run, 1 worker:     {b:9,.0f} words/s ({seconds:.1f}s wall)")
        print(f"    ratio (b)/(a):              {b / a:9.2f}   (target >= 0.8)")
        results.update(words=words, spacy_wps=a, annotate_wps=b, ratio=b / a)

        words, seconds, used = full_run(corpus, tmp / "out-n", workers=args.workers)
        n = words / seconds
        same = _same_output(tmp / "out-1", tmp / "out-n")
        print(
            f"(b) annotate run, {used} workers:    {n:9,.0f} words/s ({seconds:.1f}s wall), "
            f"speed-up {n / b:.2f}x, output identical: {same}"
        )
        results.update(workers=used, parallel_wps=n, speedup=n / b, identical=same)

        if args.dask:
            words, seconds, used = full_run(
                corpus, tmp / "out-dask", scheduler="local", workers=args.workers
            )
            d = words / seconds
            same = _same_output(tmp / "out-1", tmp / "out-dask")
            print(
                f"(b) --scheduler local, {used} workers: {d:9,.0f} words/s ({seconds:.1f}s wall, "
                f"incl. cluster start-up), output identical: {same}"
            )
            results.update(dask_wps=d, dask_identical=same)

        print(f"peak RSS of this process:       {peak_rss_mb():9,.0f} MB")
        results["peak_rss_mb"] = peak_rss_mb()

        if not args.skip_memory:
            small, large = args.memory_docs
            _, rss_small, t_small = memory_run(small, args.memory_words, tmp)
            _, rss_large, t_large = memory_run(large, args.memory_words, tmp)
            print(
                f"memory: peak RSS {small:,} docs {rss_small:,.0f} MB ({t_small:.0f}s), "
                f"{large:,} docs {rss_large:,.0f} MB ({t_large:.0f}s): "
                f"{rss_large / rss_small:.2f}x (target <= 1.25x)"
            )
            results.update(rss_small_mb=rss_small, rss_large_mb=rss_large)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def _same_output(one: Path, other: Path) -> bool:
    names = sorted(p.name for p in one.glob("*.json"))
    if names != sorted(p.name for p in other.glob("*.json")):
        return False
    return all((one / n).read_bytes() == (other / n).read_bytes() for n in names)


if __name__ == "__main__":
    main()
