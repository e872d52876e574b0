"""``annotate view``: an output document as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._util import friendly, split_names
from annotate.errors import InputError
from annotate.export import pick_document
from annotate.hookspecs import hookimpl
from annotate.io.writers import safe_filename, write_atomic
from annotate.names import check_layers
from annotate.view import render_page


def default_page(path: Path, doc_id: str | None) -> Path:
    """``out/a.json`` -> ``out/a.html``; a document picked by ``--id`` from a ``.jsonl`` file
    or a folder -> ``all-<id>.html`` beside the file, or ``<id>.html`` in the folder."""
    if doc_id is None:
        return path.with_suffix(".html")
    name = safe_filename(doc_id)
    return path / f"{name}.html" if path.is_dir() else path.with_name(f"{path.stem}-{name}.html")


def view_page(
    path: Path, out: Path | None = None, doc_id: str | None = None, layers: list[str] | None = None
) -> Path:
    """Write the page of the document in ``path`` (``doc_id`` picks one of several); its path."""
    doc = pick_document(path, doc_id)
    check_layers(layers, [doc])
    target = out or default_page(path, doc.id if doc_id else None)
    if target.is_dir():
        raise InputError(str(target), "is a folder; give -o a file name, e.g. page.html.")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, render_page(doc, layers or None))
    return target


@friendly
def view_command(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="OUTPUT", help="Output of `annotate run`: out/<id>.json, or a .jsonl with --id."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="HTML file (default: OUTPUT with .html; with --id, OUTPUT-ID.html).",
        ),
    ] = None,
    doc_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="Which document, when OUTPUT holds several."),
    ] = None,
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", "-l", metavar="LAYER", help="Only these layers (comma-separated)."),
    ] = None,
) -> None:
    """Write a self-contained HTML page of one document: spans coloured per layer with label
    chips, a legend to toggle layers, stance labels in the margin. Open it in a browser."""
    typer.echo(str(view_page(path, out, doc_id, split_names(layer))))


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("view")(view_command)
