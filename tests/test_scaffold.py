"""`annotate new plugin` and the README's plugin recipe, followed as printed.

The first test builds a venv like the one `make run` leaves (annotate installed, its `pip` and
`annotate` commands; this venv's packages are reached through a .pth file rather than installed
again) and runs the scaffold's printed steps there, verbatim, in a shell.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from annotate.errors import ConfigError
from annotate.scaffold import new_plugin
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def user_venv(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A venv seeing annotate (as installed here) with `pip`, `python` and `annotate` on PATH."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = site.getsitepackages()[0]
    Path(purelib, "_annotate_here.pth").write_text(f"import site; site.addsitedir({here!r})\n")
    for command, module in (("pip", "pip._internal.cli.main"), ("annotate", "annotate.cli")):
        script = venv / "bin" / command
        script.write_text(f"#!{python}\nimport sys\nfrom {module} import main\nsys.exit(main())\n")
        script.chmod(0o755)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env["VIRTUAL_ENV"] = str(venv)
    env.pop("PYTHONPATH", None)
    return venv, env


def shell(commands: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-ec", " && ".join(commands)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_scaffold_steps_work_as_printed(tmp_path, monkeypatch, cli):
    _, env = user_venv(tmp_path)
    monkeypatch.chdir(tmp_path)
    printed = cli("new", "plugin", "acme-words", "--dir", "acme")
    assert printed.exit_code == 0, printed.output
    steps = [line.strip() for line in printed.stdout.splitlines() if line.startswith("  ")]
    assert steps == ["cd acme/acme-words", "pip install -e '.[test]'", "python -m pytest"]
    project = tomllib.loads((tmp_path / "acme/acme-words/pyproject.toml").read_text())
    assert project["project"]["dependencies"] == ["annotate-news>=0.1.0"]
    assert project["project"]["optional-dependencies"]["test"] == ["pytest>=8"]

    ran = shell(steps, tmp_path, env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "4 passed" in ran.stdout

    listing = shell(["annotate plugins --json"], tmp_path, env)
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["acme_words"]["origin"] == "package acme-words 0.1.0"
    assert rows["acme_words"]["active"], rows["acme_words"]

    (tmp_path / "news.txt").write_text("The merger of Acme Corp. and Widget Ltd. closed.\n")
    run = shell(["annotate run news.txt -o out -q"], tmp_path, env)
    assert run.returncode == 0, run.stderr
    record = json.loads((tmp_path / "out" / "news.json").read_text())
    words = [a["text"] for a in record["annotations"] if a["layer"] == "acme_words"]
    assert words == ["merger"]  # joined the default pipeline: no --only needed


def test_readme_plugin_recipe_runs_as_written(tmp_path, monkeypatch, cli):
    section = README[README.index("## Writing a plugin") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    saved_as = re.search(r"Save it as `([^`]+)`", section).group(1)
    command = re.search(r"`(annotate run corpus --plugins-dir [^`]+)`", section).group(1)
    (tmp_path / saved_as).parent.mkdir(parents=True)
    (tmp_path / saved_as).write_text(code)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "shares.txt").write_text("Shares of $MSFT rose 3% on Monday.\n")
    monkeypatch.chdir(tmp_path)
    result = cli(*shlex.split(command)[1:], "-q")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "shares.json").read_text())
    tickers = [a for a in record["annotations"] if a["layer"] == "tickers"]
    assert [(a["text"], a["attrs"]) for a in tickers] == [("$MSFT", {"symbol": "MSFT"})]
    assert record["annotators"]["tickers"]["status"] == "ok"
    assert record["annotators"]["entities"]["status"] == "ok"  # the builtins still run


def test_bad_name_existing_folder_and_taken_names_are_errors(tmp_path, cli):
    with pytest.raises(ConfigError, match="lower-case"):
        new_plugin("Acme Words!", tmp_path)
    assert cli("new", "plugin", "acme", "--dir", tmp_path).exit_code == 0
    again = cli("new", "plugin", "acme", "--dir", tmp_path)
    assert again.exit_code == 2 and "already exists" in again.stderr
    for taken, why in (("entities", "an annotator named 'entities'"), ("json", "module")):
        refused = cli("new", "plugin", taken, "--dir", tmp_path)
        assert refused.exit_code == 2 and why in refused.stderr, refused.stderr
        assert not (tmp_path / taken).exists()
