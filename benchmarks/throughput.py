"""Throughput, overhead, parallel speed-up, cache and memory of ``annotate run``, in one run.

    .venv/bin/python benchmarks/throughput.py [--docs 400] [--words 250] [--workers CORES]
        [--repeat 2] [--dask] [--dask-docs 400] [--skip-memory | --only-memory]
        [--memory-docs 2000 20000] [--memory-words 15] [--json PATH]

On one generated corpus (benchmarks/corpus.py: varied news-like articles, fixed seed) it
measures, side by side and as ratios with their targets:

1. one worker ÷ bare spaCy ``nlp.pipe`` (same model, same components), with the result cache
   off and with a fresh cache folder (which stores every parse: the cost of caching);
   paired chunk by chunk (``paired``), which a host whose speed drifts disturbs least; and
   inside the 1-worker run itself, its spaCy parse ÷ all its CPU (``Summary.spacy_cpu``):
   what the rest costs on top of spaCy, with no drift between two runs to blur it;
2. N workers ÷ one worker, output byte-identical;
3. the main process's CPU time per document in the N-worker run (``Summary.main_cpu``: the
   batch run, without the pipeline build);
4. a Dask LocalCluster of two workers ÷ one local worker, start-up included (--dask);
5. a re-run with one stance setting changed ÷ the full run that filled the cache, its output
   byte-identical to the same config run without the cache;
6. peak RSS over many ÷ over fewer short documents, each run in its own process;
7. whether every output above is byte-identical to its reference.

Timed sides run --repeat times, interleaved, and the best (least seconds) counts: the machine
may be busy with other work, and the best run is the one it disturbed least.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from annotate.api import build_pipeline
from annotate.batch import Summary
from annotate.cli.run import annotate_paths
from annotate.io.sources import read_paths
from annotate.io.writers import json_file
from annotate.model import Document
from annotate.nlp import load_model
from annotate.parallel import PipelineSpec, Worker

# The probe's own peak: Linux's VmHWM (ru_maxrss would include the peak of this process,
# which forked it: Linux keeps the larger high-water mark across exec).
RSS_PROBE = """
import resource, sys
from annotate.cli.run import annotate_paths
summary = annotate_paths([sys.argv[1]], sys.argv[2], workers=1, use_cache=False)
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(summary.ok, peak)
"""

# The re-run changes one stance setting, so stance runs again and the rest comes from the cache.
STANCE_CHANGE = "annotators:\n  stance:\n    labels:\n      sentence: {min_score: 0.9}\n"

TARGETS = {  # figure: (comparison, target, unit)
    "ratio_nocache": (">=", 0.90, ""),
    "ratio_cache": (">=", 0.90, ""),
    "ratio_paired": (">=", 0.90, ""),
    "ratio_inside": (">=", 0.90, ""),
    "speedup": (">=", 1.85, "x"),
    "parent_cpu_ms_per_doc": ("<=", 0.5, " ms"),
    "dask_speedup": (">=", 1.7, "x"),
    "rerun_ratio": ("<=", 0.25, ""),
    "rss_ratio": ("<=", 1.10, "x"),
}


@dataclass
class Run:
    """One timed ``annotate_paths`` call: wall and main-process CPU seconds, and its summary."""

    out: Path
    wall: float
    cpu: float
    summary: Summary
    children: float = 0.0  # CPU seconds of the worker processes that ended during the run


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_texts(folder: Path) -> list[str]:
    pipeline = build_pipeline()
    return [
        d.text
        for d in read_paths([str(folder)], pipeline.registry.readers)
        if isinstance(d, Document)
    ]


def bare_spacy(texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``nlp.pipe`` over ``texts`` with the pipeline's own nlp."""
    pipeline = build_pipeline()
    nlp = pipeline.nlp
    batch_size = int(pipeline.config["batch_size"])
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - wall, time.process_time() - cpu


def paired(folder: Path, rounds: int = 2) -> float:
    """Bare ``nlp.pipe`` ÷ the worker's own loop (parse, annotators, record encoded), timed
    chunk by chunk in turn, which goes first alternating: a host whose speed drifts over
    seconds slows both alike. Reading, writing and the pipeline build are left out."""
    pipeline = build_pipeline()
    worker = Worker(pipeline, pipeline.fingerprint, json_file)
    batch_size = int(pipeline.config["batch_size"])
    bare = ours = 0.0
    for _ in range(rounds):
        docs = list(read_paths([str(folder)], pipeline.registry.readers))
        for i in range(0, len(docs), batch_size):
            chunk = [d for d in docs[i : i + batch_size] if isinstance(d, Document)]
            texts = [d.text for d in chunk]
            for bare_side in (i // batch_size % 2 == 0, i // batch_size % 2 == 1):
                started = time.process_time()
                if bare_side:
                    list(pipeline.nlp.pipe(texts, batch_size=batch_size))
                    bare += time.process_time() - started
                else:
                    worker.run(chunk)
                    ours += time.process_time() - started
    return bare / ours


def full_run(folder: Path, out: Path, **options) -> Run:
    """``annotate run FOLDER -o OUT`` (no result cache unless ``cache=`` is given)."""
    options.setdefault("use_cache", "cache" in options)
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    summary = annotate_paths([str(folder)], str(out), **options)
    run = Run(out, time.perf_counter() - wall, time.process_time() - cpu, summary)
    run.children = _children_cpu() - children
    assert summary.failed == 0 and not summary.annotator_errors, summary.to_json()
    return run


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return (
        " ".join(Path("/proc/loadavg").read_text().split()[:3])
        if os.path.exists("/proc/loadavg")
        else "?"
    )


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def build_cost() -> tuple[float, float, int]:
    """CPU seconds of the first and of a later pipeline build in this process, and how many
    times the later builds found the spaCy model in ``load_model``'s cache."""
    cold = time.process_time()
    PipelineSpec().build()
    cold = time.process_time() - cold
    hits = load_model.cache_info().hits
    warm = []
    for _ in range(3):
        started = time.process_time()
        PipelineSpec().build()
        warm.append(time.process_time() - started)
    return cold, min(warm), load_model.cache_info().hits - hits


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
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--words", type=int, default=250, help="mean words per document")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per timed side (best wins)")
    parser.add_argument("--dask", action="store_true", help="also time --scheduler local")
    parser.add_argument("--dask-docs", type=int, default=400)
    parser.add_argument("--memory-docs", type=int, nargs=2, default=(2000, 20000))
    parser.add_argument("--memory-words", type=int, default=15)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--only-memory", action="store_true", help="figure 6 alone")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    cores = os.cpu_count()
    results: dict[str, object] = {"cores": cores, "docs": args.docs, "words": args.words}
    with tempfile.TemporaryDirectory(prefix="annotate-bench-") as name:
        tmp = Path(name)
        if not args.only_memory:
            run_figures(args, tmp, results)
        if args.skip_memory and not args.only_memory:
            print("6. memory: skipped (--skip-memory)")
        else:
            small, large = args.memory_docs
            _, rss_small, t_small = memory_run(small, args.memory_words, tmp)
            _, rss_large, t_large = memory_run(large, args.memory_words, tmp)
            print(
                f"6. memory, peak RSS of one 1-worker run in its own process: {small:,} docs "
                f"{rss_small:,.0f} MB ({t_small:.0f}s), {large:,} docs {rss_large:,.0f} MB "
                f"({t_large:.0f}s): {rss_large / rss_small:.2f}x"
            )
            results.update(
                memory_docs=f"{large:,} / {small:,}",
                rss_small_mb=rss_small,
                rss_large_mb=rss_large,
                rss_ratio=rss_large / rss_small,
            )
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def run_figures(args: argparse.Namespace, tmp: Path, results: dict[str, object]) -> None:
    """Figures 1 to 5 and 7, into ``results``."""
    cold, warm, hits = build_cost()  # first, while nothing has built the pipeline yet
    corpus = write_corpus(tmp / "corpus", args.docs, args.words)
    texts = corpus_texts(corpus)
    words = sum(len(t.split()) for t in texts)
    print(
        f"corpus: {args.docs} documents, {words:,} words (~{args.words} each); "
        f"{os.cpu_count()} cores; {args.workers} workers; best of {args.repeat} runs per side; "
        f"load average {_load()}"
    )
    print(
        f"pipeline build, main-process CPU: first {cold:.2f}s, again {warm * 1000:.1f} ms "
        f"(load_model cache hits on 3 rebuilds: {hits})"
    )
    results.update(build_cpu_first=cold, build_cpu_again=warm, load_model_cache_hits=hits)

    # Interleaved, so that a busy spell on the machine hits every side alike.
    bare, nocache, cached, parallel = [], [], [], []
    for i in range(args.repeat):
        bare.append(bare_spacy(texts))
        nocache.append(full_run(corpus, tmp / f"out-1-{i}", workers=1))
        cached.append(full_run(corpus, tmp / f"out-1c-{i}", workers=1, cache=tmp / f"cache-{i}"))
        parallel.append(full_run(corpus, tmp / f"out-n-{i}", workers=args.workers))

    bare_wall = min(w for w, _ in bare)
    bare_cpu = min(c for _, c in bare)
    one, one_cached, many = best(nocache), best(cached), best(parallel)
    ratio = bare_wall / one.wall
    ratio_cache = bare_wall / one_cached.wall
    print(
        f"1. bare spaCy nlp.pipe:          {words / bare_wall:8,.0f} words/s ({bare_wall:.2f}s, "
        f"CPU {bare_cpu:.2f}s)"
    )
    print(
        f"   annotate run, 1 worker, no cache: {words / one.wall:8,.0f} words/s "
        f"({one.wall:.2f}s, CPU {min(r.cpu for r in nocache):.2f}s): {ratio:.2f} of bare spaCy "
        f"(CPU: {bare_cpu / min(r.cpu for r in nocache):.2f})"
    )
    print(
        f"   annotate run, 1 worker, fresh cache: {words / one_cached.wall:8,.0f} words/s "
        f"({one_cached.wall:.2f}s, CPU {min(r.cpu for r in cached):.2f}s): {ratio_cache:.2f} "
        f"of bare spaCy (CPU: {bare_cpu / min(r.cpu for r in cached):.2f})"
    )
    ratio_paired = paired(corpus)
    print(
        f"   paired, chunk by chunk (parse, annotators, records; no reading or writing): "
        f"{ratio_paired:.2f} of bare spaCy (CPU)"
    )
    inside = [r.summary.spacy_cpu / r.summary.main_cpu for r in nocache]
    print(
        f"   inside each 1-worker run, spaCy's parse ÷ the run's CPU: "
        f"{', '.join(f'{x:.3f}' for x in inside)}; median {statistics.median(inside):.2f} "
        f"(the annotators, their checks and the records {one.summary.annotators_cpu:.2f}s, "
        f"reading and writing the rest)"
    )
    results.update(
        ratio_paired=ratio_paired,
        ratio_inside=statistics.median(inside),
        corpus_words=words,
        summary_words=one.summary.words,
        spacy_wps=words / bare_wall,
        spacy_seconds=[round(w, 3) for w, _ in bare],
        annotate_wps=words / one.wall,
        annotate_seconds=[round(r.wall, 3) for r in nocache],
        annotate_cached_wps=words / one_cached.wall,
        annotate_cached_seconds=[round(r.wall, 3) for r in cached],
        ratio_nocache=ratio,
        ratio_cache=ratio_cache,
        ratio_nocache_cpu=bare_cpu / min(r.cpu for r in nocache),
    )

    speedup = one.wall / many.wall
    # What N idle cores would give: the CPU of one worker ÷ the N-worker run's CPU per core.
    total = many.cpu + many.children
    capacity = one.cpu * many.summary.workers / total if total else 0.0
    same = {"N workers": _same_output(one.out, many.out, args.docs)}
    same["cache on"] = _same_output(one.out, one_cached.out, args.docs)
    print(
        f"2. annotate run, {many.summary.workers} workers: {words / many.wall:8,.0f} words/s "
        f"({many.wall:.2f}s): {speedup:.2f}x one worker; output identical: {same['N workers']}"
    )
    print(
        f"   CPU: main {many.cpu:.2f}s + workers {many.children:.2f}s vs {one.cpu:.2f}s for one "
        f"worker: {capacity:.2f}x on {many.summary.workers} idle cores (if evenly shared)"
    )
    results.update(
        workers=many.summary.workers,
        parallel_wps=words / many.wall,
        parallel_seconds=[round(r.wall, 3) for r in parallel],
        speedup=speedup,
        parallel_cpu_seconds=total,
        speedup_cpu_estimate=capacity,
    )

    parent_cpu = min(r.summary.main_cpu for r in parallel)
    per_doc = parent_cpu / args.docs * 1000
    print(
        f"3. main-process CPU in the {many.summary.workers}-worker run (run_batch, pipeline "
        f"build excluded, worker start-up included): {parent_cpu:.3f}s = {per_doc:.3f} ms/doc"
    )
    results.update(parent_cpu_seconds=parent_cpu, parent_cpu_ms_per_doc=per_doc)

    dask_figure(args, tmp, results, same)
    rerun_figure(args, corpus, tmp, cached, results, same)

    identical = all(same.values())
    print(
        "7. byte-identical output: "
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in same.items())
        + (" (all identical)" if identical else "")
    )
    results.update(identical=same, all_identical=identical)
    print(f"peak RSS of this process: {peak_rss_mb():,.0f} MB; load average {_load()}")
    results["peak_rss_mb"] = peak_rss_mb()


def dask_figure(
    args: argparse.Namespace, tmp: Path, results: dict[str, object], same: dict[str, bool]
) -> None:
    """Figure 4: a LocalCluster of two workers ÷ one local worker, on --dask-docs documents."""
    if not args.dask:
        print("4. Dask LocalCluster: skipped (no --dask)")
        return
    if importlib.util.find_spec("distributed") is None:
        print("4. Dask LocalCluster: skipped (dask.distributed is not installed)")
        return
    corpus = write_corpus(tmp / "corpus-dask", args.dask_docs, args.words)
    local, dask = [], []
    for i in range(args.repeat):
        local.append(full_run(corpus, tmp / f"out-dask-1-{i}", workers=1))
        dask.append(full_run(corpus, tmp / f"out-dask-{i}", scheduler="local", workers=2))
    one, two = best(local), best(dask)
    same["Dask"] = _same_output(one.out, two.out, args.dask_docs)
    print(
        f"4. Dask LocalCluster, 2 workers, start-up included, {args.dask_docs} docs: "
        f"{two.wall:.2f}s vs one local worker {one.wall:.2f}s: {one.wall / two.wall:.2f}x; "
        f"output identical: {same['Dask']}"
    )
    results.update(
        dask_docs=args.dask_docs,
        dask_seconds=[round(r.wall, 3) for r in dask],
        dask_local_seconds=[round(r.wall, 3) for r in local],
        dask_speedup=one.wall / two.wall,
    )


def rerun_figure(
    args: argparse.Namespace,
    corpus: Path,
    tmp: Path,
    full: list[Run],
    results: dict[str, object],
    same: dict[str, bool],
) -> None:
    """Figure 5: each full cached run of figure 1 is re-run with one stance setting changed."""
    config = tmp / "stance-0.9.yaml"
    config.write_text(STANCE_CHANGE, encoding="utf-8")
    reruns = [
        full_run(corpus, tmp / f"out-rerun-{i}", workers=1, config=config, cache=tmp / f"cache-{i}")
        for i in range(len(full))
    ]
    fresh = full_run(corpus, tmp / "out-changed", workers=1, config=config)
    rerun, first = best(reruns), best(full)
    same["cached re-run"] = all(_same_output(fresh.out, r.out, args.docs) for r in reruns)
    differs = not _same_output(first.out, fresh.out, args.docs)
    ratio = rerun.wall / first.wall
    print(
        f"5. re-run with stance min_score 0.9, from the cache: {rerun.wall:.2f}s vs full run "
        f"{first.wall:.2f}s: {ratio:.2f}; identical to the same config without the cache: "
        f"{same['cached re-run']} (the change changed the output: {differs})"
    )
    print(f"   from the cache in the re-run: {dict(sorted(rerun.summary.cached.items()))}")
    results.update(
        rerun_seconds=[round(r.wall, 3) for r in reruns],
        rerun_ratio=ratio,
        rerun_cached=dict(rerun.summary.cached),
        rerun_changed_output=differs,
    )


def print_table(results: dict[str, object]) -> None:
    rows = [
        ("1  1 worker / bare spaCy, no cache", "ratio_nocache", "{:.2f}"),
        ("1  1 worker / bare spaCy, fresh cache", "ratio_cache", "{:.2f}"),
        ("1  same, paired chunk by chunk", "ratio_paired", "{:.2f}"),
        ("1  same, inside the run (parse / all)", "ratio_inside", "{:.2f}"),
        (f"2  {results.get('workers', 'N')} workers / 1 worker", "speedup", "{:.2f}x"),
        ("3  main-process CPU per doc", "parent_cpu_ms_per_doc", "{:.3f} ms"),
        ("4  Dask 2 workers / 1 local worker", "dask_speedup", "{:.2f}x"),
        ("5  cached re-run / full run", "rerun_ratio", "{:.2f}"),
        (f"6  peak RSS {results.get('memory_docs', 'many / fewer')} docs", "rss_ratio", "{:.2f}x"),
    ]
    print(f"\n{'figure':<40} {'value':>10}  {'target':<10} result")
    for label, key, fmt in rows:
        op, target, unit = TARGETS[key]
        wanted = f"{op} {target:.2f}{unit}"
        value = results.get(key)
        if value is None:
            print(f"{label:<40} {'-':>10}  {wanted:<10} skipped")
            continue
        ok = value >= target if op == ">=" else value <= target
        results[f"{key}_pass"] = ok
        print(f"{label:<40} {fmt.format(value):>10}  {wanted:<10} {'PASS' if ok else 'FAIL'}")
    if "all_identical" in results:
        ok = results["all_identical"]
        value, result = ("yes", "PASS") if ok else ("no", "FAIL")
        print(f"{'7  byte-identical output':<40} {value:>10}  {'all':<10} {result}")
    print(f"({results['cores']} cores)")


def _same_output(one: Path, other: Path, docs: int) -> bool:
    """Every OUT/*.json of ``one`` equal byte for byte to ``other``'s, and one per document."""
    names = sorted(p.name for p in one.glob("*.json"))
    if len(names) != docs or names != sorted(p.name for p in other.glob("*.json")):
        return False
    return all((one / n).read_bytes() == (other / n).read_bytes() for n in names)


if __name__ == "__main__":
    main()
