"""The hooks a plugin implements. Builtins use exactly these hooks too."""

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("annotate")
hookimpl = pluggy.HookimplMarker("annotate")


@hookspec
def register_annotators(register: Callable[[type], None]) -> None:
    """Call ``register(AnnotatorClass)`` for each annotator the plugin provides."""


@hookspec
def register_readers(register: Callable[[Any], None]) -> None:
    """Call ``register(reader)`` for each input reader (see ``annotate.io.readers.Reader``)."""


@hookspec
def register_writers(register: Callable[[Any], None]) -> None:
    """Call ``register(writer_class)`` for each output format (see ``annotate.io.writers``)."""


@hookspec
def register_commands(app: Any) -> None:
    """Add commands to the ``annotate`` typer app: ``app.command()(function)``."""
