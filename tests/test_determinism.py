"""Byte-identical output whatever the hash seed, the worker count or the state of the cache."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from annotate.batch import SMALL_INPUT
from conftest import CORPUS

ANNOTATE = [sys.executable, "-c", "from annotate.cli import main; main()"]

ORGS = ["Microsoft", "OpenAI", "Oracle", "Apple", "Samsung", "Nvidia", "Siemens", "Airbus"]
VERBS = [
    "partnered with",
    "sued",
    "competes with",
    "signed a deal with",
    "acquired",
    "teamed up with",
    "is in a price war with",
    "filed a lawsuit against",
]
AMOUNTS = ["$1.5 billion", "€200 million", "£3bn", "US$12 million", "Rs 40 crore", "5% a year"]
WHEN = ["on Jan. 5", "last Tuesday", "by 2030", "in Q3 2024", "three weeks ago", "next year"]


def news(count: int) -> str:
    """``count`` JSON Lines documents: organisations competing and collaborating, with ties."""
    rng = random.Random(11)
    lines = []
    for i in range(count):
        sentences = []
        for _ in range(rng.randint(2, 6)):
            a, b = rng.sample(ORGS, 2)
            sentences.append(
                f"{a} {rng.choice(VERBS)} {b} {rng.choice(WHEN)} for {rng.choice(AMOUNTS)}."
            )
        record = {"id": f"gen-{i:03d}", "date": f"2025-0{1 + i % 9}-1{i % 10}"}
        lines.append(json.dumps({**record, "text": " ".join(sentences)}))
    return "\n".join(lines) + "\n"


def run(inputs: Path, out: Path, seed: str, workers: int, cache: Path | None) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    args = [*ANNOTATE, "run", str(inputs), "-o", str(out), "-f", "jsonl", "-q"]
    args += ["--workers", str(workers)]
    args += ["--cache", str(cache)] if cache else ["--no-cache"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_same_bytes_across_hash_seeds_workers_and_cache(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(CORPUS, inputs)
    # Enough documents that --workers 2 really starts worker processes.
    (inputs / "generated.jsonl").write_text(news(SMALL_INPUT + 4), encoding="utf-8")
    cache = tmp_path / "cache"
    first = run(inputs, tmp_path / "a.jsonl", "0", 1, None)
    assert first.count(b"\n") == SMALL_INPUT + 4 + len(list(CORPUS.glob("*.txt")))
    assert b'"status": "error"' not in first
    assert run(inputs, tmp_path / "b.jsonl", "1", 2, cache) == first  # cold cache
    assert run(inputs, tmp_path / "c.jsonl", "4242", 1, cache) == first  # warm cache
