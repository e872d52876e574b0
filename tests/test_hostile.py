"""The contract holds against hostile input, hostile plugins and hostile output paths."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import read_outputs

ANNOTATE = [sys.executable, "-c", "from annotate.cli import main; main()"]


def strict(text: str):
    """json.loads that refuses NaN and Infinity, as every other JSON parser does."""

    def refuse(name: str):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


# -- front matter and other input -------------------------------------------------------------

BOMB = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("---\ndate: 2025-13-45\n---\nOracle grew.\n", "line 2: '2025-13-45' is not a valid date"),
        ("---\ndate: 2025-01-02 25:00:00\n---\nOracle grew.\n", "hour must be in 0..23"),
        ("---\ntitle: !!binary aGVsbG8=\n---\nOracle grew.\n", "!!binary is not allowed"),
        ("---\ntags: !!set {a, b}\n---\nOracle grew.\n", "!!set is not allowed"),
        ("---\nscore: .nan\n---\nOracle grew.\n", "'.nan' is not a finite number"),
        ("---\ndate: yesterday\n---\nOracle grew.\n", "date 'yesterday' is not a valid date"),
        ("---\nid: [a, b]\n---\nOracle grew.\n", "id must be a string, not list"),
        ("---\nid: {a: 1}\n---\nOracle grew.\n", "id must be a string, not dict"),
        ("---\nid: '  '\n---\nOracle grew.\n", "blank id"),
        (BOMB + "---\nOracle grew.\n", "aliases (*name) are not allowed"),
        ("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nText.\n", "nested too deeply"),
    ],
)
def test_bad_front_matter_value_fails_that_document_only(cli, tmp_path, data, message):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a-good.txt").write_text("---\nid: good\ndate: 2025-02-01\n---\nOracle grew.\n")
    (docs / "bad.txt").write_text(data)
    (docs / "z-good.txt").write_text("---\nid: later\n---\nOracle fell.\n")
    started = time.monotonic()
    result = cli("run", docs, "-o", tmp_path / "out", "--only", "money", "-q")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    [line] = error_lines(result)
    assert "bad.txt" in line and message in line
    assert sorted(read_outputs(tmp_path / "out")) == ["good", "later"]


def test_bad_jsonl_values_fail_their_line_only(cli, tmp_path):
    lines = [
        '{"text": "Oracle grew.", "id": {"a": 1}}',
        '{"text": "Oracle grew.", "x": NaN}',
        '{"text": "Oracle grew.", "x": 1e999}',
        '{"text": "Oracle grew.", "date": "2025-13-45"}',
        '{"text": "Oracle \\ud800 grew."}',
        '{"text": "Oracle grew.", "id": ["x"]}',
        '{"text": "Oracle grew.", "id": "ok"}',
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    result = cli("run", tmp_path / "in.jsonl", "-o", tmp_path / "out", "--only", "money", "-q")
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 6, result.stderr
    for number, message in [
        (1, "id must be a string, not dict"),
        (2, "NaN"),
        (3, "1e999"),
        (4, "'2025-13-45' is not a valid date"),
        (5, "surrogate"),
        (6, "id must be a string, not list"),
    ]:
        assert any(f"line {number}" in e and message in e for e in errors), (number, errors)
    assert list(read_outputs(tmp_path / "out")) == ["ok"]


def test_input_size_is_checked_before_reading(cli, tmp_path, monkeypatch):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "good.txt").write_text("Oracle grew.\n")
    with (docs / "huge.txt").open("wb") as handle:
        handle.truncate(50_000_000)  # 50 MB, sparse
    read = pathlib.Path.read_bytes

    def read_bytes(self):
        assert self.name != "huge.txt", "the 50 MB file was read"
        return read(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    result = cli("run", docs, "-o", tmp_path / "out", "--only", "money", "-q")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert "huge.txt" in line and "50,000,000 bytes" in line and "max_chars" in line
    assert list(read_outputs(tmp_path / "out")) == ["good"]


def test_missing_input_is_a_usage_error(cli, tmp_path):
    (tmp_path / "good.txt").write_text("Oracle grew.\n")
    result = cli("run", tmp_path / "good.txt", tmp_path / "nope", "-o", tmp_path / "out")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "nope" in line and "no such file or folder" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("doc_id", ["<>", "", "..", "."])
def test_no_id_becomes_a_hidden_or_empty_file_name(cli, tmp_path, doc_id):
    (tmp_path / "in.jsonl").write_text(json.dumps({"text": "Oracle grew.", "id": "ok"}) + "\n")
    (tmp_path / "odd.txt").write_text(f"---\nid: '{doc_id}'\n---\nOracle grew.\n")
    result = cli(
        "run", tmp_path / "in.jsonl", tmp_path / "odd.txt", "-o", tmp_path / "out", "-q",
        "--only", "money",
    )  # fmt: skip
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert all(not n.startswith(".") and n != ".json" for n in names), names
    assert result.exit_code == 0 or (result.exit_code == 1 and "blank id" in result.stderr)


# -- plugins ----------------------------------------------------------------------------------

HOSTILE = textwrap.dedent("""
    import datetime

    import annotate
    from annotate import Annotation


    class Base(annotate.Annotator):
        name = "base"
        version = "1.0"
        assigns = ("base",)

        def annotate(self, doc):
            yield Annotation("base", 0, 3, "FIRST", {"n": 1})


    def span(label="X", attrs=None, start=0, end=3):
        return [Annotation("hostile", start, end, label, {} if attrs is None else attrs)]


    def change_text(doc):
        doc.text = doc.text.upper()
        return []


    def delete(doc):
        doc.annotations.clear()
        return []


    def move(doc):
        doc.annotations[0].start = 1
        return []


    def exit(doc):
        raise SystemExit(3)


    def ctrl_c(doc):
        raise KeyboardInterrupt


    def doc_set(doc):
        doc.document["hostile"] = {1, 2}
        return []


    BEHAVIOUR = {
        "set": lambda doc: span(attrs={"v": {1, 2}}),
        "when": lambda doc: span(attrs={"when": datetime.date(2025, 1, 2)}),
        "nan": lambda doc: span(attrs={"score": float("nan")}),
        "inf": lambda doc: span(attrs={"deep": [{"score": float("-inf")}]}),
        "label": lambda doc: span(label=5),
        "attrs": lambda doc: span(attrs=["a"]),
        "float": lambda doc: span(start=1.5),
        "bool": lambda doc: span(start=True),
        "range": lambda doc: span(end=10**6),
        "key": lambda doc: span(attrs={1: "a"}),
        "dict": lambda doc: [{"start": 0, "end": 3}],
        "text": change_text,
        "delete": delete,
        "move": move,
        "exit": exit,
        "ctrl": ctrl_c,
        "docset": doc_set,
        "twice": lambda doc: span() * 2,
    }


    class Hostile(annotate.Annotator):
        name = "hostile"
        version = "1.0"
        assigns = ("hostile",)
        requires = ("base",)

        def annotate(self, doc):
            return BEHAVIOUR[doc.text.split()[0]](doc)


    @annotate.hookimpl
    def register_annotators(register):
        register(Base)
        register(Hostile)
""")

CASES = {
    "set": "attrs['v'] is {1, 2} of type set",
    "when": "datetime.date(2025, 1, 2) of type date",
    "nan": "attrs['score'] is nan, not a finite number",
    "inf": "attrs['deep'][0]['score'] is -inf",
    "label": "label 5 of type int",
    "attrs": "attrs ['a'] of type list, not dict",
    "float": "start=1.5 of type float",
    "bool": "start=True of type bool",
    "range": "span 0-1000000 is outside the text",
    "key": "key 1 of type int",
    "dict": "returned {'start': 0, 'end': 3} of type dict, not an Annotation",
    "text": "changed doc.text",
    "delete": "removed",
    "move": "changed the annotation T1 of layer 'base'",
    "exit": "SystemExit: 3",
    "ctrl": "KeyboardInterrupt",
    "docset": "document['hostile'] is {1, 2} of type set",
    "twice": "returned the same Annotation object twice",
}


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "hostile_plugin.py").write_text(HOSTILE)
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_hostile_plugin_fails_only_itself_on_that_document(cli, tmp_path, hostile_dir, workers):
    docs = tmp_path / "in"
    docs.mkdir()
    for what in CASES:
        (docs / f"{what}.txt").write_text(f"{what} is the word here.\n")
    args = ["run", docs, "-o", tmp_path / "out", "--plugins-dir", hostile_dir, "-q"]
    result = cli(*args, "--only", "base,hostile", "--workers", workers, "--no-cache")
    assert result.exit_code == 1, result.output
    outputs = {p.stem: strict(p.read_text()) for p in (tmp_path / "out").glob("*.json")}
    assert sorted(outputs) == sorted(CASES)
    for what, message in CASES.items():
        record = outputs[what]
        status = record["annotators"]["hostile"]
        assert status["status"] == "error", what
        assert message in status["error"], (what, status["error"])
        if status["error"].startswith("ContractError"):
            assert "plugin hostile_plugin" in status["error"]
        assert record["text"] == f"{what} is the word here.\n"
        assert [(a["layer"], a["start"], a["end"]) for a in record["annotations"]] == [
            ("base", 0, 3)
        ], what
        assert "hostile" not in record["document"]
        assert any(f"{what}.txt" in line and "'hostile'" in line for line in error_lines(result))


def test_plugin_nan_never_reaches_the_output_or_the_cache(cli, tmp_path, hostile_dir):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "nan.txt").write_text("nan is the word here.\n")
    args = ["run", docs, "-f", "jsonl", "--plugins-dir", hostile_dir, "--only", "base,hostile"]
    args += ["--cache", tmp_path / "cache", "-q"]
    for _ in range(2):  # the second run would read a cached NaN
        result = cli(*args, "-o", tmp_path / "out.jsonl")
        assert result.exit_code == 1
        [record] = [strict(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
        assert record["annotators"]["hostile"]["status"] == "error"


SLOW = textwrap.dedent("""
    import time

    import annotate


    class Slow(annotate.Annotator):
        name = "slow"
        version = "1.0"
        assigns = ("slow",)

        def annotate(self, doc):
            time.sleep(0.3)
            return []


    @annotate.hookimpl
    def register_annotators(register):
        register(Slow)
""")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_keeps_what_is_written_and_says_how_to_resume(tmp_path, workers):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "slow_plugin.py").write_text(SLOW)
    docs = tmp_path / "in"
    docs.mkdir()
    for i in range(60):
        (docs / f"d{i:02d}.txt").write_text(f"Document {i}.\n")
    out = tmp_path / "out"
    config = tmp_path / "annotate.yaml"
    config.write_text("batch_size: 1\n")  # written one by one, so Ctrl-C comes mid-run
    args = [*ANNOTATE, "run", str(docs), "-o", str(out), "--plugins-dir", str(plugins)]
    args += ["--only", "slow", "--no-cache", "-q", "--workers", workers, "--config", str(config)]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 2:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    written = len(list(out.glob("*.json")))
    assert 2 <= written < 60
    assert f"interrupted: {written} written; run the same command again to resume" in stderr
    assert "Traceback" not in stderr
    assert not [p for p in out.iterdir() if p.suffix != ".json"]


# -- output paths -----------------------------------------------------------------------------


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text("Oracle grew.\n")
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_jsonl_output_refuses_a_fifo_a_symlink_and_a_foreign_file(cli, tmp_path, doc):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = tmp_path / "target.txt"
    target.write_text("precious\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    for out, problem in [
        (fifo, "not a regular file"),
        (Path("/dev/null"), "not a regular file"),
        (link, "symbolic link"),
        (target, "not annotate JSON Lines output"),
    ]:
        result = cli("run", doc, "-f", "jsonl", "-o", out, "--only", "money", "-q")
        assert result.exit_code == 2, (out, result.output)
        [line] = error_lines(result)
        assert str(out) in line and problem in line
    assert fifo.is_fifo() and link.is_symlink() and target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "doc.txt",
        "fifo",
        "link.jsonl",
        "target.txt",
    ]


def test_jsonl_output_replaces_its_own_earlier_file(cli, tmp_path, doc):
    out = tmp_path / "all.jsonl"
    for _ in range(2):
        result = cli("run", doc, "-f", "jsonl", "-o", out, "--only", "money", "-q")
        assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 1


def test_json_output_naming_a_file_is_a_usage_error(cli, tmp_path, doc):
    result = cli("run", doc, "-o", doc, "--only", "money", "-q")
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr
    assert doc.read_text() == "Oracle grew.\n"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_unwritable_output_is_one_line_and_exit_2(cli, tmp_path, doc, fmt):
    out = "/proc/annotate-cannot-write/out"
    result = cli("run", doc, "-f", fmt, "-o", out, "--only", "money", "-q")
    assert result.exit_code == 2, result.output
    [line] = error_lines(result)
    assert out in line and "Traceback" not in result.output


def test_only_temp_files_of_dead_runs_are_removed(cli, tmp_path, doc):
    out = tmp_path / "out"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    try:
        live = out / f".x.json.{sleeper.pid}-abc.tmp"
        stale = out / f".y.json.{dead_pid}-abc.tmp"
        legacy = out / ".z.json.abc123.tmp"
        live_jsonl = out / f".all.jsonl.{sleeper.pid}-abc.tmp"
        stale_jsonl = out / f".all.jsonl.{dead_pid}-abc.tmp"
        for path in (live, stale, legacy, live_jsonl, stale_jsonl):
            path.write_text('{"half": ')
        assert cli("run", doc, "-o", out, "--only", "money", "-q").exit_code == 0
        assert live.exists() and not stale.exists() and not legacy.exists()
        result = cli("run", doc, "-f", "jsonl", "-o", out / "all.jsonl", "--only", "money", "-q")
        assert result.exit_code == 0
        assert live_jsonl.exists() and not stale_jsonl.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_duplicate_ids_are_reported_in_jsonl_too(cli, tmp_path):
    (tmp_path / "in.jsonl").write_text(
        '{"id": "same", "text": "Oracle grew."}\n{"id": "same", "text": "Oracle fell."}\n'
    )
    out = tmp_path / "all.jsonl"
    result = cli("run", tmp_path / "in.jsonl", "-f", "jsonl", "-o", out, "--only", "money", "-q")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert "duplicate document id 'same'" in line and "in.jsonl:1" in line
    assert len(out.read_text().splitlines()) == 1


# -- the result cache -------------------------------------------------------------------------


def test_garbage_cache_file_is_rebuilt_and_never_blocks(cli, tmp_path, doc):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cache.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    env = {**os.environ, "ANNOTATE_CACHE_DIR": str(cache)}

    def annotate(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*ANNOTATE, *args], env=env, capture_output=True, text=True)

    run = annotate("run", str(doc), "-o", str(tmp_path / "out"), "--only", "money", "-q")
    assert run.returncode == 0, run.stderr
    assert "warning:" in run.stderr and "corrupt" in run.stderr and "Traceback" not in run.stderr
    assert (tmp_path / "out" / "doc.json").exists()
    from annotate.cache import CacheWarning

    for command in ("info", "clear"):
        (cache / "cache.sqlite").write_bytes(os.urandom(3000))
        with pytest.warns(CacheWarning, match="corrupt"):
            result = cli("cache", command, "--cache", cache)
        assert result.exit_code == 0, result.output


def test_tampered_cache_entry_is_a_miss(cli, tmp_path):
    import sqlite3

    from annotate.cache import CacheWarning

    (tmp_path / "d.txt").write_text("Oracle paid $5 million for it.\n")
    cache = tmp_path / "cache"
    args = ["run", tmp_path / "d.txt", "--only", "money", "--cache", cache, "-q"]
    assert cli(*args, "-o", tmp_path / "first").exit_code == 0
    db = sqlite3.connect(cache / "cache.sqlite")
    with db:
        db.execute("UPDATE results SET value = replace(value, '5000000', '9')")
    db.close()
    with pytest.warns(CacheWarning, match="corrupt entry"):
        assert cli(*args, "-o", tmp_path / "second").exit_code == 0
    first, second = read_outputs(tmp_path / "first"), read_outputs(tmp_path / "second")
    assert first == second and "5000000" in json.dumps(first)


def test_unwritable_cache_is_one_line_and_exit_2(cli, tmp_path, doc):
    result = cli("run", doc, "-o", tmp_path / "out", "--only", "money", "--cache", "/proc/x/c")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "/proc/x/c" in line and "--no-cache" in line


# -- show and config --------------------------------------------------------------------------


def test_show_never_passes_terminal_escapes_through(cli, tmp_path):
    (tmp_path / "evil.txt").write_text(
        "Oracle paid $5 million.\x1b]0;owned\x07\x1b[2J\x9b31m done\n"
    )
    assert (
        cli("run", tmp_path / "evil.txt", "-o", tmp_path / "out", "--only", "money").exit_code == 0
    )
    record = json.loads((tmp_path / "out" / "evil.json").read_text())
    record["annotations"][0]["label"] = "MONEY\x1b[5m"
    (tmp_path / "out" / "evil.json").write_text(json.dumps(record))
    result = cli("show", tmp_path / "out" / "evil.json")
    assert result.exit_code == 0, result.output
    assert "Oracle paid" in result.stdout and "MONEY" in result.stdout
    assert not any(c in result.stdout for c in "\x1b\x07\x9b"), repr(result.stdout)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("merge:\n  subsumes: 5\n", "line 2: 'merge.subsumes' must be a mapping"),
        ("max_chars: -1\n", "line 1: 'max_chars' must be at least 1, got -1"),
        ("model: auto\nbatch_size: true\n", "line 2: 'batch_size' must be an integer, got True"),
        ("pipeline: [money, 3]\n", "line 1: 'pipeline[1]' must be a string, got 3"),
        ("annotators:\n  dates:\n    fiscal_year_start: x\n", "line 3: annotators.dates.fiscal"),
    ],
)
def test_config_value_of_the_wrong_type_names_file_and_line(cli, tmp_path, doc, yaml_text, message):
    config = tmp_path / "annotate.yaml"
    config.write_text(yaml_text)
    result = cli("run", doc, "-o", tmp_path / "out", "--config", config)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert f"{config}, {message}" in line


ODD_READER = textwrap.dedent("""
    import annotate
    from annotate.model import Document


    class OddReader:
        name = "odd"
        extensions = (".odd",)

        def read(self, source, data):
            yield Document(id="", text="Blank id.")
            yield Document(id="nan", text="Meta NaN.", meta={"score": float("nan")})
            yield Document(id="fine", text="Oracle grew.")
            raise RuntimeError("the reader broke")


    @annotate.hookimpl
    def register_readers(register):
        register(OddReader())
""")


def test_reader_plugin_documents_are_checked_too(cli, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "odd_reader.py").write_text(ODD_READER)
    (tmp_path / "x.odd").write_text("anything")
    args = ["run", tmp_path / "x.odd", "-o", tmp_path / "out", "--plugins-dir", plugins]
    result = cli(*args, "--only", "money", "-q")
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 3, result.stderr
    assert "ids are non-blank strings" in errors[0]
    assert "meta['score'] is nan" in errors[1]
    assert "reader 'odd' failed: RuntimeError: the reader broke" in errors[2]
    assert list(read_outputs(tmp_path / "out")) == ["fine"]


# -- timeouts that hold -----------------------------------------------------------------------

STUBBORN = textwrap.dedent("""
    import time

    import annotate


    class Stubborn(annotate.Annotator):
        name = "stubborn"
        version = "1.0"
        assigns = ("stubborn",)

        def annotate(self, doc):
            if "LOOP" in doc.text:  # swallows DocumentTimeout and goes on
                while True:
                    try:
                        time.sleep(0.01)
                    except Exception:
                        pass
            if "CLOOP" in doc.text:  # a C loop that holds the GIL and checks no signals
                sum(range(10**15))
            return [annotate.Annotation("stubborn", 0, 1, "FIRST")]


    @annotate.hookimpl
    def register_annotators(register):
        register(Stubborn)
""")


def test_timeout_stops_an_annotator_that_ignores_it(cli, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "stubborn_plugin.py").write_text(STUBBORN)
    docs = tmp_path / "in"
    docs.mkdir()
    for name, text in [("a", "Fine."), ("b", "LOOP here."), ("c", "CLOOP here."), ("d", "Ok.")]:
        (docs / f"{name}.txt").write_text(text + "\n")
    started = time.monotonic()
    result = cli(
        "run", docs, "-o", tmp_path / "out", "--plugins-dir", plugins, "--only", "stubborn",
        "--timeout-per-doc", "0.5", "--workers", "1", "--no-cache", "-q",
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, result.output
    errors = error_lines(result)
    assert len(errors) == 2, result.stderr
    for name in ("b", "c"):
        assert any(
            f"{name}.txt" in e and "timed out" in e and "--timeout-per-doc 0.5s" in e
            for e in errors
        ), errors
    assert sorted(read_outputs(tmp_path / "out")) == ["a", "d"]


BROKEN_START = textwrap.dedent("""
    import annotate


    class Grumpy(annotate.Annotator):
        name = "grumpy"
        assigns = ("grumpy",)

        def setup(self, nlp):
            raise SystemExit("no")

        def annotate(self, doc):
            return []


    @annotate.hookimpl
    def register_annotators(register):
        register(Grumpy)
""")


def test_plugins_that_exit_on_import_or_setup_are_one_line(cli, tmp_path, doc):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "exits_on_import.py").write_text("import sys\nsys.exit(3)\n")
    (plugins / "grumpy_plugin.py").write_text(BROKEN_START)
    args = ["run", doc, "-o", tmp_path / "out", "--plugins-dir", plugins, "-q"]
    with pytest.warns(UserWarning, match="exits_on_import.*SystemExit"):
        result = cli(*args, "--only", "money,grumpy")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "annotator 'grumpy' (plugin grumpy_plugin) failed to start: SystemExit: no" in line
    assert "--skip grumpy" in line
    assert cli(*args, "--only", "money").exit_code == 0  # (warned once per process)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names are always UTF-8")
def test_file_names_that_are_not_utf8_or_hold_control_characters(cli, tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / os.fsdecode(b"caf\xe9.txt")).write_text("Oracle grew.\n")
    result = cli("run", docs, "-o", tmp_path / "out", "--only", "money", "-q")
    assert result.exit_code == 0, result.output
    [record] = read_outputs(tmp_path / "out").values()
    assert record["id"] == "caf\ufffd" and record["meta"]["source"].endswith("caf\ufffd.txt")
    missing = tmp_path / "x\x1b[31my\nz.txt"
    result = cli("run", missing, "-o", tmp_path / "out", "-q")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr
    assert "x\\x1b[31my\\x0az.txt: no such file" in result.stderr


BAD_WRITER = textwrap.dedent("""
    import annotate


    class Broken:
        name = "broken"

        def __init__(self, out):
            pass

        def write(self, record):
            raise KeyError("oops")

        def close(self):
            pass


    @annotate.hookimpl
    def register_writers(register):
        register(Broken)
""")


def test_a_failing_writer_plugin_is_one_line(cli, tmp_path, doc):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "bad_writer.py").write_text(BAD_WRITER)
    args = ["run", doc, "-o", tmp_path / "out", "-f", "broken", "--plugins-dir", plugins]
    result = cli(*args, "--only", "money", "-q")
    assert result.exit_code == 2, result.output
    [line] = error_lines(result)
    assert "writer 'broken' failed: KeyError: 'oops'" in line


def test_report_never_replaces_a_device_or_a_link(cli, tmp_path, doc):
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    for report in (Path("/dev/null"), link):
        result = cli("run", doc, "-o", tmp_path / "out", "--only", "money", "--report", report)
        assert result.exit_code == 2, result.output
        assert f"{report}: is not a regular file" in result.stderr
    assert Path("/dev/null").is_char_device() and link.is_symlink()


def test_config_alias_bomb_is_refused(cli, tmp_path, doc):
    lines = ["analytics:", "  aliases:", "    a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"    {n}: &{n} [{', '.join([f'*{p}'] * 9)}]"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    config = tmp_path / "annotate.yaml"
    config.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    result = cli("run", doc, "-o", tmp_path / "out", "--config", config)
    assert time.monotonic() - started < 10
    assert result.exit_code == 2, result.output
    assert "once its aliases (*name) are expanded" in result.stderr


def test_stdout_reader_going_away_stops_the_run_quietly(tmp_path):
    from test_determinism import news

    (tmp_path / "in.jsonl").write_text(news(300), encoding="utf-8")
    args = [*ANNOTATE, "run", str(tmp_path / "in.jsonl"), "-o", "-", "--only", "money", "-q"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert json.loads(process.stdout.readline())["id"] == "gen-000"
    process.stdout.close()  # as `| head -1` does
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 141, stderr
    assert stderr == b""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_or_device_input_is_one_error_not_a_hang(cli, tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "good.txt").write_text("Oracle grew.\n")
    os.mkfifo(docs / "pipe.txt")
    (docs / "zero.txt").symlink_to("/dev/zero")
    started = time.monotonic()  # (a folder walk skips FIFOs; named, one is refused)
    result = cli("run", docs, docs / "pipe.txt", "-o", tmp_path / "out", "--only", "money", "-q")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 2 and all("is not a regular file" in e for e in errors), errors
    assert list(read_outputs(tmp_path / "out")) == ["good"]


def test_a_documents_budget_is_spent_only_inside_its_annotator_calls():
    """Steps run over a whole chunk in turn: the time between one document's calls (other
    documents' calls) is not its own."""
    from annotate.timeouts import Deadline, DocumentTimeout

    deadline = Deadline(0.4)
    with deadline.guard():
        time.sleep(0.05)
    time.sleep(0.5)  # other documents' turn
    with deadline.guard():  # would time out at once if that counted
        pass
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), deadline.guard():
        time.sleep(5)
    assert time.monotonic() - started < 0.4
