"""``annotate export``: output documents to brat, spaCy, Web Annotation, CoNLL or Label Studio."""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._util import friendly, split_names
from annotate.errors import InputError
from annotate.export import ENT_LAYERS, Exported, ExportOptions, read_outputs
from annotate.hookspecs import hookimpl
from annotate.names import check_layers


class Target(StrEnum):
    brat = "brat"
    spacy = "spacy"
    webanno = "webanno"
    conll = "conll"
    labelstudio = "labelstudio"


# Format -> module of annotate.export, imported when used: spaCy stays out of CLI start-up.
MODULES = {
    Target.brat: "brat",
    Target.spacy: "docbin",
    Target.webanno: "webanno",
    Target.conll: "conll",
    Target.labelstudio: "labelstudio",
}


class EntLabels(StrEnum):
    ontonotes = "ontonotes"
    own = "own"


def export_outputs(
    paths: list[Path],
    to: Target,
    out: Path,
    layers: list[str] | None = None,
    options: ExportOptions | None = None,
) -> Exported:
    """Read annotate output from ``paths`` and export it as ``to`` into the folder ``out``."""
    docs = read_outputs(paths)
    if not docs:
        raise InputError(", ".join(map(str, paths)), "holds no annotate output (*.json, *.jsonl).")
    options = options or ExportOptions()
    check_layers([*(layers or ()), *options.ents], docs)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "exists and is not a folder; choose another -o.")
    module = importlib.import_module(f"annotate.export.{MODULES[to]}")
    return module.export(docs, out, layers or None, options)


@friendly
def export_command(
    paths: Annotated[list[Path], typer.Argument(help="Output files or folders of `annotate run`.")],
    to: Annotated[Target, typer.Option("--to", "-t", help="Format to write.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder to write into.")
    ] = Path("export"),
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", "-l", metavar="LAYER", help="Only these layers (comma-separated)."),
    ] = None,
    ents: Annotated[
        str,
        typer.Option(
            "--ents",
            metavar="LAYERS",
            help="spacy, conll: the layers whose spans are the named entities (doc.ents, tags).",
        ),
    ] = ",".join(ENT_LAYERS),
    ent_labels: Annotated[
        EntLabels,
        typer.Option(
            "--ent-labels",
            help="spacy, conll: ontonotes labels money MONEY and dates DATE or TIME, as spaCy's "
            "NER is trained; own keeps each layer's labels (DURATION, SET...).",
        ),
    ] = EntLabels.ontonotes,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="IRI",
            help="webanno: resolve relative document sources against this IRI (e.g. "
            "https://example.org/corpus/) instead of the current folder (file: IRIs).",
        ),
    ] = None,
) -> None:
    """Export annotate output for other tools: brat, spaCy DocBin, W3C Web Annotation, CoNLL,
    Label Studio (see docs/export.md)."""
    options = ExportOptions(tuple(split_names([ents])), ent_labels.value, base)
    result = export_outputs(paths, to, out, split_names(layer), options)
    for note in result.notes:
        typer.echo(f"warning: {note}", err=True)
    typer.echo(f"{len(result.files)} file(s) written to {out}")


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("export")(export_command)
