"""``annotate eval``: score predicted output against gold output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console, Group
from rich.table import Table

from annotate.cli._util import friendly, split_names
from annotate.errors import InputError
from annotate.evaluate import ALL, evaluate
from annotate.export import read_outputs
from annotate.hookspecs import hookimpl
from annotate.names import check_layers


def evaluate_paths(gold: Path, pred: Path, layers: list[str] | None = None) -> dict[str, Any]:
    """Read gold and predicted output (files or folders) and score them."""
    gold_docs, pred_docs = read_outputs([gold]), read_outputs([pred])
    if not gold_docs:
        raise InputError(str(gold), "holds no annotate output (*.json, *.jsonl).")
    if not {d.id for d in gold_docs} & {d.id for d in pred_docs}:
        raise InputError(
            str(pred), f"shares no document id with {gold}; documents are matched by id."
        )
    check_layers(layers, [*gold_docs, *pred_docs])
    return evaluate(gold_docs, pred_docs, layers or None)


MATCHES = ("exact", "overlap")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def render(report: dict[str, Any]) -> Group:
    """The report as rich tables: spans, values, stance."""
    spans = Table(
        title="Spans (%)",
        caption="ex: exact match (start, end, label); ov: overlap match (label, overlapping)",
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    spans.add_column("layer", no_wrap=True)
    spans.add_column("label", no_wrap=True)
    for name in ("gold", "pred", *(f"{m[:2]} {k}" for m in MATCHES for k in ("P", "R", "F1"))):
        spans.add_column(name, justify="right", no_wrap=True)
    for layer, labels in report["spans"].items():
        for label in sorted(labels, key=lambda name: (name != ALL, name)):
            row, exact = labels[label], labels[label]["exact"]
            spans.add_row(
                layer if label == ALL else "",
                "all" if label == ALL else label,
                str(exact["tp"] + exact["fn"]),
                str(exact["tp"] + exact["fp"]),
                *(_pct(row[m][k]) for m in MATCHES for k in ("precision", "recall", "f1")),
                style="bold" if label == ALL else None,
            )
    parts: list[Any] = [spans]
    if report["values"]:
        values = Table(title="Values over matched spans", title_justify="left", box=box.SIMPLE_HEAD)
        for name in ("layer", "attr", "correct", "total", "accuracy %"):
            values.add_column(name, justify="left" if name in ("layer", "attr") else "right")
        for layer, keys in report["values"].items():
            for key, acc in keys.items():
                values.add_row(
                    layer, key, str(acc["correct"]), str(acc["total"]), _pct(acc["accuracy"])
                )
        parts.append(values)
    stance = report["stance"]
    if stance["sentences"] or stance["pairs"]["total"] or stance["document_label"]["total"]:
        table = Table(title="Stance", title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("measure")
        table.add_column("score %", justify="right")
        table.add_column("n", justify="right")
        for label, counts in stance["labels"].items():
            table.add_row(
                f"sentence F1 {label}", _pct(counts["f1"]), str(counts["tp"] + counts["fn"])
            )
        table.add_row(
            "sentence macro-F1", _pct(stance["macro_f1"]), str(stance["sentences"]), style="bold"
        )
        for name, key in (
            ("document label accuracy", "document_label"),
            ("pair accuracy", "pairs"),
        ):
            table.add_row(name, _pct(stance[key]["accuracy"]), str(stance[key]["total"]))
        parts.append(table)
    docs = report["documents"]
    parts.append(
        f"{docs['gold']} gold document(s), {docs['pred']} predicted; "
        f"missing predictions: {len(docs['missing'])}, without gold: {len(docs['extra'])}"
    )
    return Group(*parts)


@friendly
def eval_command(
    gold: Annotated[Path, typer.Argument(help="Gold output: a file or folder of annotate JSON.")],
    pred: Annotated[Path, typer.Argument(help="Predicted output to score, matched by id.")],
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", "-l", metavar="LAYER", help="Only these layers (comma-separated)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Precision, recall and F1 per layer and label, value accuracy, stance scores."""
    report = evaluate_paths(gold, pred, split_names(layer))
    differ = report["documents"]["text_differs"]
    if differ:
        typer.echo(
            f"warning: gold and predicted texts differ for {', '.join(differ)}; their offsets "
            "do not compare. Run annotate on the gold texts to get comparable predictions.",
            err=True,
        )
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        Console().print(render(report))


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
