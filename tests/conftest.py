"""Shared fixtures. The annotate test kit (annotate.testing) is loaded as a pytest plugin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import make_app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Keep the result cache of every test out of the user's ~/.cache."""
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    """A plugins folder with the test annotators of test_batch (Upper, Count, Length, Trouble)."""
    from test_batch import PLUGIN

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "scale_test_plugin.py").write_text(PLUGIN)
    return folder


@pytest.fixture(scope="session")
def app():
    return make_app()


@pytest.fixture
def cli(app):
    """``cli(*args)`` runs the annotate command in-process and returns the click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


CHROMIUM = Path("/usr/bin/chromium")


def chromium(*args: str, tmp_path: Path, window: str = "1200,900", timeout: int = 60):
    """Run headless Chromium (Debian's package) on a page, offline, in a fresh profile."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={window}",
    ]
    return subprocess.run(
        [str(CHROMIUM), *flags, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
    )


def read_outputs(folder: Path) -> dict[str, dict]:
    """Every OUT/*.json record, by document id."""
    records = (json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json")))
    return {r["id"]: r for r in records}
