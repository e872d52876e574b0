"""``annotate plugins``: every annotator, reader and writer, and where it came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from annotate.api import load_registry
from annotate.cli._util import friendly
from annotate.config import load_config
from annotate.hookspecs import hookimpl
from annotate.selection import default_pipeline


def list_plugins(
    config: Path | None = None,
    plugin_dirs: list[Path] | None = None,
    plugins: list[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per annotator: name, version, plugin, origin, assigns, requires, and whether it
    runs in the default pipeline (``active``) and why (``why``)."""
    loaded = load_config(config)
    registry = load_registry(loaded, plugin_dirs or (), plugins or ())
    selection = default_pipeline(loaded, registry)
    return [
        {
            "name": entry.name,
            "version": entry.obj.version,
            "plugin": entry.plugin,
            "origin": entry.origin,
            "assigns": list(entry.obj.assigns),
            "requires": list(entry.obj.requires),
            "active": selection.active(entry.name),
            "why": selection.why.get(entry.name, ""),
        }
        for entry in sorted(registry.annotators.values(), key=lambda e: e.name)
    ]


@friendly
def plugins_command(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", metavar="FILE", help="YAML config (see `annotate config`)."),
    ] = None,
    plugins_dir: Annotated[
        list[Path] | None,
        typer.Option("--plugins-dir", metavar="DIR", help="Also load the plugins in this folder."),
    ] = None,
    plugin: Annotated[
        list[str] | None,
        typer.Option("--plugin", "-p", metavar="MODULE", help="Also import this plugin module."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List every annotator: version, origin, layers, and whether it runs by default and why.

    Installed and --plugins-dir annotators join the default pipeline unless the config pins
    `pipeline:`.
    """
    rows = list_plugins(config, plugins_dir, plugin)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(box=None, header_style="bold")
    for column in ("annotator", "version", "from", "assigns", "requires", "runs"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            row["version"],
            f"{row['origin']} ({row['plugin']})",
            ", ".join(row["assigns"]),
            ", ".join(row["requires"]) or "-",
            ("yes: " if row["active"] else "no: ") + row["why"],
        )
    Console(width=200).print(table)


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("plugins")(plugins_command)
