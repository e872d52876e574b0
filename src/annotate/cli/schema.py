"""``annotate schema``: the JSON Schema of the output."""

from __future__ import annotations

import typer

from annotate.hookspecs import hookimpl
from annotate.schema import SCHEMA_TEXT


def schema_command() -> None:
    """Print the JSON Schema every output document validates against."""
    typer.echo(SCHEMA_TEXT, nl=False)


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("schema")(schema_command)
