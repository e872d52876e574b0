"""The CLI end to end on corpus/, as a user runs it."""

from __future__ import annotations

import json

import yaml

from annotate.model import Document
from annotate.schema import SCHEMA, validate
from annotate.testing import check_contract
from conftest import CORPUS, read_outputs


def test_run_corpus_writes_one_valid_file_per_document(cli, tmp_path):
    result = cli("run", CORPUS, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    outputs = read_outputs(tmp_path)
    assert set(outputs) >= {"microsoft-openai-stargate"}
    assert len(outputs) == len(list(CORPUS.glob("*.txt")))
    for record in outputs.values():
        validate(record)
        check_contract(Document.from_json(record))
    seed = outputs["microsoft-openai-stargate"]
    assert seed["meta"]["date"] == "2025-01-22"
    assert seed["meta"]["source"].endswith("microsoft-openai-stargate.txt")
    assert seed["text"].startswith("The partnership between Microsoft and OpenAI")
    assert seed["annotators"]["entities"]["status"] == "ok"
    assert "entities" in result.stderr  # the per-layer summary


def test_same_input_gives_byte_identical_output(cli, tmp_path):
    for name in ("a", "b"):
        assert cli("run", CORPUS, "-o", tmp_path / name).exit_code == 0
    for first in sorted((tmp_path / "a").glob("*.json")):
        assert first.read_bytes() == (tmp_path / "b" / first.name).read_bytes()


def test_jsonl_to_stdout_and_to_a_file(cli, tmp_path):
    text = "Acme Corp. agreed to buy Widget Ltd. on Monday.\n"
    result = cli("run", "-", "-o", "-", input=text)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    assert record["id"] == "stdin-1" and record["text"] == text
    assert cli("run", CORPUS, "-o", tmp_path / "all.jsonl", "--format", "jsonl").exit_code == 0
    lines = (tmp_path / "all.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines]


def test_only_and_skip_pick_annotators(cli, tmp_path):
    needed = cli("run", CORPUS, "-o", tmp_path, "--skip", "entities")
    assert needed.exit_code == 2 and "'stance' requires layer 'entities'" in needed.stderr
    result = cli("run", CORPUS, "-o", tmp_path, "--skip", "entities", "--skip", "stance")
    assert result.exit_code == 0, result.output
    record = read_outputs(tmp_path)["microsoft-openai-stargate"]
    assert record["annotators"]["entities"]["status"] == "skipped"
    assert not [a for a in record["annotations"] if a["layer"] == "entities"]
    unknown = cli("run", CORPUS, "-o", tmp_path, "--only", "nosuch")
    assert unknown.exit_code == 2
    assert "nosuch" in unknown.stderr and "Available:" in unknown.stderr


def test_plugins_config_schema_show(cli, tmp_path):
    listing = cli("plugins")
    assert listing.exit_code == 0 and "entities" in listing.stdout and "builtin" in listing.stdout
    config = yaml.safe_load(cli("config").stdout)
    assert "entities" in config["pipeline"]
    assert "aliases" in config["annotators"]["entities"]
    assert json.loads(cli("schema").stdout) == SCHEMA
    cli("run", CORPUS, "-o", tmp_path)
    shown = cli("show", tmp_path / "microsoft-openai-stargate.json")
    assert shown.exit_code == 0 and "Microsoft" in shown.stdout
    missing = cli("show", tmp_path / "nope.json")
    assert missing.exit_code == 1 and "nope.json" in missing.stderr


def test_config_file_sets_the_pipeline(cli, tmp_path):
    config = tmp_path / "annotate.yaml"
    config.write_text("pipeline: [entities]\nannotators:\n  entities:\n    propagate: false\n")
    assert cli("run", CORPUS, "-o", tmp_path / "out", "--config", config).exit_code == 0
    assert cli("config", "--config", config).exit_code == 0
