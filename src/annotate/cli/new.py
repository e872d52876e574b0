"""``annotate new plugin NAME``: scaffold an installable annotator package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._util import friendly
from annotate.hookspecs import hookimpl
from annotate.scaffold import new_plugin, next_steps

new_app = typer.Typer(help="Create new things: `annotate new plugin NAME`.", no_args_is_help=True)


@new_app.command("plugin")
@friendly
def plugin_command(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="Package name, e.g. acme-tickers (its annotator: acme_tickers). It may not be "
            "the name of an existing annotator or importable module.",
        ),
    ],
    directory: Annotated[
        Path, typer.Option("--dir", "-d", metavar="DIR", help="Folder to create it in.")
    ] = Path("."),
) -> None:
    """Generate a plugin package (annotator, YAML config, README, tests) that passes its tests."""
    folder = new_plugin(name, directory)
    steps = "\n".join(f"  {step}" for step in next_steps(folder))
    typer.echo(
        f"created {folder}. Next, in the environment annotate is installed in "
        f"(`. .venv/bin/activate` after `make run`):\n{steps}\n"
        f"Once installed, its annotator joins the default pipeline (`annotate plugins`)."
    )


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.add_typer(new_app, name="new")
