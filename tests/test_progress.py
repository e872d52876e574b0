"""The progress bar (drawn at once, one line in 80 columns, an ETA from the average rate) and
the end-of-run summary (resumed documents, results from the cache)."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from annotate.batch import Summary
from annotate.cli.run import summary_lines
from annotate.progress import Bar
from test_batch import write_docs


class Clock:
    """A clock the test moves: no test here waits or depends on how fast it runs."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def terminal() -> Console:
    return Console(width=80, file=io.StringIO(), force_terminal=True)


def lines(bar: Bar, width: int = 80) -> list[str]:
    console = Console(width=width, file=io.StringIO(), force_terminal=True)
    console.print(bar)
    return Text.from_ansi(console.file.getvalue()).plain.splitlines()


@pytest.mark.parametrize("total", [40, 1_234_567, None])
@pytest.mark.parametrize("fraction", [0, 0.1, 0.5, 1])
def test_the_bar_is_one_line_of_at_most_80_columns(total, fraction):
    clock = Clock()
    bar = Bar(False, total, clock=clock)
    clock.now += 3.0
    bar.advance(1, 1_234)
    done = int((total or 1_234_567) * fraction)
    clock.now += 7_300.0  # over two hours: h:mm:ss
    bar.advance(max(0, done - 1), 98_765_432_100)
    drawn = lines(bar)
    assert len(drawn) == 1, drawn
    assert cell_len(drawn[0]) <= 80, drawn
    assert f"{bar.docs:,}" in drawn[0]


def test_eta_is_unknown_until_there_is_a_rate_then_the_average_since_the_first_documents():
    clock = Clock()
    bar = Bar(False, 100, clock=clock)
    assert "ETA -:--" in lines(bar)[0] and "- docs/s" in lines(bar)[0]
    clock.now += 30.0  # start-up: model, worker processes; not part of the rate
    bar.advance(10, 1_000)
    assert bar.eta() is None and "ETA -:--" in lines(bar)[0]
    clock.now += 10.0
    bar.advance(10, 1_000)
    assert bar.rates() == (1.0, 100.0)
    assert bar.eta() == 80.0 and "ETA 1:20" in lines(bar)[0]
    clock.now += 5.0  # no document for a while: the ETA counts down
    assert bar.eta() == 75.0
    clock.now += 10.0
    bar.advance(5, 500)  # slower: 15 documents in 25 s
    assert bar.eta() == pytest.approx(75 / 0.6)
    bar.advance(75, 0)
    assert bar.eta() == 0.0 and "ETA 0:00" in lines(bar)[0]


def test_a_run_of_unknown_length_shows_no_eta():
    bar = Bar(False, None)
    bar.advance(3, 30)
    assert "ETA" not in lines(bar)[0] and "3 · " in lines(bar)[0]


def test_the_bar_is_drawn_when_entered_and_erased_at_the_end():
    console = terminal()
    with Bar(True, 10, console=console) as bar:
        assert "annotating" in console.file.getvalue()  # before any document is done
        bar.advance(10, 100)
    assert bar.words == 100


def test_nothing_is_drawn_when_not_enabled():
    console = terminal()
    with Bar(False, 10, console=console) as bar:
        bar.advance(10, 100)
    assert console.file.getvalue() == ""


def test_the_summary_says_what_was_resumed_and_what_came_from_the_cache():
    summary = Summary(ok=10, skipped=2, words=1_234, seconds=2.0)
    summary.cached = Counter({"money": 10, "spacy-parse": 10, "dates": 10})
    assert summary_lines(summary, "out") == [
        "12 document(s): 10 ok, 0 failed, 2 resumed (already done) · 30 results from the "
        "cache (spacy-parse 10, dates 10, money 10)",
        "1,234 words in 2.00s (617 words/s) → out",
    ]
    summary.cached = Counter()
    assert summary_lines(summary, "-")[0].endswith("2 resumed (already done)")


def test_a_second_run_reports_resumed_documents(tmp_path, plugin_dir, cli):
    docs = write_docs(tmp_path / "in", 3)
    args = ("run", docs, "--plugins-dir", plugin_dir, "--only", "upper")
    first = cli(*args, "-o", tmp_path / "out")
    assert "3 document(s): 3 ok, 0 failed, 0 resumed (already done)" in first.stderr
    assert "annotating" not in first.stderr  # no progress bar when not on a terminal
    again = cli(*args, "-o", tmp_path / "out", "--report", tmp_path / "r.json")
    assert "3 document(s): 0 ok, 0 failed, 3 resumed (already done)" in again.stderr
    assert json.loads((tmp_path / "r.json").read_text())["documents"]["skipped"] == 3


def test_a_run_into_a_new_folder_reports_results_from_the_cache(tmp_path, plugin_dir, cli):
    docs = write_docs(tmp_path / "in", 3)
    args = ("run", docs, "--plugins-dir", plugin_dir, "--only", "upper")
    assert cli(*args, "-o", tmp_path / "one").exit_code == 0
    again = cli(*args, "-o", tmp_path / "two", "--report", tmp_path / "r.json")
    assert "3 results from the cache (upper 3)" in again.stderr
    assert json.loads((tmp_path / "r.json").read_text())["cached"] == {"upper": 3}
