"""A progress bar on the terminal (documents/s, words/s, ETA); nothing when not a TTY."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from annotate.io.sources import reader_table
from annotate.registry import Entry


class _Rates(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        if elapsed <= 0:
            return Text("")
        docs = task.completed / elapsed
        words = task.fields.get("words", 0) / elapsed
        return Text(f"{docs:,.1f} docs/s · {words:,.0f} words/s", style="progress.data.speed")


class Bar:
    """``with Bar(enabled, total) as bar: bar.advance(docs, words)``."""

    def __init__(self, enabled: bool, total: int | None = None) -> None:
        self.enabled = enabled
        self.total = total
        self.words = 0
        self.progress: Progress | None = None

    def __enter__(self) -> Bar:
        if self.enabled:
            self.progress = Progress(
                TextColumn("annotating"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rates(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("annotate", total=self.total, words=0)
        return self

    def advance(self, docs: int, words: int) -> None:
        if self.progress is not None:
            self.words += words
            self.progress.update(self.task, advance=docs, words=self.words)

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.stop()


def count_documents(
    paths: Iterable[str], readers: Mapping[str, Entry], budget: float = 1.0
) -> int | None:
    """How many documents ``paths`` hold (for the ETA), or None if it takes over ``budget`` s."""
    by_ext = reader_table(readers)
    line_readers = {ext for ext, reader in by_ext.items() if reader.name == "jsonl"}
    deadline = time.monotonic() + budget
    total = 0

    def count(path: Path) -> int:
        if path.suffix.lower() not in line_readers:
            return 1
        lines = 0
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                if time.monotonic() > deadline:
                    raise TimeoutError
        return lines

    try:
        for raw in paths:
            if raw == "-":
                return None
            path = Path(raw)
            if path.is_dir():
                for file in path.rglob("*"):
                    if time.monotonic() > deadline:
                        return None
                    parts = file.relative_to(path).parts
                    if file.suffix.lower() in by_ext and not any(p.startswith(".") for p in parts):
                        total += count(file)
            elif path.is_file():
                total += count(path)
    except (TimeoutError, OSError):
        return None
    return total
