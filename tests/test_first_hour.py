"""A new user's first hour: plugins join the default pipeline, names are checked everywhere,
formats follow the path, stdin JSONL, --version and help text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PLUGIN = '''
import annotate


class Louder(annotate.Annotator):
    """Marks every word the `shout` layer found again, as LOUD (so it must run after shout)."""

    name, version = "louder", "0.1.0"
    assigns = ("louder",)
    requires = ("shout",)

    def annotate(self, doc):
        for a in doc.layer("shout"):
            yield annotate.Annotation("louder", a.start, a.end, "LOUD")


class Shout(annotate.Annotator):
    name, version = "shout", "0.1.0"
    assigns = ("shout",)

    def annotate(self, doc):
        start = doc.text.index("NOW")
        yield annotate.Annotation("shout", start, start + 3, "CAPS")


class Lonely(annotate.Annotator):
    name, version = "lonely", "0.1.0"
    assigns = ("lonely",)
    requires = ("nowhere",)

    def annotate(self, doc):
        return []


@annotate.hookimpl
def register_annotators(register):
    for cls in (Louder, Shout, Lonely):
        register(cls)
'''


@pytest.fixture
def loud_plugins(tmp_path: Path) -> Path:
    folder = tmp_path / "loud"
    folder.mkdir()
    (folder / "loud.py").write_text(PLUGIN)
    return folder


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "news.txt"
    path.write_text("Acme Corp. said NOW that it paid $5 million on 3 March 2024.\n")
    return path


def test_plugins_dir_annotators_join_the_default_pipeline_in_order(
    tmp_path, cli, loud_plugins, doc
):
    result = cli("run", doc, "-o", tmp_path / "out", "--plugins-dir", loud_plugins, "-q")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "news.json").read_text())
    assert {"entities", "money", "dates", "shout", "louder"} <= set(record["annotators"])
    layers = {a["layer"]: a["label"] for a in record["annotations"]}
    assert layers["louder"] == "LOUD"  # ran after shout, which it requires
    assert "lonely" not in record["annotators"]
    notices = [line for line in result.stderr.splitlines() if line.startswith("notice:")]
    assert len(notices) == 1 and "'lonely'" in notices[0] and "nowhere" in notices[0]


def test_a_pinned_pipeline_keeps_plugins_out_with_a_notice(tmp_path, cli, loud_plugins, doc):
    config = tmp_path / "annotate.yaml"
    config.write_text("pipeline: [shout]\n")
    args = ("--plugins-dir", loud_plugins, "-c", config)
    result = cli("run", doc, "-o", tmp_path / "out", *args, "-q")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "news.json").read_text())
    assert list(record["annotators"]) == ["shout"]
    notices = [line for line in result.stderr.splitlines() if line.startswith("notice:")]
    assert any("'louder'" in n and "pins `pipeline:`" in n for n in notices), notices
    assert not any("'entities'" in n for n in notices)  # builtins left out on purpose: no noise

    listing = cli("plugins", *args, "--json")
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["shout"]["active"] and "annotate.yaml, line 1" in rows["shout"]["why"]
    assert not rows["louder"]["active"] and "pinned" in rows["louder"]["why"]


def test_plugins_says_what_runs_and_why(cli, loud_plugins):
    result = cli("plugins", "--plugins-dir", loud_plugins, "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["entities"]["active"] and rows["entities"]["why"] == "default pipeline"
    assert rows["louder"]["active"] and rows["louder"]["why"] == "joined the default pipeline"
    assert not rows["lonely"]["active"] and "nowhere" in rows["lonely"]["why"]
    table = cli("plugins", "--plugins-dir", loud_plugins).stdout
    assert "runs" in table and "yes: joined the default pipeline" in table


def output_doc() -> dict:
    from annotate.model import Annotation, Document

    text = "Microsoft and OpenAI agreed on a $10 billion deal on 3 March 2024."
    spans = [
        ("entities", "Microsoft", "ORG"),
        ("entities", "OpenAI", "ORG"),
        ("money", "$10 billion", "MONEY"),
        ("dates", "3 March 2024", "DATE"),
        ("stance", text, "collaboration"),
    ]
    annotations = []
    for i, (layer, quote, label) in enumerate(spans, start=1):
        start = text.index(quote)
        annotations.append(
            Annotation(layer, start, start + len(quote), label, {}, quote, [layer], f"T{i}")
        )
    return Document("deal", text, {"date": "2024-03-04"}, annotations).to_json()


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "deal.json").write_text(json.dumps(output_doc()))
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["export", "{out}", "--to", "brat", "-o", "{tmp}/x", "--layer", "mony"],
        ["eval", "{out}", "{out}", "--layer", "mony"],
        ["show", "{out}/deal.json", "--layer", "mony"],
        ["view", "{out}/deal.json", "-o", "{tmp}/p.html", "--layer", "mony"],
        ["run", "{out}/deal.json", "-o", "{tmp}/o", "--only", "mony"],
    ],
    ids=lambda c: c[0],
)
def test_misspelt_layer_names_are_errors_with_a_suggestion(cli, tmp_path, outputs, command):
    args = [part.format(out=outputs, tmp=tmp_path) for part in command]
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Did you mean 'money'?" in result.stderr and "Available:" in result.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "p.html").exists()


def test_cache_clear_checks_annotator_names(cli):
    result = cli("cache", "clear", "-a", "entitis")
    assert result.exit_code == 2
    assert "no annotator named 'entitis'. Did you mean 'entities'?" in result.stderr
    assert cli("cache", "clear", "-a", "entities").exit_code == 0


def test_show_prints_labels_inline_and_reads_jsonl_by_id(cli, tmp_path, outputs):
    shown = cli("show", outputs / "deal.json")
    assert shown.exit_code == 0, shown.output
    plain = " ".join(shown.stdout.split())  # the console wraps lines
    assert "Microsoft[ORG] and OpenAI[ORG]" in plain
    assert "$10 billion[MONEY]" in plain and "3 March 2024[DATE]" in plain
    assert "2024[DATE].[collaboration]" in plain  # the stance label ends its sentence
    other = {**output_doc(), "id": "other"}
    lines = tmp_path / "all.jsonl"
    lines.write_text(json.dumps(output_doc()) + "\n" + json.dumps(other) + "\n")
    picked = cli("show", lines, "--id", "other", "-l", "money")
    assert picked.exit_code == 0, picked.output
    assert "$10 billion[MONEY]" in picked.stdout and "[ORG]" not in picked.stdout
    several = cli("show", lines)
    assert several.exit_code == 1
    assert "pick one with --id. Available: deal, other." in several.stderr


def test_show_hints_when_given_an_input_file(cli, tmp_path):
    article = tmp_path / "news.txt"
    article.write_text("Acme bought Widget.\n")
    result = cli("show", article)
    assert result.exit_code == 1
    assert f"annotate it first (`annotate run {article} -o out/`)" in result.stderr
    raw = tmp_path / "in.jsonl"
    raw.write_text('{"id": "a", "text": "Acme bought Widget."}\n')
    assert "annotate it first" in cli("show", raw).stderr


WRITER_PLUGIN = '''
import json

import annotate


class Ids:
    """One document id a line: a writer plugin that claims the .ids suffix."""

    name = "ids"
    suffixes = (".ids",)

    def __init__(self, out):
        self.out, self.ids = out, []

    def write(self, record):
        self.ids.append(record["id"])

    def close(self):
        with open(self.out, "w") as f:
            f.write("\\n".join(self.ids) + "\\n")


@annotate.hookimpl
def register_writers(register):
    register(Ids)
'''


def test_output_format_follows_the_path(cli, tmp_path, doc):
    out = tmp_path / "all.jsonl"
    result = cli("run", doc, "-o", out, "--only", "money", "-q")
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["news"]
    folder = tmp_path / "forced.jsonl"
    assert cli("run", doc, "-o", folder, "--format", "json", "--only", "money").exit_code == 0
    assert (folder / "news.json").is_file()  # an explicit --format wins
    wrong = cli("run", doc, "-o", tmp_path / "x", "--format", "jsnl")
    assert wrong.exit_code == 2 and "Did you mean 'jsonl'?" in wrong.stderr


def test_writer_plugins_extend_the_suffix_mapping(cli, tmp_path, doc):
    plugins = tmp_path / "writers"
    plugins.mkdir()
    (plugins / "ids_writer.py").write_text(WRITER_PLUGIN)
    out = tmp_path / "run.ids"
    result = cli("run", doc, "-o", out, "--plugins-dir", plugins, "--only", "money", "-q")
    assert result.exit_code == 0, result.output
    assert out.read_text() == "news\n"


def test_stdin_jsonl_is_recognised_and_ids_are_unique(cli, tmp_path):
    lines = (
        '{"text": "Acme paid $5 million."}\n'
        '{"text": "Widget paid $7 million.", "date": "2024-01-02"}\n'
    )
    result = cli("run", "-", "-o", "-", "--only", "money", "-q", input=lines)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["stdin-1", "stdin-2"]
    assert records[1]["text"] == "Widget paid $7 million." and records[1]["meta"]["date"]
    text = cli("run", "-", "-o", "-", "--only", "money", "-q", input="Acme paid $5 million.\n")
    assert [json.loads(line)["id"] for line in text.stdout.splitlines()] == ["stdin-1"]
    forced = cli("run", "-", "-o", "-", "--stdin-format", "text", "--only", "money", input=lines)
    assert json.loads(forced.stdout.splitlines()[0])["text"] == lines  # one text document
    mixed = '{"text": "a JSON line"}\nthen prose\n'
    as_text = cli("run", "-", "-o", "-", "--only", "money", "-q", input=mixed)
    assert json.loads(as_text.stdout)["text"] == mixed


def test_version(cli):
    from annotate import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.stdout == f"annotate {__version__} (annotate-news)\n"


def every_command(group, path=()):
    import typer

    command = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, sub in command.commands.items():
        if hasattr(sub, "commands"):
            yield from every_command(sub, (*path, name))
        else:
            yield (*path, name), sub


def test_every_option_has_help_and_a_real_metavar(app, cli):
    import typer

    names = []
    for path, command in every_command(typer.main.get_command(app)):
        names.append(" ".join(path))
        assert (command.help or "").strip(), f"annotate {' '.join(path)} has no help text"
        for param in command.params:
            if param.param_type_name == "option":
                assert (param.help or "").strip(), f"{' '.join(path)} {param.opts} has no help"
        shown = cli(*path, "--help")
        assert shown.exit_code == 0
        assert "<bool>" not in shown.stdout and "<list[" not in shown.stdout, shown.stdout
        assert "<str>" not in shown.stdout and "<path>" not in shown.stdout, shown.stdout
    assert {"run", "show", "view", "export", "eval", "cache clear", "new plugin"} <= set(names)
    top = cli("--help").stdout
    assert "--version" in top and "<bool>" not in top
