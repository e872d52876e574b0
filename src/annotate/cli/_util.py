"""Shared bits of the CLI commands: error reporting and option parsing."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import typer

from annotate.errors import AnnotateError, Interrupted

F = TypeVar("F", bound=Callable[..., Any])


# Control characters (a newline or an escape sequence in a file name, say), shown escaped.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}


def error_line(message: str) -> None:
    """One line on stderr; control characters in it are escaped, so it stays one line."""
    text = message.translate(_CONTROL).encode("utf-8", "backslashreplace").decode("utf-8")
    print(f"error: {text}", file=sys.stderr)


def friendly(function: F) -> F:
    """Turn an AnnotateError into one line on stderr and its exit code (2: usage or config)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Interrupted as error:
            print(str(error), file=sys.stderr)
            raise typer.Exit(error.exit_code) from None
        except AnnotateError as error:
            error_line(str(error))
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise typer.Exit(130) from None
        except BrokenPipeError:  # the reader of our stdout went away (`| head`): stop quietly
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None  # 128 + SIGPIPE, as a shell reports it

    return wrapper  # type: ignore[return-value]


def split_names(values: Iterable[str] | None) -> list[str]:
    """``--only a,b --only c`` -> ["a", "b", "c"]."""
    return [name.strip() for value in values or () for name in value.split(",") if name.strip()]
