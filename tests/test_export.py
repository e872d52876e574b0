"""`annotate export`: each format read back by its real consumer, or a parser of its spec."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import spacy
import typer
from spacy.tokens import DocBin
from spacy.training.converters import conll_ner_to_docs
from typer.testing import CliRunner

import annotate.cli.export as export_cli
from annotate.cli.export import Target, export_outputs
from annotate.export import brat, read_outputs
from annotate.model import Annotation, Document

TEXT = (
    "Microsoft and OpenAI agreed on a deal.\n"
    "The deal is worth about $10 billion by 2030, Oracle said.\n"
    "Naïve 😀 emoji before Google."
)


def span(layer: str, quote: str, label: str, nth: int = 0, **attrs: object) -> Annotation:
    start = [m.start() for m in re.finditer(re.escape(quote), TEXT)][nth]
    end = start + len(quote)
    return Annotation(layer, start, end, label, dict(attrs), quote, [layer])


def sample() -> Document:
    annotations = [
        span("entities", "Microsoft", "ORG", canonical="Microsoft"),
        span("entities", "OpenAI", "ORG", canonical="OpenAI"),
        span("entities", "OpenAI agreed", "EVENT"),  # overlaps OpenAI: not both in doc.ents
        span("entities", "Oracle", "ORG", canonical="Oracle Corporation"),
        span("entities", "Google", "ORG"),
        span("money", "about $10 billion", "MONEY", value=1e10, currency="USD", approx=True),
        span("dates", "2030", "DATE", value="2030"),
        span("stance", "Microsoft and OpenAI agreed on a deal.", "collaboration", score=0.9),
        span("quotes", "a deal.\nThe deal", "QUOTE"),  # crosses a line break
    ]
    annotations.sort(key=lambda a: (a.start, -a.end, a.layer))
    for i, a in enumerate(annotations, start=1):
        a.id = f"T{i}"
    document = {"stance": {"label": "collaboration", "pairs": []}}
    return Document("doc-1", TEXT, {"title": "A deal"}, annotations, document=document)


def spans_of(doc: Document) -> set[tuple[str, int, int, str]]:
    return {(a.layer, a.start, a.end, a.label) for a in doc.annotations}


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "doc-1.json").write_text(json.dumps(sample().to_json()), encoding="utf-8")
    return folder


def parse_ann(text: str) -> tuple[dict[str, dict], dict[str, dict[str, str]], dict[str, str]]:
    """A small brat .ann reader: T spans (fragments), A attributes, # notes."""
    spans, attributes, notes = {}, {}, {}
    for line in text.splitlines():
        fields = line.split("\t")
        if line.startswith("T"):
            label, _, bounds = fields[1].partition(" ")
            pieces = [tuple(map(int, b.split())) for b in bounds.split(";")]
            spans[fields[0]] = {"label": label, "pieces": pieces, "text": fields[2]}
        elif line.startswith("A"):
            name, target, *value = fields[1].split(" ")
            attributes.setdefault(target, {})[name] = value[0] if value else "true"
        elif line.startswith("#"):
            notes[fields[1].split(" ")[1]] = fields[2]
    return spans, attributes, notes


def test_brat_parses_back_to_the_same_spans(outputs: Path, tmp_path: Path) -> None:
    doc = sample()
    export_outputs([outputs], Target.brat, tmp_path / "brat")
    txt = (tmp_path / "brat" / "doc-1.txt").read_text(encoding="utf-8")
    assert txt == TEXT
    spans, attributes, notes = parse_ann((tmp_path / "brat" / "doc-1.ann").read_text("utf-8"))
    for a in doc.annotations:
        found = spans[a.id]
        pieces = found["pieces"]
        assert found["label"] == a.label
        assert (pieces[0][0], pieces[-1][1]) == (a.start, a.end)
        assert found["text"] == " ".join(txt[s:e] for s, e in pieces)
        assert all("\n" not in txt[s:e] for s, e in pieces)
        assert notes[a.id].startswith(f"layer={a.layer}")
    quote = next(a for a in doc.annotations if a.layer == "quotes")
    assert len(spans[quote.id]["pieces"]) == 2  # discontinuous across the line break
    money = next(a for a in doc.annotations if a.layer == "money")
    assert attributes[money.id] == {"currency": "USD", "approx": "true"}
    assert "value=10000000000.0" in notes[money.id]
    oracle = next(a for a in doc.annotations if a.text == "Oracle")
    assert "canonical" not in attributes.get(oracle.id, {})  # has a space: a note, everywhere
    assert "canonical=Oracle Corporation" in notes[oracle.id]
    conf = (tmp_path / "brat" / "annotation.conf").read_text()
    assert "currency\tArg:<ENTITY>, Value:USD" in conf
    assert "approx\tArg:<ENTITY>\n" in conf
    assert "[entities]\nCARDINAL" not in conf and "\nQUOTE\n" in conf


def test_brat_attribute_plan_is_per_key() -> None:
    doc = sample()
    plan = brat.attribute_plan(doc.annotations)
    assert plan["approx"] is None  # a flag
    assert plan["currency"] == ["USD"]
    assert "canonical" not in plan and "score" not in plan and "value" not in plan


def test_spacy_docbin_loads_with_the_same_spans(outputs: Path, tmp_path: Path) -> None:
    doc = sample()
    result = export_outputs([outputs], Target.spacy, tmp_path / "spacy")
    nlp = spacy.blank("en")
    (sdoc,) = DocBin().from_disk(tmp_path / "spacy" / "annotations.spacy").get_docs(nlp.vocab)
    assert sdoc.text == TEXT
    assert sdoc.user_data["id"] == "doc-1"
    for layer in {a.layer for a in doc.annotations}:
        got = {(s.start_char, s.end_char, s.label_) for s in sdoc.spans[layer]}
        assert got == {(a.start, a.end, a.label) for a in doc.layer(layer)}
    ents = {(e.text, e.label_) for e in sdoc.ents}
    assert ("OpenAI agreed", "EVENT") in ents and ("OpenAI", "ORG") not in ents
    assert ("Google", "ORG") in ents
    assert any("overlapping ORG 'OpenAI'" in note for note in result.notes)


def test_spacy_records_spans_that_cannot_align(tmp_path: Path) -> None:
    text = "Two  spaces."
    bad = Annotation("entities", 3, 4, "X", id="T1", text=" ", sources=["x"])
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "d.json").write_text(json.dumps(Document("d", text, annotations=[bad]).to_json()))
    result = export_outputs([folder], Target.spacy, tmp_path / "spacy")
    assert result.notes == ["d: T1 (entities X 3-4): no token to align to"]
    (sdoc,) = (
        DocBin().from_disk(tmp_path / "spacy/annotations.spacy").get_docs(spacy.blank("en").vocab)
    )
    assert list(sdoc.user_data["unplaced"]) == ["T1 (entities X 3-4): no token to align to"]


def test_webanno_selectors_resolve_to_the_same_text(outputs: Path, tmp_path: Path) -> None:
    doc = sample()
    export_outputs([outputs], Target.webanno, tmp_path / "w3c")
    data = json.loads((tmp_path / "w3c" / "doc-1.jsonld").read_text(encoding="utf-8"))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["total"] == len(doc.annotations)
    items = data["first"]["items"]
    for item, a in zip(items, doc.annotations, strict=True):
        position, quote = item["target"]["selector"]
        assert position["type"] == "TextPositionSelector"
        assert TEXT[position["start"] : position["end"]] == a.text
        # A TextQuoteSelector is resolved by searching exact with its prefix and suffix.
        whole = quote["prefix"] + quote["exact"] + quote["suffix"]
        assert TEXT.count(whole) == 1
        assert TEXT.index(whole) + len(quote["prefix"]) == a.start
        tags = [b["value"] for b in item["body"] if b["purpose"] == "tagging"]
        assert tags == [a.label]
        described = [b for b in item["body"] if b["purpose"] == "describing"]
        assert [json.loads(b["value"]) for b in described] == ([a.attrs] if a.attrs else [])


def test_conll_reads_back_with_spacy_and_reassembles_entities(
    outputs: Path, tmp_path: Path
) -> None:
    export_outputs([outputs], Target.conll, tmp_path / "conll")
    text = (tmp_path / "conll" / "annotations.conll").read_text(encoding="utf-8")
    assert text.startswith("-DOCSTART- -X- O O\n\nMicrosoft _ _ B-ORG\n")
    lines = text.splitlines()
    assert all(len(line.split(" ")) == 4 for line in lines if line)
    assert lines.count("") >= 4  # after DOCSTART, and after each of the 3 sentences
    (sdoc,) = conll_ner_to_docs(text, n_sents=0)
    got = {(e.text, e.label_) for e in sdoc.ents}
    assert got == {
        ("Microsoft", "ORG"),
        ("OpenAI agreed", "EVENT"),
        ("about $ 10 billion", "MONEY"),  # the converter joins tokens with spaces
        ("2030", "DATE"),
        ("Oracle", "ORG"),
        ("Google", "ORG"),
    }


def test_labelstudio_tasks_match_the_labeling_config(outputs: Path, tmp_path: Path) -> None:
    doc = sample()
    export_outputs([outputs], Target.labelstudio, tmp_path / "ls")
    (task,) = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    config = ET.fromstring((tmp_path / "ls" / "labeling-config.xml").read_text())
    controls = {c.get("name"): c for c in config.iter("Labels")}
    (text_tag,) = config.iter("Text")
    assert text_tag.get("value") == "$text" and task["data"]["text"] == TEXT
    results = task["predictions"][0]["result"]
    assert len(results) == len(doc.annotations)
    for result in results:
        value = result["value"]
        assert result["type"] == "labels" and result["to_name"] == text_tag.get("name")
        assert TEXT[value["start"] : value["end"]] == value["text"]
        control = controls[result["from_name"]]
        assert control.get("toName") == text_tag.get("name")
        assert value["labels"][0] in {label.get("value") for label in control.iter("Label")}


def test_layer_filter_and_command(outputs: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    export_cli.register_commands(app)
    app.command("noop")(lambda: None)  # two commands, so `export` is a subcommand
    out = tmp_path / "ls"
    result = CliRunner().invoke(
        app, ["export", str(outputs), "--to", "labelstudio", "-o", str(out), "-l", "money"]
    )
    assert result.exit_code == 0, result.output
    assert "2 file(s) written" in result.output
    (task,) = json.loads((out / "tasks.json").read_text())
    assert [r["from_name"] for r in task["predictions"][0]["result"]] == ["money"]


def test_errors_are_one_line(tmp_path: Path) -> None:
    app = typer.Typer()
    export_cli.register_commands(app)
    app.command("noop")(lambda: None)
    (tmp_path / "bad.json").write_text('{"text": "x"}')
    result = CliRunner().invoke(app, ["export", str(tmp_path / "bad.json"), "--to", "brat"])
    assert result.exit_code == 1
    assert "is not annotate output" in result.output
    result = CliRunner().invoke(app, ["export", str(tmp_path / "nope"), "--to", "brat"])
    assert "no such file or folder" in result.output


def test_read_outputs_reads_jsonl_and_rejects_duplicate_ids(tmp_path: Path) -> None:
    line = json.dumps(sample().to_json())
    (tmp_path / "all.jsonl").write_text(f"{line}\n")
    assert [d.id for d in read_outputs([tmp_path / "all.jsonl"])] == ["doc-1"]
    (tmp_path / "again.json").write_text(line)
    with pytest.raises(Exception, match="appears twice"):
        read_outputs([tmp_path])


def test_commands_keep_spacy_out_of_cli_start_up() -> None:
    code = "import sys, annotate.cli.eval, annotate.cli.export, annotate.cli.view\n"
    code += "assert 'spacy' not in sys.modules, 'spacy imported at start-up'"
    subprocess.run([sys.executable, "-c", code], check=True)


def timed() -> Document:
    text = "At 10am on Monday Acme paid $5 million for two years of service."
    spans = [
        ("dates", "10am", "TIME"),
        ("dates", "Monday", "DATE"),
        ("entities", "Acme", "ORG"),
        ("money", "$5 million", "MONEY"),
        ("dates", "two years", "DURATION"),
    ]
    annotations = []
    for i, (layer, quote, label) in enumerate(spans, start=1):
        start = text.index(quote)
        annotations.append(
            Annotation(layer, start, start + len(quote), label, {}, quote, [layer], f"T{i}")
        )
    return Document("timed", text, {"source": "corpus/timed.txt"}, annotations)


@pytest.fixture
def timed_outputs(tmp_path: Path) -> Path:
    folder = tmp_path / "timed"
    folder.mkdir()
    (folder / "timed.json").write_text(json.dumps(timed().to_json()), encoding="utf-8")
    return folder


def test_docbin_ents_hold_money_and_dates_labelled_for_training(timed_outputs, tmp_path):
    def ents(*options: str) -> set[tuple[str, str]]:
        out = tmp_path / "spacy"
        result = CliRunner().invoke(
            app_with_export(),
            ["export", str(timed_outputs), "--to", "spacy", "-o", str(out), *options],
        )
        assert result.exit_code == 0, result.output
        nlp = spacy.blank("en")
        (sdoc,) = DocBin().from_disk(out / "annotations.spacy").get_docs(nlp.vocab)
        assert {s.label_ for s in sdoc.spans["dates"]} == {"TIME", "DATE", "DURATION"}
        return {(e.text, e.label_) for e in sdoc.ents}

    assert ents() == {
        ("10am", "TIME"),
        ("Monday", "DATE"),
        ("Acme", "ORG"),
        ("$5 million", "MONEY"),
        ("two years", "DATE"),
    }
    assert ("two years", "DURATION") in ents("--ent-labels", "own")
    assert ents("--ents", "entities") == {("Acme", "ORG")}


def test_conll_tags_money_and_dates(timed_outputs, tmp_path):
    export_outputs([timed_outputs], Target.conll, tmp_path / "conll")
    text = (tmp_path / "conll" / "annotations.conll").read_text(encoding="utf-8")
    (sdoc,) = conll_ner_to_docs(text, n_sents=0)
    got = {(e.text, e.label_) for e in sdoc.ents}
    assert {("10 am", "TIME"), ("$ 5 million", "MONEY"), ("two years", "DATE")} <= got


def app_with_export() -> typer.Typer:
    app = typer.Typer()
    export_cli.register_commands(app)
    app.command("noop")(lambda: None)  # two commands, so `export` is a subcommand
    return app


def test_webanno_sources_are_absolute_iris(timed_outputs, tmp_path, monkeypatch):
    from urllib.parse import urljoin

    monkeypatch.chdir(tmp_path)
    out = tmp_path / "w3c"
    export_outputs([timed_outputs], Target.webanno, out)
    data = json.loads((out / "timed.jsonld").read_text(encoding="utf-8"))
    # JSON-LD resolves a relative IRI against the document's own location; none may change.
    here = (out / "timed.jsonld").as_uri()
    iris = [data["id"], data["first"]["id"]]
    for item in data["first"]["items"]:
        iris += [item["id"], item["target"]["source"]]
    assert all(urljoin(here, iri) == iri for iri in iris), iris
    source = data["first"]["items"][0]["target"]["source"]
    assert source == (tmp_path / "corpus" / "timed.txt").as_uri()

    based = CliRunner().invoke(
        app_with_export(),
        [
            "export",
            str(timed_outputs),
            "--to",
            "webanno",
            "-o",
            str(out),
            "--base",
            "https://example.org/news/",
        ],
    )
    assert based.exit_code == 0, based.output
    data = json.loads((out / "timed.jsonld").read_text(encoding="utf-8"))
    assert data["first"]["items"][0]["target"]["source"] == (
        "https://example.org/news/corpus/timed.txt"
    )
    bad = CliRunner().invoke(
        app_with_export(),
        ["export", str(timed_outputs), "--to", "webanno", "-o", str(out), "--base", "news/"],
    )
    assert bad.exit_code == 2 and "not an absolute IRI" in bad.output
