"""Docs that tests keep true: every hook and every config key is documented."""

from __future__ import annotations

import inspect

import pytest

from annotate import hookspecs
from annotate.config import default_config
from conftest import ROOT

DOCS = ROOT / "docs"


def hook_names() -> list[str]:
    return [
        name
        for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("register_")
    ]


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_is_documented(hook):
    assert f"`{hook}(" in (DOCS / "plugins.md").read_text()


@pytest.mark.parametrize("key", sorted(default_config()))
def test_every_config_key_is_documented(key):
    assert f"`{key}`" in (DOCS / "configuration.md").read_text()


def test_every_builtin_annotator_setting_is_documented(annotate_pipeline):
    from annotate.api import load_registry
    from annotate.config import load_config

    registry = load_registry(load_config())
    for name, entry in registry.annotators.items():
        if entry.origin != "builtin":
            continue
        page = DOCS / "layers" / f"{name}.md"
        assert page.is_file(), f"docs/layers/{name}.md is missing"
        text = page.read_text()
        missing = [key for key in entry.obj.default_config if f"`{key}`" not in text]
        assert not missing, f"docs/layers/{name}.md does not document {missing}"
