"""The ``annotate`` command. Each command is a module registering itself through
``register_commands``, the same hook a plugin uses to add commands."""

from __future__ import annotations

import sys
import warnings
from typing import Annotated, Any

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
    _metavars()
    app = typer.Typer(
        name="annotate",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_options)
    discover().manager.hook.register_commands(app=app)
    # pluggy calls the newest plugin first; list the builtin commands in their own order.
    order = {name: i for i, name in enumerate(BUILTIN_ORDER)}
    app.registered_commands.sort(key=lambda c: order.get(c.name or "", len(order)))
    return app


def _metavars() -> None:
    """Metavars that read well in --help, for every command (plugins' too): typer shows a
    Python type (``<bool>`` after each flag, ``<list[str]>``, ``<path>``); a flag now shows
    none, a choice its values, and any other option without a metavar its name (``--out OUT``).
    """
    option = getattr(typer.core, "TyperOption", None)
    argument = getattr(typer.core, "TyperArgument", None)
    original = getattr(option, "display_type_rich", None)
    if original is None or getattr(original, "annotate_patched", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        if self.is_flag:
            return None
        descriptor = getattr(self, "type_descriptor", None)
        if getattr(descriptor, "is_choice", False):
            return original(self, ctx)
        longest = max(self.opts, key=len).lstrip("-")
        return longest.upper().replace("-", "_")

    display_type_rich.annotate_patched = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich  # type: ignore[union-attr]
    if argument is not None and hasattr(argument, "display_type_rich"):
        # An argument's name is shown already (PATHS...); its Python type adds nothing.
        argument.display_type_rich = lambda self, ctx: None


def _print_version(value: bool) -> None:
    if value:
        from annotate import DISTRIBUTION, __version__

        typer.echo(f"annotate {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print annotate's version and exit.",
        ),
    ] = False,
) -> None:
    """Annotate news text with pluggable annotators into one JSON layer.

    Start with `annotate run corpus/ -o out/`, then `annotate show` or `annotate view` one.

    `annotate plugins` lists the annotators and which of them run.
    """


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main() -> None:
    warnings.showwarning = _show_warning
    make_app()()
