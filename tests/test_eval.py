"""`annotate eval`: span P/R/F1 (exact, overlap), value accuracy, stance scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import annotate.cli.eval as eval_cli
from annotate.cli.eval import evaluate_paths
from annotate.evaluate import evaluate, pair_key
from annotate.model import Annotation, Document

TEXT = "Microsoft and OpenAI agreed. Oracle paid $5 billion in 2024. Google competed."


def doc(*spans: tuple, document: dict | None = None, doc_id: str = "d1") -> Document:
    """A document from (layer, start, end, label[, attrs]) tuples."""
    annotations = [
        Annotation(s[0], s[1], s[2], s[3], s[4] if len(s) > 4 else {}, TEXT[s[1] : s[2]], ["t"])
        for s in spans
    ]
    return Document(doc_id, TEXT, annotations=annotations, document=document or {})


def test_exact_and_overlap_matching() -> None:
    gold = doc(("entities", 0, 9, "ORG"), ("entities", 14, 20, "ORG"), ("entities", 29, 35, "ORG"))
    pred = doc(
        ("entities", 0, 9, "ORG"),  # exact
        ("entities", 14, 19, "ORG"),  # overlap only
        ("entities", 29, 35, "GPE"),  # right span, wrong label
        ("entities", 61, 67, "ORG"),  # spurious
    )
    spans = evaluate([gold], [pred])["spans"]["entities"]
    org = spans["ORG"]
    assert (org["exact"]["tp"], org["exact"]["fp"], org["exact"]["fn"]) == (1, 2, 2)
    assert (org["overlap"]["tp"], org["overlap"]["fp"], org["overlap"]["fn"]) == (2, 1, 1)
    assert org["overlap"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert org["overlap"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert spans["GPE"]["exact"]["fp"] == 1
    total = spans["*"]["exact"]
    assert (total["tp"], total["fp"], total["fn"]) == (1, 3, 2)


def test_overlap_matching_is_one_to_one() -> None:
    gold = doc(("entities", 0, 20, "ORG"))
    pred = doc(("entities", 0, 9, "ORG"), ("entities", 14, 20, "ORG"))
    overlap = evaluate([gold], [pred])["spans"]["entities"]["ORG"]["overlap"]
    assert (overlap["tp"], overlap["fp"], overlap["fn"]) == (1, 1, 0)


def test_value_accuracy_over_matched_spans() -> None:
    money = {"value": 5e9, "currency": "USD", "min": None}
    gold = doc(
        ("money", 41, 51, "MONEY", money),
        ("dates", 55, 59, "DATE", {"value": "2024"}),
        ("dates", 61, 67, "DATE", {"value": "2025"}),  # no predicted span: not in accuracy
    )
    pred = doc(
        ("money", 41, 50, "MONEY", {"value": 5000000000, "currency": "EUR"}),
        ("dates", 55, 59, "DATE", {"value": "2024-XX"}),
    )
    values = evaluate([gold], [pred])["values"]
    assert values["money"]["value"] == {"correct": 1, "total": 1, "accuracy": 1.0}
    assert values["money"]["currency"] == {"correct": 0, "total": 1, "accuracy": 0.0}
    assert "min" not in values["money"]  # None in gold: nothing to check
    assert values["dates"]["value"] == {"correct": 0, "total": 1, "accuracy": 0.0}


def test_stance_sentences_absent_count_as_neutral() -> None:
    s1, s2, s3 = (0, 28), (29, 60), (61, 77)
    gold = doc(("stance", *s1, "collaboration"), ("stance", *s2, "competition"))
    pred = doc(
        ("stance", *s1, "collaboration"),
        ("stance", *s2, "neutral"),
        ("stance", *s3, "competition"),
    )
    stance = evaluate([gold], [pred])["stance"]
    assert stance["sentences"] == 3
    assert stance["labels"]["collaboration"]["f1"] == 1.0
    competition = stance["labels"]["competition"]
    assert (competition["tp"], competition["fp"], competition["fn"]) == (0, 1, 1)
    assert "neutral" not in stance["labels"]
    assert stance["macro_f1"] == 0.5


def test_pair_and_document_label_accuracy() -> None:
    gold_stance = {
        "label": "mixed",
        "pairs": [
            {"orgs": ["Microsoft", "OpenAI"], "label": "competition", "score": 0.7},
            {"a": "Oracle", "b": "OpenAI", "label": "collaboration"},
            {"orgs": ["Google", "OpenAI"], "label": "competition"},
        ],
    }
    pred_stance = {
        "label": "competition",
        "pairs": [
            {"orgs": ["openai", "microsoft"], "label": "competition"},  # order, case ignored
            {"a": "OpenAI", "b": "Oracle", "label": "competition"},
        ],
    }
    report = evaluate(
        [doc(document={"stance": gold_stance})], [doc(document={"stance": pred_stance})]
    )
    stance = report["stance"]
    assert stance["pairs"] == {"correct": 1, "total": 3, "accuracy": 0.3333, "found": 2}
    assert stance["document_label"] == {"correct": 0, "total": 1, "accuracy": 0.0}


def test_pair_key_reads_names_defensively() -> None:
    assert pair_key({"pair": ["B", "A"], "label": "x"}) == pair_key({"a": "a", "b": "b"})
    assert pair_key({"label": "x"}) is None
    assert pair_key("not a pair") is None


def test_documents_matched_by_id() -> None:
    gold = [doc(("entities", 0, 9, "ORG")), doc(("entities", 0, 9, "ORG"), doc_id="d2")]
    pred = [doc(("entities", 0, 9, "ORG")), doc(doc_id="d3")]
    report = evaluate(gold, pred)
    assert report["documents"] == {
        "gold": 2,
        "pred": 2,
        "missing": ["d2"],
        "extra": ["d3"],
        "text_differs": [],
    }
    assert report["spans"]["entities"]["ORG"]["exact"]["fn"] == 1  # d2 counts as empty


def test_real_output_scores_perfectly_against_itself(annotate_text, tmp_path: Path) -> None:
    out = annotate_text("Microsoft paid OpenAI $10 billion in Seattle.", "entities")
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text(json.dumps(out.to_json()))
    report = evaluate_paths(tmp_path / "gold", tmp_path / "gold" / "a.json")
    for labels in report["spans"].values():
        assert all(row[m]["f1"] == 1.0 for row in labels.values() for m in ("exact", "overlap"))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gold = doc(("entities", 0, 9, "ORG"), ("stance", 0, 28, "collaboration"))
    pred = doc(("entities", 0, 9, "ORG"), ("money", 41, 51, "MONEY"))
    paths = tmp_path / "gold.jsonl", tmp_path / "pred.json"
    paths[0].write_text(json.dumps(gold.to_json()) + "\n")
    paths[1].write_text(json.dumps(pred.to_json()))
    return paths


def run(*args: str):
    app = typer.Typer()
    eval_cli.register_commands(app)
    app.command("noop")(lambda: None)  # two commands, so `eval` is a subcommand
    return CliRunner().invoke(app, ["eval", *args])


def test_command_table_and_json(files: tuple[Path, Path]) -> None:
    gold, pred = map(str, files)
    table = run(gold, pred)
    assert table.exit_code == 0, table.output
    for text in ("Spans", "entities", "ORG", "100.0", "sentence macro-F1", "1 gold document(s)"):
        assert text in table.output
    report = json.loads(run(gold, pred, "--json", "--layer", "money,entities").output)
    assert set(report["spans"]) == {"entities", "money"}
    assert report["spans"]["money"]["MONEY"]["exact"]["fp"] == 1
    assert report["stance"]["sentences"] == 0  # stance left out by --layer


def test_command_errors(files: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc(doc_id="zzz").to_json()))
    result = run(str(files[0]), str(other))
    assert result.exit_code == 1
    assert "shares no document id" in result.output
    assert "no such file" in run(str(tmp_path / "missing"), str(other)).output
    changed = doc(doc_id="d1")
    changed.text = "Another text."
    other.write_text(json.dumps(changed.to_json()))
    result = run(str(files[0]), str(other))
    assert result.exit_code == 0
    assert "warning: gold and predicted texts differ for d1" in result.output
