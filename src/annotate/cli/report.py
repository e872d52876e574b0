"""``annotate report``: the corpus database as one self-contained HTML page of charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli._util import friendly
from annotate.errors import InputError
from annotate.hookspecs import hookimpl
from annotate.io.writers import write_atomic


def report_page(
    db: str | Path,
    out: Path,
    *,
    title: str = "Corpus report",
    top_orgs: int = 20,
    top_pairs: int = 30,
    timelines: int = 6,
) -> Path:
    """Write the report of ``db`` to ``out``: the plain function behind ``annotate report``."""
    from annotate.analytics.report import write_report
    from annotate.analytics.store import connect

    if out.is_dir():
        raise InputError(str(out), "is a folder; give -o a file name, e.g. report.html.")
    con = connect(db, read_only=True)
    try:
        page = write_report(con, title, top_orgs=top_orgs, top_pairs=top_pairs, timelines=timelines)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, page)
    return out


@friendly
def report_command(
    db: Annotated[Path, typer.Option("--db", help="The database `annotate index` wrote.")] = Path(
        "corpus.duckdb"
    ),
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    title: Annotated[str, typer.Option(help="The page's title.")] = "Corpus report",
    top_orgs: Annotated[int, typer.Option(min=1, help="Organisations in the ranking.")] = 20,
    top_pairs: Annotated[int, typer.Option(min=1, help="Pairs in the matrix.")] = 30,
    timelines: Annotated[int, typer.Option(min=0, help="Pairs given a monthly timeline.")] = 6,
) -> None:
    """Write the corpus database as one self-contained HTML page of charts.

    Organisations by mentions, competition and collaboration pairs, each strong pair's stance
    month by month, money per organisation; each chart links to its evidence documents.
    """
    path = report_page(
        db, out, title=title, top_orgs=top_orgs, top_pairs=top_pairs, timelines=timelines
    )
    typer.echo(str(path))


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("report")(report_command)
