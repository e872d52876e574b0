"""``annotate run``: annotate files and folders into OUT."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from annotate.batch import Summary, run_batch
from annotate.cache import PARSE, default_cache_dir
from annotate.cli._util import error_line, friendly, split_names
from annotate.errors import ConfigError
from annotate.hookspecs import hookimpl
from annotate.io.formats import writer_class
from annotate.io.sources import check_paths, count_documents, list_inputs
from annotate.io.writers import write_atomic
from annotate.parallel import PipelineSpec, plugin_paths


class StdinFormat(StrEnum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"


@friendly
def run(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (recursively) or - for stdin.")
    ],
    out: Annotated[
        str,
        typer.Option(
            "--out",
            "-o",
            help="Output folder (json), file (x.jsonl: JSON Lines), or - for stdout (JSON Lines).",
        ),
    ] = "out",
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Output format: json (OUT/<id>.json per document), jsonl (one file), or a "
            "writer plugin's. Default: from OUT's suffix (x.jsonl: jsonl), else json.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML config (see `annotate config`).")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only these annotators (comma-separated or repeated)."),
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Leave these annotators out.")
    ] = None,
    plugins_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--plugins-dir", help="Also load the plugins in this folder; they join the pipeline."
        ),
    ] = None,
    plugin: Annotated[
        list[str] | None, typer.Option("--plugin", "-p", help="Plugin module to import.")
    ] = None,
    stdin_format: Annotated[
        StdinFormat,
        typer.Option(
            help="What - on stdin holds. auto: JSON Lines when every line is a JSON object, "
            "else one text document. Documents without an id are stdin-1, stdin-2..."
        ),
    ] = StdinFormat.auto,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Stop at the first annotator error.")
    ] = False,
    timings: Annotated[
        bool,
        typer.Option(
            "--timings", help="Record seconds per annotator (output no longer byte-identical)."
        ),
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the run summary as JSON here.")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary table.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Worker processes (default: all cores; 1: in this process). Inputs of under "
            "48 documents always run in this process.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run on Dask: a scheduler address (tcp://HOST:8786), or 'local' for a "
            "LocalCluster of --workers processes."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Annotate every document again: no skipping what OUT holds, no cached results.",
        ),
    ] = False,
    cache: Annotated[
        Path | None,
        typer.Option(help="Annotator result cache folder (default: ~/.cache/annotate)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    timeout_per_doc: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Seconds an annotator may spend on one document; over it, that annotator's "
            "result is left out and reported (one that will not stop has its worker process "
            "replaced and the document fails). Runs in worker processes.",
        ),
    ] = None,
) -> None:
    """Annotate PATHS and write one JSON annotation layer per document.

    Exit codes: 0 all documents ok, 1 some documents or annotators failed, 2 usage or config error.
    """
    summary = annotate_paths(
        paths,
        out,
        format=format,
        config=config,
        only=split_names(only),
        skip=split_names(skip),
        plugin_dirs=plugins_dir or [],
        plugins=plugin or [],
        stdin_format=stdin_format.value,
        fail_fast=fail_fast,
        timings=timings,
        workers=workers,
        scheduler=scheduler,
        force=force,
        cache=cache,
        use_cache=not no_cache,
        timeout_per_doc=timeout_per_doc or None,
        progress=not quiet and sys.stderr.isatty(),
    )
    if report is not None:
        write_atomic(report, json.dumps(summary.to_json(), indent=2) + "\n")
    if not quiet:
        print_summary(summary, out)
    raise typer.Exit(summary.exit_code)


def annotate_paths(
    paths: list[str],
    out: str,
    *,
    format: str | None = None,
    config: Path | None = None,
    only: list[str] | None = None,
    skip: list[str] | None = None,
    plugin_dirs: list[Path] | None = None,
    plugins: list[str] | None = None,
    stdin_format: str = "auto",
    fail_fast: bool = False,
    timings: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    cache: str | Path | None = None,
    use_cache: bool = True,
    timeout_per_doc: float | None = None,
    progress: bool = False,
) -> Summary:
    """The plain function behind ``annotate run``.

    ``workers``: processes (None: all cores); ``scheduler``: Dask address or ``local``;
    ``force``: redo documents already in OUT, not reading the cache; ``cache``: result cache
    folder (default ~/.cache/annotate; ``use_cache=False`` for none); ``timeout_per_doc``:
    seconds an annotator may take on one document.
    """
    if scheduler is not None and "-" in paths:
        raise ConfigError("--scheduler cannot read - (stdin); pass files or folders.")
    check_paths(paths)
    spec = PipelineSpec(
        config=str(Path(config).resolve()) if config is not None else None,
        only=tuple(only or ()),
        skip=tuple(skip or ()),
        plugin_dirs=plugin_paths(plugin_dirs or ()),
        plugins=tuple(plugins or ()),
        fail_fast=fail_fast,
        timings=timings,
    )
    pipeline = spec.build()
    for notice in pipeline.notices:
        print(f"notice: {notice}", file=sys.stderr)
    writers = pipeline.registry.writers
    writer_cls = writer_class(out, format, writers)  # --format, else from OUT's suffix
    writer = writer_cls(out)
    cache_dir = (cache or default_cache_dir()) if use_cache else None
    readers = pipeline.registry.readers
    inputs = list_inputs(paths, readers)  # the one walk of the folders
    total = count_documents(inputs, readers) if progress else None
    return run_batch(
        inputs,
        pipeline,
        writer,
        report=error_line,
        stdin_format=stdin_format,
        workers=workers,
        scheduler=scheduler,
        spec=spec,
        cache_dir=cache_dir,
        force=force,
        timeout=timeout_per_doc,
        progress=progress,
        total=total,
    )


def print_summary(summary: Summary, out: str) -> None:
    console = Console(stderr=True)
    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column("layer")
    table.add_column("annotations", justify="right")
    for layer, count in sorted(summary.layers.items()):
        table.add_row(layer, str(count))
    console.print(table)
    for line in summary_lines(summary, out):
        console.print(line, markup=False, soft_wrap=True)


def summary_lines(summary: Summary, out: str) -> list[str]:
    """The two lines under the table: what became of the documents, and the speed."""
    documents = summary.ok + summary.failed + summary.skipped
    errors = sum(summary.annotator_errors.values())
    first = (
        f"{documents} document(s): {summary.ok} ok, {summary.failed} failed, "
        f"{summary.skipped} resumed (already done)"
        + (f", {errors} annotator errors" if errors else "")
    )
    cached = summary.cached
    if cached.total():
        parts = [
            f"{name} {cached[name]}" for name in sorted(cached, key=_parse_first) if cached[name]
        ]
        first += f" · {cached.total():,} results from the cache ({', '.join(parts)})"
    second = (
        f"{summary.words:,} words in {summary.seconds:.2f}s ({summary.words_per_second:,.0f} "
        "words/s)" + ("" if out == "-" else f" → {out}")
    )
    return [first, second]


def _parse_first(name: str) -> tuple[bool, str]:
    return name != PARSE, name


@hookimpl
def register_commands(app: typer.Typer) -> None:
    app.command("run")(run)
