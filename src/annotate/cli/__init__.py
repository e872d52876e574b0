"""The ``annotate`` command. Each command is a module registering itself through
``register_commands``, the same hook a plugin uses to add commands."""

from __future__ import annotations

import sys
import warnings

import typer

from annotate.plugins import discover

BUILTIN_ORDER = (
    "run",
    "plugins",
    "config",
    "schema",
    "show",
    "view",
    "export",
    "eval",
    "cache",
    "index",
    "query",
    "report",
    "new",
)


def make_app() -> typer.Typer:
    """The typer app with the builtin commands and those of installed plugins."""
    app = typer.Typer(
        name="annotate",
        help="Annotate news text with pluggable annotators into one JSON layer.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    discover().manager.hook.register_commands(app=app)
    # pluggy calls the newest plugin first; list the builtin commands in their own order.
    order = {name: i for i, name in enumerate(BUILTIN_ORDER)}
    app.registered_commands.sort(key=lambda c: order.get(c.name or "", len(order)))
    return app


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main() -> None:
    warnings.showwarning = _show_warning
    make_app()()
