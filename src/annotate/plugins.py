"""Plugin discovery: builtins, the ``annotate`` entry point group, plugin folders, modules.

A plugin that fails to import or register is a warning naming it, and the rest runs.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from annotate import hookspecs
from annotate.errors import PluginError
from annotate.registry import Registry, check_annotator_class

ENTRY_POINT_GROUP = "annotate"

BUILTIN_PLUGINS = (
    "annotate.io.readers",
    "annotate.io.writers",
    "annotate.analytics.writer",
    "annotate.annotators.entities",
    "annotate.annotators.money",
    "annotate.annotators.dates",
    "annotate.annotators.stance",
    "annotate.cli.run",
    "annotate.cli.plugins",
    "annotate.cli.config",
    "annotate.cli.schema",
    "annotate.cli.show",
    "annotate.cli.new",
    "annotate.cli.eval",
    "annotate.cli.export",
    "annotate.cli.view",
    "annotate.cli.cache",
    "annotate.cli.index",
    "annotate.cli.query",
    "annotate.cli.report",
)


class PluginWarning(UserWarning):
    """A plugin could not be loaded; annotate goes on without it."""


_warned: set[str] = set()


def _warn(plugin: str, error: BaseException) -> None:
    key = f"{plugin}: {error}"
    if key in _warned:  # discovery can run twice in one process (CLI start-up, then run)
        return
    _warned.add(key)
    warnings.warn(
        f"plugin {plugin} failed to load and is left out: {type(error).__name__}: {error}",
        PluginWarning,
        stacklevel=3,
    )


class PluginSet:
    """A pluggy manager plus where each plugin came from."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager("annotate")
        self.manager.add_hookspecs(hookspecs)
        self.origins: dict[str, str] = {}

    def add(self, plugin: ModuleType | Any, name: str, origin: str) -> None:
        if self.manager.has_plugin(name) or self.manager.is_registered(plugin):
            return
        try:
            self.manager.register(plugin, name=name)
        except Exception as error:  # pluggy validation errors: a bad hookimpl signature
            _warn(name, error)
            return
        self.origins[name] = origin

    def add_builtins(self) -> None:
        for module_name in BUILTIN_PLUGINS:
            self.add(importlib.import_module(module_name), module_name, "builtin")

    def add_entry_points(self) -> None:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist
            origin = f"package {dist.name} {dist.version}" if dist else "package"
            try:
                plugin = ep.load()
            except (Exception, SystemExit) as error:  # sys.exit() at import: a failure too
                _warn(f"{ep.name} ({ep.value})", error)
                continue
            self.add(plugin, ep.name, origin)

    def add_module(self, module_name: str) -> None:
        try:
            module = importlib.import_module(module_name)
        except (Exception, SystemExit) as error:
            _warn(module_name, error)
            return
        self.add(module, module_name, "module")

    def add_dir(self, folder: str | Path) -> None:
        """Load every ``*.py`` file and package (folder with ``__init__.py``) in ``folder``."""
        folder = Path(folder)
        if not folder.is_dir():
            warnings.warn(
                f"plugins dir {folder} does not exist; check `plugin_dirs` or --plugins-dir",
                PluginWarning,
                stacklevel=2,
            )
            return
        for path in sorted(folder.iterdir()):
            if path.name.startswith(("_", ".")):
                continue
            if path.is_dir() and (path / "__init__.py").is_file():
                path = path / "__init__.py"
            elif path.suffix != ".py":
                continue
            name = path.parent.name if path.name == "__init__.py" else path.stem
            module = _import_path(path, f"annotate_plugin_{name}")
            if module is not None:
                self.add(module, name, f"plugins dir {folder}")

    def registry(self) -> Registry:
        """Call each plugin's register_* hooks and collect what they register."""
        registry = Registry()
        hooks = self.manager.hook
        for kind, caller in (
            ("annotators", hooks.register_annotators),
            ("readers", hooks.register_readers),
            ("writers", hooks.register_writers),
        ):
            # Call each implementation with its own `register`, so we know who registered what.
            for impl in caller.get_hookimpls():  # in registration order
                plugin = impl.plugin_name
                origin = self.origins.get(plugin, "module")

                def register(obj: Any, kind: str = kind, plugin: str = plugin) -> None:
                    name = check_annotator_class(obj, plugin) if kind == "annotators" else obj.name
                    registry.add(kind, name, obj, plugin, self.origins.get(plugin, "module"))

                try:
                    impl.function(**dict.fromkeys(impl.argnames, register))
                except PluginError:
                    raise
                except (Exception, SystemExit) as error:
                    _warn(f"{plugin} ({origin})", error)
        return registry


def _import_path(path: Path, module_name: str) -> ModuleType | None:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        del sys.modules[module_name]
        _warn(str(path), error)
        return None
    return module


def discover(
    plugin_dirs: Iterable[str | Path] = (),
    modules: Iterable[str] = (),
    entry_points: bool = True,
) -> PluginSet:
    """Builtins, then installed entry points, plugin folders and modules, in that order."""
    plugins = PluginSet()
    plugins.add_builtins()
    if entry_points:
        plugins.add_entry_points()
    for folder in plugin_dirs:
        plugins.add_dir(folder)
    for module_name in modules:
        plugins.add_module(module_name)
    return plugins
