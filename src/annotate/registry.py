"""What the plugins registered: annotators, readers and writers, each under a unique name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotate.annotator import Annotator
from annotate.errors import PluginError, available
from annotate.names import suggest


@dataclass(frozen=True)
class Entry:
    """One registered thing and the plugin it came from."""

    name: str
    obj: Any
    plugin: str
    origin: str  # "builtin", "package <dist> <version>", "plugins dir <path>", "module"


@dataclass
class Registry:
    annotators: dict[str, Entry] = field(default_factory=dict)
    readers: dict[str, Entry] = field(default_factory=dict)
    writers: dict[str, Entry] = field(default_factory=dict)

    def add(self, kind: str, name: str, obj: Any, plugin: str, origin: str) -> None:
        """Register ``obj`` as ``kind`` ("annotators", "readers", "writers") under ``name``."""
        table: dict[str, Entry] = getattr(self, kind)
        if name in table:
            other = table[name]
            raise PluginError(
                f"Two plugins register the {kind[:-1]} '{name}': {other.plugin} ({other.origin}) "
                f"and {plugin} ({origin}). Uninstall or rename one of them."
            )
        table[name] = Entry(name, obj, plugin, origin)

    def annotator(self, name: str) -> Entry:
        try:
            return self.annotators[name]
        except KeyError:
            raise PluginError(
                f"No annotator named '{name}'.{suggest(name, self.annotators)} "
                f"{available(self.annotators)}"
            ) from None

    def providers(self, layer: str) -> list[str]:
        """Names of the annotators that assign ``layer``."""
        return sorted(n for n, e in self.annotators.items() if layer in e.obj.assigns)


def check_annotator_class(cls: Any, plugin: str) -> str:
    """Validate an annotator class's declarations; return its name."""
    if not (isinstance(cls, type) and issubclass(cls, Annotator)):
        raise PluginError(
            f"Plugin {plugin} registered {cls!r}, which is not a subclass of annotate.Annotator."
        )
    if not cls.name or not cls.name.replace("_", "").replace("-", "").isalnum():
        raise PluginError(
            f"Plugin {plugin}: annotator {cls.__qualname__} needs a `name` of letters, digits, "
            f"'-' or '_' (got {cls.name!r})."
        )
    if not cls.assigns:
        raise PluginError(
            f"Plugin {plugin}: annotator '{cls.name}' declares no `assigns` layers; "
            "name the layers it writes."
        )
    return cls.name
