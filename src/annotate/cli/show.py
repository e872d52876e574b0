"""``annotate show``: an output document's text in the terminal, spans highlighted per layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from annotate.cli._util import friendly
from annotate.errors import InputError
from annotate.hookspecs import hookimpl

LONG_SPAN = 60
STYLES = ("bold cyan", "bold magenta", "bold green", "bold yellow", "bold blue", "bold red")


def render(record: dict[str, Any], layers: list[str] | None = None) -> Text:
    """The document text with each annotation styled by layer, and a legend line."""
    annotations = [a for a in record["annotations"] if not layers or a["layer"] in layers]
    names = sorted({a["layer"] for a in annotations})
    style = {name: STYLES[i % len(STYLES)] for i, name in enumerate(names)}
    text = Text(record["text"])
    # Wide spans first so that nested, narrower spans are drawn on top; sentence-long spans
    # (e.g. stance) are underlined so that the names inside them keep their colour.
    for a in sorted(annotations, key=lambda a: (a["start"] - a["end"], a["start"])):
        long = a["end"] - a["start"] > LONG_SPAN
        text.stylize(("underline " if long else "") + style[a["layer"]], a["start"], a["end"])
    legend = Text()
    for name in names:
        legend.append(f"■ {name}  ", style=style[name])
    return Text.assemble(legend, "\n\n", text)


@friendly
def show_command(
    path: Annotated[Path, typer.Argument(help="An output file, e.g. out/<id>.json.")],
    layer: Annotated[
        list[str] | None, typer.Option("--layer", "-l", help="Only these layers.")
    ] = None,
) -> None:
    """Render an output document with the spans of each layer highlighted."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(str(path), f"cannot read annotate output: {error}") from None
    Console().print(render(record, layer))


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("show")(show_command)
