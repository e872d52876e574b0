"""`annotate new plugin`: the generated package installs, passes its tests, and runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.errors import ConfigError
from annotate.scaffold import new_plugin

BIN = Path(sys.executable).parent


def test_generated_plugin_installs_tests_green_and_runs(tmp_path):
    folder = new_plugin("acme-words", tmp_path)
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, folder],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout

    listing = subprocess.run(
        [BIN / "annotate", "plugins"], env=env, capture_output=True, text=True, check=True
    )
    assert "acme_words" in listing.stdout and "package acme-words 0.1.0" in listing.stdout

    doc = tmp_path / "news.txt"
    doc.write_text("The merger of Acme Corp. and Widget Ltd. closed.\n")
    out = tmp_path / "out"
    subprocess.run(
        [BIN / "annotate", "run", doc, "-o", out, "--only", "entities,acme_words", "-q"],
        env=env,
        check=True,
    )
    record = json.loads((out / "news.json").read_text())
    words = [a["text"] for a in record["annotations"] if a["layer"] == "acme_words"]
    assert words == ["merger"]


def test_bad_name_and_existing_folder_are_errors(tmp_path, cli):
    with pytest.raises(ConfigError, match="lower-case"):
        new_plugin("Acme Words!", tmp_path)
    assert cli("new", "plugin", "acme", "--dir", tmp_path).exit_code == 0
    again = cli("new", "plugin", "acme", "--dir", tmp_path)
    assert again.exit_code == 2 and "already exists" in again.stderr
