"""User-facing errors: each says what was wrong, what is available, and what to do."""

from __future__ import annotations

from collections.abc import Iterable


class AnnotateError(Exception):
    """Base class for errors that reach the user as one line."""

    exit_code = 2


class ConfigError(AnnotateError):
    """The configuration or the pipeline it describes cannot be used (exit code 2)."""


class UsageError(AnnotateError):
    """The command line asks for something impossible, e.g. a missing input (exit code 2)."""


class PluginError(AnnotateError):
    """A plugin clashes with another or declares something impossible (exit code 2)."""


class OutputError(AnnotateError):
    """OUT cannot be written, or names something that must not be replaced (exit code 2)."""

    def __init__(self, out: str, problem: str) -> None:
        super().__init__(f"{out}: {problem}")


class InputError(AnnotateError):
    """One input document cannot be read; the others go on (exit code 1)."""

    exit_code = 1

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


def available(names: Iterable[str]) -> str:
    """Sentence listing what is available, for error messages."""
    listed = ", ".join(sorted(names)) or "(none)"
    return f"Available: {listed}."


class Interrupted(AnnotateError):
    """Ctrl-C: what was written is kept, and running the same command again resumes."""

    exit_code = 130

    def __init__(self, written: int) -> None:
        super().__init__(f"interrupted: {written} written; run the same command again to resume")
        self.written = written
