"""``annotate export``: output documents to brat, spaCy, Web Annotation, CoNLL or Label Studio."""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._util import friendly, split_names
from annotate.errors import InputError
from annotate.export import Exported, read_outputs
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


def export_outputs(
    paths: list[Path], to: Target, out: Path, layers: list[str] | None = None
) -> Exported:
    """Read annotate output from ``paths`` and export it as ``to`` into the folder ``out``."""
    docs = read_outputs(paths)
    if not docs:
        raise InputError(", ".join(map(str, paths)), "holds no annotate output (*.json, *.jsonl).")
    check_layers(layers, docs)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "exists and is not a folder; choose another -o.")
    module = importlib.import_module(f"annotate.export.{MODULES[to]}")
    return module.export(docs, out, layers or None)


@friendly
def export_command(
    paths: Annotated[list[Path], typer.Argument(help="Output files or folders of `annotate run`.")],
    to: Annotated[Target, typer.Option("--to", "-t", help="Format to write.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path(
        "export"
    ),
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", "-l", help="Only these layers (conll: default entities)."),
    ] = None,
) -> None:
    """Export annotate output for other tools (see docs/export.md)."""
    result = export_outputs(paths, to, out, split_names(layer))
    for note in result.notes:
        typer.echo(f"warning: {note}", err=True)
    typer.echo(f"{len(result.files)} file(s) written to {out}")


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("export")(export_command)
