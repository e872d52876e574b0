"""Killed with SIGKILL at any moment, a re-run completes the output with no partial file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotate.cli.run import annotate_paths
from annotate.schema import validate
from test_batch import outputs

ANNOTATE = [sys.executable, "-c", "from annotate.cli import main; main()"]


def write_news(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        body = " ".join(
            f"Kestrel Robotics Inc. hired Maria Rossi {i} in Berlin on {j + 1} March 2024 "
            f"for ${i + j} million."
            for j in range(12)
        )
        (folder / f"n{i:03d}.txt").write_text(f"---\nid: n{i:03d}\n---\n{body}\n")
    return folder


def start(docs: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*ANNOTATE, "run", str(docs), "-o", str(out), "--workers", "2", "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(out: Path, count: int, process: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if out.is_dir() and len(list(out.glob("*.json"))) >= count:
            return
        time.sleep(0.01)


def check_complete_files(out: Path, killed: bool = False) -> None:
    """Every .json is whole and valid; after a kill only a temp file may be left over."""
    for path in out.iterdir():
        if killed and path.name.startswith(".") and path.suffix == ".tmp":
            continue  # a kill between write and rename; the next run removes it
        assert path.suffix == ".json", f"left behind: {path.name}"
        validate(json.loads(path.read_text()))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_then_rerun_gives_complete_valid_output(tmp_path):
    docs = write_news(tmp_path / "in", 120)
    out = tmp_path / "out"
    env = {**os.environ, "ANNOTATE_CACHE_DIR": str(tmp_path / "cache")}
    for target in (1, 60):  # kill early, then again part-way through the re-run
        process = start(docs, out, env)
        wait_for(out, target, process)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        check_complete_files(out, killed=True)
    done_before = len(list(out.glob("*.json")))

    report = tmp_path / "report.json"
    rerun = subprocess.run(
        [*ANNOTATE, "run", str(docs), "-o", str(out), "--report", str(report), "-q"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr.decode()
    summary = json.loads(report.read_text())
    assert summary["documents"]["skipped"] == done_before
    assert summary["documents"]["ok"] + done_before == 120
    check_complete_files(out)

    fresh = tmp_path / "fresh"
    annotate_paths([str(docs)], str(fresh), workers=1, use_cache=False)
    assert outputs(out) == outputs(fresh)


def test_temp_files_of_a_killed_run_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path / "cache"))
    docs = write_news(tmp_path / "in", 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".n000.json.abc123.tmp").write_text('{"half": ')
    annotate_paths([str(docs)], str(out), workers=1)
    assert sorted(p.name for p in out.iterdir()) == ["n000.json", "n001.json"]
