"""``annotate cache info|clear``: the per-annotator result cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from annotate.cache import CACHE_FILE, ResultCache, default_cache_dir
from annotate.cli._util import friendly, split_names
from annotate.hookspecs import hookimpl
from annotate.names import check_names, registered_annotators

CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache", help="Cache folder (default: $ANNOTATE_CACHE_DIR or ~/.cache/annotate)."
    ),
]


def cache_info(cache: Path | None = None) -> dict[str, Any]:
    """Where the cache is, its entries per annotator and its size on disk."""
    folder = cache or default_cache_dir()
    if not (folder / CACHE_FILE).exists():
        return {"path": str(folder / CACHE_FILE), "entries": {}, "bytes": 0}
    store = ResultCache(folder)
    try:
        return store.info()
    finally:
        store.close()


def cache_clear(cache: Path | None = None, annotators: list[str] | None = None) -> int:
    """Delete cached results (of ``annotators`` only, if given); return how many."""
    folder = cache or default_cache_dir()
    if annotators:
        check_names(
            annotators, registered_annotators() | set(cache_info(cache)["entries"]), "annotator"
        )
    if not (folder / CACHE_FILE).exists():
        return 0
    store = ResultCache(folder)
    try:
        return store.clear(annotators or ())
    finally:
        store.close()


def info_command(
    cache: CacheDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """Show where the result cache is, its entries per annotator and its size."""
    info = cache_info(cache)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    typer.echo(f"cache: {info['path']} ({info['bytes'] / 1e6:,.1f} MB)")
    for name, count in info["entries"].items():
        typer.echo(f"  {name}: {count:,} results")
    if not info["entries"]:
        typer.echo("  (empty)")


@friendly
def clear_command(
    cache: CacheDir = None,
    annotator: Annotated[
        list[str] | None,
        typer.Option(
            "--annotator",
            "-a",
            metavar="NAME",
            help="Clear only these annotators' results (comma-separated or repeated).",
        ),
    ] = None,
) -> None:
    """Delete cached annotator results (all, or those of --annotator)."""
    removed = cache_clear(cache, split_names(annotator))
    typer.echo(f"removed {removed:,} cached results")


@hookimpl
def register_commands(app: typer.Typer) -> None:
    group = typer.Typer(help="The per-annotator result cache: info, clear.", no_args_is_help=True)
    group.command("info")(info_command)
    group.command("clear")(clear_command)
    app.add_typer(group, name="cache")
