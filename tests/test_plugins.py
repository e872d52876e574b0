"""Plugin discovery: an installed distribution, a plugins folder, modules, failures, clashes."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest

from annotate.api import build_pipeline, load_registry
from annotate.config import load_config
from annotate.errors import ConfigError, PluginError
from annotate.plugins import PluginWarning
from conftest import DATA, read_outputs

SHOUTY = '''
import annotate

class Shouty(annotate.Annotator):
    """Words in capitals."""
    name = "shouty"
    version = "1.2.0"
    assigns = ("shouty",)
    requires = ("entities",)

    def annotate(self, doc):
        import re
        for m in re.finditer(r"\\b[A-Z]{3,}\\b", doc.text):
            yield annotate.Annotation("shouty", m.start(), m.end(), "CAPS")

@annotate.hookimpl
def register_annotators(register):
    register(Shouty)
'''


@pytest.fixture(scope="module")
def installed_distribution(tmp_path_factory):
    """tests/data/acme-plugin, pip-installed into a folder put on sys.path (for this module
    only: its annotator would join every later test's default pipeline)."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(DATA / "acme-plugin"),
        ],
        check=True,
    )
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    yield site
    sys.path.remove(str(site))


@pytest.fixture
def plugins_dir(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "shouty.py").write_text(SHOUTY)
    (folder / "broken.py").write_text("import no_such_module_anywhere\n")
    return folder


def test_entry_point_plugin_is_listed_and_runs(installed_distribution, cli, tmp_path):
    listing = cli("plugins")
    assert listing.exit_code == 0
    assert "tickers" in listing.stdout and "acme-annotate-tickers 0.3.0" in listing.stdout
    doc = tmp_path / "in.txt"
    doc.write_text("Shares of $MSFT rose while Oracle fell.\n")
    result = cli("run", doc, "-o", tmp_path / "out", "--only", "entities,tickers")
    assert result.exit_code == 0, result.output
    record = read_outputs(tmp_path / "out")["in"]
    tickers = [a for a in record["annotations"] if a["layer"] == "tickers"]
    assert [(t["text"], t["attrs"]["symbol"]) for t in tickers] == [("$MSFT", "MSFT")]
    assert record["annotators"]["tickers"]["plugin"] == "acme_tickers"


def test_plugins_dir_loads_and_a_broken_plugin_is_a_warning(plugins_dir, cli, tmp_path):
    with pytest.warns(PluginWarning, match=r"broken\.py.*no_such_module_anywhere"):
        registry = load_registry(load_config(), plugin_dirs=[plugins_dir])
    entry = registry.annotators["shouty"]
    assert entry.origin == f"plugins dir {plugins_dir}"
    doc = tmp_path / "in.txt"
    doc.write_text("IBM and NASA signed a deal.\n")
    result = cli(
        "run",
        doc,
        "-o",
        tmp_path / "out",
        "--plugins-dir",
        plugins_dir,
        "--only",
        "entities,shouty",
    )
    assert result.exit_code == 0, result.output
    shouty = [
        a for a in read_outputs(tmp_path / "out")["in"]["annotations"] if a["layer"] == "shouty"
    ]
    assert [a["text"] for a in shouty] == ["IBM", "NASA"]


def test_module_plugin_from_the_command_line(plugins_dir, monkeypatch, cli):
    monkeypatch.syspath_prepend(str(plugins_dir))
    listing = cli("plugins", "-p", "shouty")
    assert listing.exit_code == 0 and "shouty" in listing.stdout


def test_two_plugins_claiming_one_name_is_an_error_naming_both(tmp_path, cli):
    folder = tmp_path / "clash"
    folder.mkdir()
    (folder / "impostor.py").write_text(
        SHOUTY.replace('name = "shouty"', 'name = "entities"').replace("shouty", "impostor")
    )
    with pytest.raises(
        PluginError, match=r"'entities': annotate\.annotators\.entities \(builtin\) and impostor"
    ):
        load_registry(load_config(), plugin_dirs=[folder])
    result = cli("plugins", "--plugins-dir", folder)
    assert result.exit_code == 2 and "impostor" in result.stderr


@pytest.mark.filterwarnings("ignore::annotate.plugins.PluginWarning")
def test_missing_requirement_fails_at_start_naming_the_provider(plugins_dir):
    with pytest.raises(ConfigError, match=r"'shouty' requires layer 'entities'.*add entities"):
        build_pipeline(plugin_dirs=[plugins_dir], only=["shouty"])


def test_annotator_error_is_recorded_and_others_are_kept(tmp_path, cli):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "flaky.py").write_text(
        textwrap.dedent("""
        import annotate

        class Flaky(annotate.Annotator):
            name = "flaky"
            assigns = ("flaky",)

            def annotate(self, doc):
                if "poison" in doc.text:
                    raise RuntimeError("cannot digest this")
                return []

        @annotate.hookimpl
        def register_annotators(register):
            register(Flaky)
    """)
    )
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text("Kestrel Robotics Inc. ate poison.\n")
    (docs / "b.txt").write_text("Kestrel Robotics Inc. ate bread.\n")
    args = (
        "run",
        docs,
        "-o",
        tmp_path / "out",
        "--plugins-dir",
        folder,
        "--only",
        "entities,flaky",
    )
    result = cli(*args)
    assert result.exit_code == 1
    assert "a.txt: annotator 'flaky' failed: RuntimeError: cannot digest this" in result.stderr
    outputs = read_outputs(tmp_path / "out")
    assert outputs["a"]["annotators"]["flaky"] == {
        "version": "0.0.0",
        "plugin": "flaky",
        "status": "error",
        "error": "RuntimeError: cannot digest this",
    }
    assert outputs["a"]["annotators"]["entities"]["status"] == "ok"
    assert any(a["layer"] == "entities" for a in outputs["a"]["annotations"])
    assert outputs["b"]["annotators"]["flaky"]["status"] == "ok"

    stopped = cli(*args, "--fail-fast", "-o", tmp_path / "out2")
    assert stopped.exit_code == 1 and "--fail-fast" in stopped.stderr
