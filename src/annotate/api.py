"""Plain functions behind the CLI, for Python users and tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotate.config import Config, load_config
from annotate.model import Document
from annotate.pipeline import Pipeline
from annotate.plugins import discover
from annotate.registry import Registry


def load_registry(
    config: Config, plugin_dirs: Sequence[str | Path] = (), plugins: Sequence[str] = ()
) -> Registry:
    """Discover plugins named by the config and the arguments, and collect what they register."""
    found = discover(
        plugin_dirs=[*config["plugin_dirs"], *plugin_dirs],
        modules=[*config["plugins"], *plugins],
    )
    return found.registry()


def build_pipeline(
    config_path: str | Path | None = None,
    *,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    plugin_dirs: Sequence[str | Path] = (),
    plugins: Sequence[str] = (),
    overrides: dict[str, Any] | None = None,
    **options: Any,
) -> Pipeline:
    """A ready pipeline from a config file (or the default) and CLI-style choices."""
    config = load_config(config_path, overrides)
    registry = load_registry(config, plugin_dirs, plugins)
    return Pipeline(config, registry, only=only, skip=skip, **options)


def annotate_text(
    text: str,
    *,
    doc_id: str = "text",
    date: str | None = None,
    pipeline: Pipeline | None = None,
    **meta: Any,
) -> Document:
    """Annotate one string; ``date`` (ISO) anchors relative dates."""
    pipeline = pipeline or build_pipeline()
    if date is not None:
        meta["date"] = date
    return pipeline.annotate(Document(id=doc_id, text=text, meta=meta))
