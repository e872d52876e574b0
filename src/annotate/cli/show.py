"""``annotate show``: an output document's text in the terminal, spans highlighted per layer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from annotate.cli._util import friendly, split_names
from annotate.export import pick_document
from annotate.hookspecs import hookimpl
from annotate.names import check_layers
from annotate.view.inline import with_labels

LONG_SPAN = 60
STYLES = ("bold cyan", "bold magenta", "bold green", "bold yellow", "bold blue", "bold red")


# Control characters (ESC and the C1 range start terminal escape sequences), except \t and \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters shown as U+FFFD: the same length, so offsets hold,
    and nothing in a document can move the cursor, retitle or recolour the terminal."""
    return _CONTROL.sub("\ufffd", text)


def render(record: dict[str, Any], layers: list[str] | None = None) -> Text:
    """The document text with each annotation styled by layer, and a legend line."""
    annotations = [
        {**a, "label": printable(str(a["label"]))}
        for a in record["annotations"]
        if not layers or a["layer"] in layers
    ]
    names = sorted({a["layer"] for a in annotations})
    style = {name: STYLES[i % len(STYLES)] for i, name in enumerate(names)}
    text = Text(printable(record["text"]))
    # Wide spans first so that nested, narrower spans are drawn on top; sentence-long spans
    # (e.g. stance) are underlined so that the names inside them keep their colour.
    for a in sorted(annotations, key=lambda a: (a["start"] - a["end"], a["start"])):
        long = a["end"] - a["start"] > LONG_SPAN
        text.stylize(("underline " if long else "") + style[a["layer"]], a["start"], a["end"])
    legend = Text()
    for name in names:
        legend.append(f"■ {printable(name)}  ", style=style[name])
    return Text.assemble(legend, "\n\n", with_labels(text, annotations, style))


@friendly
def show_command(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="OUTPUT", help="Output of `annotate run`: out/<id>.json, or a .jsonl with --id."
        ),
    ],
    doc_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="Which document, when OUTPUT holds several."),
    ] = None,
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", "-l", metavar="LAYER", help="Only these layers (comma-separated)."),
    ] = None,
) -> None:
    """Print an output document with each layer's spans coloured and their labels inline."""
    doc = pick_document(path, doc_id)
    layers = split_names(layer)
    check_layers(layers, [doc])
    Console().print(render(doc.to_json(), layers or None))


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("show")(show_command)
