"""Shared fixtures. The annotate test kit (annotate.testing) is loaded as a pytest plugin."""

from __future__ import annotations

import json
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


def read_outputs(folder: Path) -> dict[str, dict]:
    """Every OUT/*.json record, by document id."""
    records = (json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json")))
    return {r["id"]: r for r in records}
