"""The batch job: summary, resume, the per-annotator cache, timeouts, the cache command."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from annotate.batch import SMALL_INPUT
from annotate.cli import cache as cache_cli
from annotate.cli.cache import cache_clear, cache_info
from annotate.cli.run import annotate_paths
from annotate.schema import validate

PLUGIN = textwrap.dedent("""
    import os
    import re
    import time

    import annotate


    def _log(name):
        path = os.environ.get("SCALE_TEST_LOG")
        if path:
            with open(path, "a") as handle:
                handle.write(name + "\\n")


    class Upper(annotate.Annotator):
        name = "upper"
        version = "1.0"
        assigns = ("caps",)
        default_config = {"min": 2}

        def annotate(self, doc):
            _log("upper")
            for m in re.finditer(r"\\b[A-Z]{%d,}\\b" % self.config["min"], doc.text):
                yield annotate.Annotation("caps", m.start(), m.end(), "CAPS", {"n": len(m[0])})


    class Count(annotate.Annotator):
        name = "count"
        version = "1.0"
        requires = ("caps",)
        assigns = ("capcount",)

        def annotate(self, doc):
            _log("count")
            doc.document["capcount"] = len(doc.layer("caps"))
            return []


    class Length(annotate.Annotator):
        name = "length"
        version = "1.0"
        assigns = ("length",)

        def annotate(self, doc):
            _log("length")
            doc.document["length"] = len(doc.text)
            return []


    class Trouble(annotate.Annotator):
        name = "trouble"
        assigns = ("trouble",)

        def annotate(self, doc):
            if "SLEEP" in doc.text:
                time.sleep(60)
            if "RAISE" in doc.text:
                raise RuntimeError("poisoned")
            if "EXIT" in doc.text:
                marker = os.environ.get("SCALE_TEST_MARKER")
                if marker is None or not os.path.exists(marker):
                    if marker:
                        open(marker, "w").close()
                    os._exit(3)  # the worker process dies
            return []


    @annotate.hookimpl
    def register_annotators(register):
        for cls in (Upper, Count, Length, Trouble):
            register(cls)
""")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(cache))
    return cache


def write_docs(folder: Path, count: int, special: dict[int, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        extra = (special or {}).get(i, "")
        text = f"Doc {i}: the NASA and ESA teams met {'IBM ' * (i % 3)}in Paris. {extra}\n"
        (folder / f"d{i:03d}.txt").write_text(text)
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


def calls(log: Path) -> dict[str, int]:
    names = log.read_text().split() if log.exists() else []
    return {n: names.count(n) for n in sorted(set(names))}


def test_rerun_skips_what_is_done_and_force_redoes_it(tmp_path, plugin_dir):
    docs = write_docs(tmp_path / "in", 5)
    out = tmp_path / "out"
    run = dict(plugin_dirs=[plugin_dir], only=["upper", "count"], workers=1)
    first = annotate_paths([str(docs)], str(out), **run)
    assert (first.ok, first.skipped, first.failed) == (5, 0, 0)
    before = outputs(out)
    for record in map(json.loads, before.values()):
        validate(record)
        assert set(record["provenance"]) == {"input", "pipeline", "text_sha256"}
        assert "fingerprint" not in record["meta"] and "sha256" not in record["meta"]

    again = annotate_paths([str(docs)], str(out), **run)
    assert (again.ok, again.skipped) == (0, 5)
    assert again.to_json()["documents"] == {"ok": 0, "failed": 0, "skipped": 5}

    (docs / "d001.txt").write_text("A CHANGED text.\n")
    changed = annotate_paths([str(docs)], str(out), **run)
    assert (changed.ok, changed.skipped) == (1, 4)

    forced = annotate_paths([str(docs)], str(out), force=True, **run)
    assert (forced.ok, forced.skipped) == (5, 0)


def test_changing_one_annotators_config_reruns_it_and_its_dependents_only(
    tmp_path, plugin_dir, monkeypatch
):
    log = tmp_path / "calls.log"
    monkeypatch.setenv("SCALE_TEST_LOG", str(log))
    docs = write_docs(tmp_path / "in", 4)
    run = dict(plugin_dirs=[plugin_dir], only=["upper", "count", "length"], workers=1)
    annotate_paths([str(docs)], str(tmp_path / "a"), **run)
    assert calls(log) == {"count": 4, "length": 4, "upper": 4}

    log.unlink()
    config = tmp_path / "annotate.yaml"
    config.write_text("annotators:\n  upper: {min: 4}\n")  # ESA and IBM are no longer caps
    summary = annotate_paths([str(docs)], str(tmp_path / "a"), config=config, **run)
    assert summary.ok == 4  # the pipeline fingerprint changed: no document is skipped
    assert calls(log) == {"count": 4, "upper": 4}  # length came from the cache
    assert summary.cached == {"length": 4}

    # upper runs again, finds what it found before: count's input is unchanged, so cached.
    log.unlink()
    same = tmp_path / "same.yaml"
    same.write_text("annotators:\n  upper: {min: 3}\n")
    annotate_paths([str(docs)], str(tmp_path / "a"), config=same, **run)
    assert calls(log) == {"upper": 4}

    # Cached results give the same bytes as a fresh run.
    log.unlink()
    annotate_paths([str(docs)], str(tmp_path / "b"), config=config, **run)
    assert not log.exists()  # everything from the cache
    annotate_paths([str(docs)], str(tmp_path / "c"), config=config, use_cache=False, **run)
    assert calls(log) == {"count": 4, "length": 4, "upper": 4}
    assert outputs(tmp_path / "b") == outputs(tmp_path / "c")


def test_cache_info_and_clear(tmp_path, plugin_dir, own_cache):
    docs = write_docs(tmp_path / "in", 3)
    run = dict(plugin_dirs=[plugin_dir], only=["upper", "length"], workers=1)
    annotate_paths([str(docs)], str(tmp_path / "out"), **run)
    info = cache_info()
    assert info["entries"] == {"length": 3, "upper": 3}
    assert info["path"].startswith(str(own_cache))
    assert cache_clear(annotators=["upper"]) == 3
    assert cache_info()["entries"] == {"length": 3}

    app = typer.Typer()
    cache_cli.register_commands(app)
    runner = CliRunner()
    shown = runner.invoke(app, ["cache", "info", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["entries"] == {"length": 3}
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0
    assert "removed 3" in cleared.stdout
    assert cache_info()["entries"] == {}


def test_no_cache_leaves_nothing_behind(tmp_path, plugin_dir, own_cache):
    docs = write_docs(tmp_path / "in", 2)
    annotate_paths(
        [str(docs)],
        str(tmp_path / "out"),
        plugin_dirs=[plugin_dir],
        only=["upper"],
        use_cache=False,
    )
    assert not own_cache.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["d000.json", "d001.json"]


def test_a_poisonous_document_is_reported_and_the_rest_written(tmp_path, plugin_dir, cli):
    docs = write_docs(tmp_path / "in", 6, {2: "RAISE", 4: "SLEEP"})
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    result = cli(
        "run",
        docs,
        "-o",
        out,
        "--plugins-dir",
        plugin_dir,
        "--only",
        "upper,trouble",
        "--timeout-per-doc",
        "0.5",
        "--report",
        report,
        "--workers",
        "1",
    )
    assert result.exit_code == 1
    assert "d002.txt: annotator 'trouble' failed: RuntimeError: poisoned" in result.stderr
    assert "d004.txt: annotator 'trouble' failed: DocumentTimeout" in result.stderr
    records = {json.loads(b)["id"]: json.loads(b) for b in outputs(out).values()}
    assert len(records) == 6
    assert records["d004"]["annotators"]["trouble"]["status"] == "error"
    assert "--timeout-per-doc" in records["d004"]["annotators"]["trouble"]["error"]
    assert records["d004"]["annotators"]["upper"]["status"] == "ok"
    assert records["d005"]["annotators"]["trouble"]["status"] == "ok"
    summary = json.loads(report.read_text())
    assert summary["documents"] == {"ok": 6, "failed": 0, "skipped": 0}
    assert summary["annotator_errors"] == {"trouble": 2}


def test_small_inputs_run_in_process_and_summary_is_printed(tmp_path, plugin_dir, cli):
    docs = write_docs(tmp_path / "in", 3)
    result = cli(
        "run",
        docs,
        "-o",
        tmp_path / "out",
        "--plugins-dir",
        plugin_dir,
        "--only",
        "upper",
        "--report",
        tmp_path / "r.json",
    )
    assert result.exit_code == 0
    assert "3 ok, 0 failed, 0 resumed" in result.stderr
    assert "annotating" not in result.stderr  # no progress bar when not on a terminal
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["workers"] == 1 < SMALL_INPUT
    assert report["annotations"] == {"caps": 9}
    rerun = cli("run", docs, "-o", tmp_path / "out", "--plugins-dir", plugin_dir, "--only", "upper")
    assert "0 ok, 0 failed, 3 resumed" in rerun.stderr


def test_the_report_splits_the_workers_cpu_between_spacy_and_the_annotators(tmp_path, cli):
    docs = write_docs(tmp_path / "in", 3)
    report = tmp_path / "r.json"
    args = ("run", docs, "-o", tmp_path / "out", "--no-cache", "--report", report)
    assert cli(*args, "--only", "entities").exit_code == 0
    cpu = json.loads(report.read_text())
    assert cpu["spacy_cpu_seconds"] > 0 and cpu["annotators_cpu_seconds"] > 0
    assert cli(*args, "--only", "money", "--force").exit_code == 0  # needs no parse
    assert json.loads(report.read_text())["spacy_cpu_seconds"] < 0.01


def test_the_cache_key_covers_the_modules_an_annotator_imports(tmp_path, monkeypatch):
    from annotate.cache import _source_hash

    package = tmp_path / "acme_keys"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tables.py").write_text("WORDS = ['a']\n")
    (package / "annotator.py").write_text(
        "from acme_keys.tables import WORDS\n\nclass Keyed:\n    words = WORDS\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from acme_keys.annotator import Keyed

    before = _source_hash(Keyed)
    (package / "tables.py").write_text("WORDS = ['a', 'b']\n")
    assert _source_hash(Keyed) != before  # an imported module of its own package changed
