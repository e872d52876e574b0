"""``annotate query``: SQL or a named query over the corpus database, as a table, CSV or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from annotate.cli._util import friendly
from annotate.errors import ConfigError
from annotate.hookspecs import hookimpl


class Output(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def query_corpus(db: str | Path, words: list[str], top: int = 20) -> Any:
    """The plain function behind ``annotate query``: a named query (``["pairs"]``,
    ``["timeline", "Microsoft", "OpenAI"]``) or SQL (the words joined); a ``Result``."""
    from annotate.analytics.queries import NAMED, run_named, run_sql
    from annotate.analytics.store import connect

    if not words:
        raise ConfigError("give SQL or a named query; `annotate query --list` lists them.")
    con = connect(db, read_only=True)
    try:
        if words[0] in NAMED:
            return run_named(con, words[0], words[1:], top)
        return run_sql(con, " ".join(words))
    finally:
        con.close()


def named_list() -> str:
    from annotate.analytics.queries import NAMED

    width = max(len(q.usage) for q in NAMED.values())
    return "\n".join(f"{q.usage:<{width}}  {q.help}" for q in NAMED.values())


def print_table(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from annotate.analytics.queries import show

    table = Table(show_header=True, header_style="bold")
    for column in result.columns:
        table.add_column(column)
    for row in result.rows:
        table.add_row(*(show(value) for value in row))
    console = Console()
    console.print(table)
    console.print(f"{len(result.rows)} row(s)", style="dim")


@friendly
def query_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help='SQL, or a named query and its names: pairs, timeline "A" "B"...'),
    ] = None,
    db: Annotated[Path, typer.Option("--db", help="The database `annotate index` wrote.")] = Path(
        "corpus.duckdb"
    ),
    format: Annotated[Output, typer.Option("--format", "-f", help="table, csv or json.")] = (
        Output.table
    ),
    top: Annotated[int, typer.Option("--top", min=1, help="Rows of a named query.")] = 20,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
) -> None:
    """Query the corpus database in SQL or with a named query (--list).

    Tables: documents, annotations; views: entities, money, dates, stance_sentences,
    stance_pairs (docs/analytics.md).
    """
    if list_:
        typer.echo(named_list())
        return
    result = query_corpus(db, words or [], top)
    if format is Output.table:
        print_table(result)
        return
    from annotate.analytics.queries import to_csv, to_json

    typer.echo(
        to_csv(result) if format is Output.csv else to_json(result), nl=format is Output.json
    )


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("query")(query_command)
