"""The progress bar on stderr: documents, docs/s, words/s, elapsed time and ETA."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

LABEL = "annotating"
MIN_BAR, MAX_BAR = 10, 40  # columns
# Seconds of completed documents needed before there is a rate (and an ETA) to show: less,
# and the first chunks of several workers finishing together would promise a minute's run.
MIN_WINDOW = 1.0


class Bar:
    """``with Bar(enabled, total) as bar: bar.advance(docs, words)``; nothing when not enabled.

    Drawn as soon as it is entered, then five times a second, on one line that fits the
    terminal (from 80 columns; less wide, it leaves out the elapsed time, then the label).
    Rates and ETA are averages since the first documents completed, which leaves out the
    start-up (model load, worker processes); "ETA -:--" until there are ``MIN_WINDOW`` seconds
    of them, no ETA when ``total`` is unknown.
    """

    def __init__(
        self,
        enabled: bool,
        total: int | None = None,
        *,
        console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.total = total
        self.console = console
        self.clock = clock
        self.docs = 0
        self.words = 0
        self.started = clock()
        self.first: tuple[float, int, int] | None = None  # when, docs, words: first advance
        self.latest = self.started  # time of the latest advance
        self.live: Live | None = None

    def __enter__(self) -> Bar:
        self.started = self.latest = self.clock()
        if self.enabled:
            self.live = Live(
                self,
                console=self.console or Console(stderr=True),
                refresh_per_second=5,
                transient=True,
                redirect_stdout=False,  # `-o -` writes the records there
            )
            self.live.start(refresh=True)
        return self

    def advance(self, docs: int, words: int) -> None:
        """``docs`` more documents done (written, failed or resumed), holding ``words``."""
        self.latest = self.clock()
        if self.first is None:
            self.first = (self.latest, self.docs + docs, self.words + words)
        self.docs += docs
        self.words += words

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.stop()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No refresh thread for a while (e.g. while worker processes are forked)."""
        if self.live is None:
            yield
            return
        self.live.stop()
        try:
            yield
        finally:
            self.live.start(refresh=True)

    def rates(self) -> tuple[float, float] | None:
        """Documents and words a second since the first advance; None before MIN_WINDOW s."""
        if self.first is None or self.latest - self.first[0] < MIN_WINDOW:
            return None
        when, docs, words = self.first
        seconds = self.latest - when
        return (self.docs - docs) / seconds, (self.words - words) / seconds

    def eta(self) -> float | None:
        """Seconds left at the average rate, counted down since the latest advance."""
        if self.total is None:
            return None
        if self.docs >= self.total:
            return 0.0
        rates = self.rates()
        if rates is None or rates[0] <= 0:
            return None
        left = (self.total - self.docs) / rates[0] - (self.clock() - self.latest)
        return max(0.0, left)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.render(options.max_width)

    def render(self, width: int) -> Table:
        """The bar as one line of at most ``width`` cells (from about 60)."""
        rates = self.rates()
        eta = self.eta()
        eta_text = "-:--" if eta is None else _duration(eta)
        fields = {
            "label": LABEL,
            "count": f"{self.docs:,}" + ("" if self.total is None else f"/{self.total:,}"),
            "docs": f"{_short(rates[0]) if rates else '-'} docs/s",
            "words": f"{_short(rates[1]) if rates else '-'} words/s",
            "elapsed": _duration(self.clock() - self.started),
            "eta": "" if self.total is None else f"ETA {eta_text}",
        }
        for dropped in ((), ("elapsed",), ("elapsed", "label"), ("elapsed", "label", "words")):
            shown = {k: v for k, v in fields.items() if v and k not in dropped}
            label = shown.pop("label", None)
            info = " · ".join(shown.values())
            room = width - cell_len(info) - 1 - (len(label) + 1 if label else 0)
            if room >= MIN_BAR:
                break
        grid = Table.grid(padding=(0, 1))
        cells: list[Any] = []
        if label:
            grid.add_column(no_wrap=True)
            cells.append(Text(label, style="progress.description"))
        bar_width = max(1, min(MAX_BAR, room))
        grid.add_column(width=bar_width, no_wrap=True)
        cells.append(
            ProgressBar(
                total=self.total, completed=self.docs, width=bar_width, animation_time=self.clock()
            )
        )
        grid.add_column(no_wrap=True)
        cells.append(Text(info, no_wrap=True, overflow="ellipsis"))
        grid.add_row(*cells)
        return grid


def _short(number: float) -> str:
    """A rate in at most four characters: 3.1, 312, 4.5k, 45k, 1.2M."""
    for limit, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if number >= limit:
            number /= limit
            return f"{number:.1f}{unit}" if number < 10 else f"{number:.0f}{unit}"
    return f"{number:.1f}" if number < 10 else f"{number:.0f}"


def _duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
