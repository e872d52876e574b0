"""``annotate config``: the effective configuration, annotators' own defaults included."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from annotate.api import load_registry
from annotate.cli._util import friendly
from annotate.config import load_config
from annotate.hookspecs import hookimpl
from annotate.selection import default_pipeline


def effective_config(config: Path | None = None) -> dict[str, Any]:
    """The merged config, with every registered annotator's settings filled in."""
    loaded = load_config(config)
    registry = load_registry(loaded)
    effective = dict(loaded)
    effective["pipeline"] = default_pipeline(loaded, registry).names  # plugins included
    effective["annotators"] = {
        name: loaded.annotator_config(name, entry.obj.default_config)
        for name, entry in sorted(registry.annotators.items())
    }
    return effective


@friendly
def config_command(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", metavar="FILE", help="YAML config to start from."),
    ] = None,
) -> None:
    """Print the effective configuration as YAML (a starting point for annotate.yaml)."""
    typer.echo(yaml.safe_dump(effective_config(config), sort_keys=False, allow_unicode=True))


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("config")(config_command)
