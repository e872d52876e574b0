"""``--timeout-per-doc``: how long the annotators may take on one document, together.

A ``SIGALRM`` timer around each annotator call (in the process's main thread) gives the
annotator a ``DocumentTimeout`` exception at its deadline, recorded like any annotator error,
and the next document goes on. An annotator that swallows it, or sits in C code that never
returns to Python (a runaway regex), is stopped by a ``faulthandler`` watchdog a little later
(``hard_stop_after``): in a worker process (``hard_stop``), the process exits, and the main
process starts a new one and reports that document as failed. Threads (Dask workers) get
only the watchdog.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import IO, Any


class DocumentTimeout(Exception):
    """An annotator took longer than --timeout-per-doc on one document."""


def hard_stop_after(seconds: float) -> float:
    """How long past its deadline an annotator that ignores DocumentTimeout may run."""
    return max(1.0, seconds / 2)


# Where this process's watchdog writes when it fires: os.devnull, unless the main process
# gave a folder (watch_in), where it then finds "Timeout" in the file named by the worker's PID.
_WATCHDOG_FILE: IO[str] | None = None


def watch_in(folder: str) -> None:
    """In a worker process: let the watchdog leave its mark in ``folder``."""
    global _WATCHDOG_FILE
    _WATCHDOG_FILE = open(os.path.join(folder, str(os.getpid())), "w")  # noqa: SIM115


class Deadline:
    """One document's time budget, spent only while its annotators run:
    ``with deadline.guard(): annotator.annotate(doc)``, once per annotator."""

    def __init__(self, seconds: float, hard_stop: bool = False) -> None:
        self.seconds = seconds
        self.hard_stop = hard_stop
        self.left = seconds  # of the budget

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        started = time.monotonic()
        at = started + self.left
        try:
            with self._hard(at), self._soft(at):
                yield
        finally:
            self.left -= time.monotonic() - started

    @contextlib.contextmanager
    def _hard(self, at: float) -> Iterator[None]:
        """End the process if the call runs far past its deadline.

        ``faulthandler``'s watchdog is a C thread that needs no GIL, so it fires even while
        an annotator swallows every exception or sits in C code.
        """
        global _WATCHDOG_FILE
        if not self.hard_stop:
            yield
            return
        if _WATCHDOG_FILE is None:
            _WATCHDOG_FILE = open(os.devnull, "w")  # noqa: SIM115 - open for the process's life
        remaining = max(0.0, at - time.monotonic())
        faulthandler.dump_traceback_later(
            remaining + hard_stop_after(self.seconds), exit=True, file=_WATCHDOG_FILE
        )
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()

    @contextlib.contextmanager
    def _soft(self, at: float) -> Iterator[None]:
        """``DocumentTimeout`` raised in the annotator at its deadline (main thread only)."""
        if (
            not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
        ):
            yield
            return
        remaining = at - time.monotonic()
        message = f"took longer than --timeout-per-doc {self.seconds:g}s; its result is left out"
        if remaining <= 0:
            raise DocumentTimeout(message)

        def expired(signum: int, frame: Any) -> None:
            raise DocumentTimeout(message)

        previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, remaining)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
