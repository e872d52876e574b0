"""Checking the layer and annotator names a user types against what exists, with a did-you-mean.

Every command that takes such names (``run --only``, ``export``/``eval``/``show``/``view
--layer``, ``cache clear -a``) checks them here: a misspelt name is an error (exit code 2),
never an empty result.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from annotate.errors import AnnotateError, available
from annotate.model import Document


class UnknownName(AnnotateError):
    """A layer or annotator name that does not exist (exit code 2)."""


def suggest(name: str, known: Iterable[str]) -> str:
    """`` Did you mean 'money'?`` for a near miss, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_names(names: Iterable[str], known: Iterable[str], what: str = "layer") -> None:
    """Raise :class:`UnknownName` for the first of ``names`` not in ``known``."""
    known = sorted(set(known))
    for name in names:
        if name not in known:
            raise UnknownName(f"no {what} named '{name}'.{suggest(name, known)} {available(known)}")


def registered_layers() -> set[str]:
    """Every layer an installed or builtin annotator assigns."""
    from annotate.api import load_registry
    from annotate.config import load_config

    registry = load_registry(load_config())
    return {layer for entry in registry.annotators.values() for layer in entry.obj.assigns}


def registered_annotators() -> set[str]:
    """The names of every installed or builtin annotator."""
    from annotate.api import load_registry
    from annotate.config import load_config

    return set(load_registry(load_config()).annotators)


def document_layers(docs: Iterable[Document]) -> set[str]:
    """The layers the documents hold: their annotations' and their document-level results."""
    return {a.layer for doc in docs for a in doc.annotations} | {
        key for doc in docs for key in doc.document
    }


def check_layers(layers: Iterable[str] | None, docs: Iterable[Document]) -> None:
    """Check ``layers`` against those in ``docs`` and those the annotators assign."""
    layers = list(layers or ())
    if layers:
        docs = list(docs)
        check_names(layers, document_layers(docs) | registered_layers(), "layer")
