"""``annotate index``: load annotate output (folders of JSON, JSONL files) into a DuckDB
corpus database, incrementally, and optionally write it out as Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from annotate.cli._util import error_line, friendly
from annotate.errors import ConfigError
from annotate.hookspecs import hookimpl


def config_aliases(config: Path | None) -> dict[str, str] | None:
    """``analytics.aliases`` of the config file (None without a file: keep the stored ones)."""
    if config is None:
        return None
    from annotate.config import load_config

    section = load_config(config).get("analytics") or {}
    aliases = section.get("aliases") or {}
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise ConfigError(
            f"{config}: analytics.aliases must map names to corpus names, "
            'e.g. {"Microsoft Corporation": "Microsoft"}.'
        )
    return dict(aliases)


def index_corpus(
    paths: list[str | Path],
    db: str | Path,
    *,
    config: Path | None = None,
    prune: bool = False,
    parquet: Path | None = None,
    report: Any = error_line,
) -> Any:
    """The plain function behind ``annotate index``: an ``IndexResult``."""
    from annotate.analytics.store import connect, export_parquet, index_outputs

    result = index_outputs(paths, db, overrides=config_aliases(config), prune=prune, report=report)
    if parquet is not None:
        con = connect(db)
        try:
            export_parquet(con, parquet)
        finally:
            con.close()
    return result


@friendly
def index_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Output folders (JSON files) or JSONL files of `run`.")
    ],
    db: Annotated[
        Path, typer.Option("--db", help="The DuckDB database (created if missing).")
    ] = Path("corpus.duckdb"),
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="annotate.yaml whose analytics.aliases to apply."),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove documents that are not in PATHS.")
    ] = False,
    parquet: Annotated[
        Path | None,
        typer.Option(
            "--parquet", help="Also write the tables as Parquet here, partitioned by month."
        ),
    ] = None,
) -> None:
    """Load annotate output into a DuckDB corpus database, incrementally.

    Documents whose input hash and pipeline are unchanged are skipped, changed ones replaced.
    Query the database with `annotate query`, draw it with `annotate report`.

    Exit codes: 0 all read, 1 some records could not be read, 2 usage error.
    """
    result = index_corpus(list(paths), db, config=config, prune=prune, parquet=parquet)
    typer.echo(
        f"{result.added} added, {result.replaced} replaced, {result.unchanged} unchanged"
        + (f", {result.removed} removed" if prune else "")
        + (f", {len(result.problems)} unreadable" if result.problems else "")
        + f" → {db}"
        + (f" (Parquet: {parquet})" if parquet else "")
    )
    raise typer.Exit(1 if result.problems else 0)


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("index")(index_command)
