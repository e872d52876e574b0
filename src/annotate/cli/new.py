"""``annotate new plugin NAME``: scaffold an installable annotator package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._util import friendly
from annotate.hookspecs import hookimpl
from annotate.scaffold import new_plugin

new_app = typer.Typer(help="Create new things: `annotate new plugin NAME`.", no_args_is_help=True)


@new_app.command("plugin")
@friendly
def plugin_command(
    name: Annotated[str, typer.Argument(help="Package name, e.g. acme-tickers.")],
    directory: Annotated[Path, typer.Option("--dir", "-d", help="Where to create it.")] = Path("."),
) -> None:
    """Generate a plugin package (annotator, YAML config, README, tests) that passes its tests."""
    folder = new_plugin(name, directory)
    typer.echo(f"created {folder}: cd {folder} && pip install -e . && pytest")


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.add_typer(new_app, name="new")
