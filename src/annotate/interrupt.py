"""Telling a real Ctrl-C from a ``KeyboardInterrupt`` that a plugin raised.

While a run is going, the main process's SIGINT handler notes that the user pressed Ctrl-C
before raising ``KeyboardInterrupt``. The runner treats a ``KeyboardInterrupt`` from an
annotator as that annotator's error on that document unless a real Ctrl-C came (or nobody
is tracking SIGINT, as when annotate is used as a library). Worker processes ignore SIGINT,
so every ``KeyboardInterrupt`` there comes from a plugin.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

_PRESSED = threading.Event()
_held = 0  # depth of `held()` blocks in the main thread
_pending = False


def _handler(signum: int, frame: Any) -> None:
    global _pending
    _PRESSED.set()
    if _held:
        _pending = True
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold a Ctrl-C back until the block is done (e.g. a temp file written and renamed).

    Python runs signal handlers in the main thread between bytecodes, whichever thread the
    signal reached, so blocking the signal is not enough; the handler defers instead.
    """
    global _held, _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending:
            _pending = False
            raise KeyboardInterrupt


@contextlib.contextmanager
def tracking() -> Iterator[None]:
    """Track Ctrl-C for the duration (only in the main thread, where handlers can be set)."""
    global _pending
    _PRESSED.clear()
    _pending = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def is_real(error: BaseException) -> bool:
    """Whether ``error`` must stop the run: a real Ctrl-C, or one nobody could tell apart."""
    if not isinstance(error, KeyboardInterrupt):
        return False
    if _PRESSED.is_set():
        return True
    return signal.getsignal(signal.SIGINT) is signal.default_int_handler
