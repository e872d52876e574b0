"""``annotate plugins``: every annotator, reader and writer, and where it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from annotate.api import load_registry
from annotate.cli._util import friendly
from annotate.config import load_config
from annotate.hookspecs import hookimpl


def list_plugins(
    config: Path | None = None,
    plugin_dirs: list[Path] | None = None,
    plugins: list[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per annotator: name, version, plugin, origin, assigns, requires."""
    registry = load_registry(load_config(config), plugin_dirs or (), plugins or ())
    return [
        {
            "name": entry.name,
            "version": entry.obj.version,
            "plugin": entry.plugin,
            "origin": entry.origin,
            "assigns": list(entry.obj.assigns),
            "requires": list(entry.obj.requires),
        }
        for entry in sorted(registry.annotators.values(), key=lambda e: e.name)
    ]


@friendly
def plugins_command(
    config: Annotated[Path | None, typer.Option("--config", "-c")] = None,
    plugins_dir: Annotated[list[Path] | None, typer.Option("--plugins-dir")] = None,
    plugin: Annotated[list[str] | None, typer.Option("--plugin", "-p")] = None,
) -> None:
    """List every annotator: name, version, where it came from, layers it assigns and requires."""
    table = Table(box=None, header_style="bold")
    for column in ("annotator", "version", "from", "assigns", "requires"):
        table.add_column(column)
    for row in list_plugins(config, plugins_dir, plugin):
        table.add_row(
            row["name"],
            row["version"],
            f"{row['origin']} ({row['plugin']})",
            ", ".join(row["assigns"]),
            ", ".join(row["requires"]) or "-",
        )
    Console(width=160).print(table)


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("plugins")(plugins_command)
