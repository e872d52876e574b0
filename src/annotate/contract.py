"""What the runner checks at the plugin boundary, so a plugin's mistake stays its own.

An annotator's annotations must have ``int`` offsets within the text, a ``str`` label and
layer, ``attrs`` that are a dict of JSON values (str, finite numbers, bool, None, lists and
dicts with str keys), and ``sources`` a list of str; document-level values must be JSON values
too. The annotator must leave ``doc.text``, ``doc.id`` and the other layers' annotations as
they were. A violation is an error of that annotator on that document (a ``ContractError``);
the runner restores what the annotator changed and goes on.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from typing import Any

from annotate.model import Annotation, Document

MAX_DEPTH = 32
MAX_INT_BITS = 1024


class ContractError(ValueError):
    """An annotator returned or did something the output contract does not allow."""


def json_problem(value: Any, where: str, depth: int = 0) -> str | None:
    """Why ``value`` is not a strict JSON value (``where`` names it), or None if it is one."""
    if _plain(value, depth):
        return None
    return _problem(value, where, depth)


def _plain(value: Any, depth: int) -> bool:
    """The common case, fast: exact JSON types only (no names built for the message).
    False is not a verdict: ``_problem`` then looks closely (subclasses are allowed)."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _encodable(value)
    if kind is int:
        return value.bit_length() <= MAX_INT_BITS
    if value is None or kind is bool:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth >= MAX_DEPTH:
        return False
    if kind is list or kind is tuple:
        for item in value:  # noqa: SIM110 - a loop is 40% faster than all() over a generator
            if not _plain(item, depth + 1):
                return False
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not _plain(item, depth + 1):
                return False
        return True
    return False


def _problem(value: Any, where: str, depth: int) -> str | None:
    if value is None or isinstance(value, str | bool):
        if isinstance(value, str) and not _encodable(value):
            return f"{where} is a string with a lone surrogate ({_short(value)}), not UTF-8 text"
        return None
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            return f"{where} is an integer too large for JSON ({value.bit_length()} bits)"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value!r}, not a finite number"
    if depth >= MAX_DEPTH:
        return f"{where} is nested over {MAX_DEPTH} levels deep (a cycle?)"
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            problem = _problem(item, f"{where}[{i}]", depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has the key {_short(key)} of type {type(key).__name__}, not str"
            problem = _problem(item, f"{where}[{key!r}]", depth + 1)
            if problem:
                return problem
        return None
    return (
        f"{where} is {_short(value)} of type {type(value).__name__}; JSON allows str, "
        "int, finite float, bool, None, list and dict"
    )


def check_annotations(
    new: Iterable[Any], doc: Document, assigns: Iterable[str]
) -> list[Annotation]:
    """``new`` as a list of valid annotations; raise ContractError at the first bad one."""
    layers = set(assigns)
    size = len(doc.text)
    checked: list[Annotation] = []
    seen = {id(a) for a in doc.annotations}
    for a in new:
        if not _plainly_valid(a, layers, size, seen):
            _check(a, layers, size, seen)  # the contract's message, or a subclass it allows
        seen.add(id(a))
        checked.append(a)
    return checked


def _plainly_valid(a: Any, layers: set[str], size: int, seen: set[int]) -> bool:
    """The common case, fast: exact types, as ``_check`` would pass them."""
    if not (
        type(a) is Annotation
        and id(a) not in seen
        and type(a.layer) is str
        and a.layer in layers
        and type(a.start) is int
        and type(a.end) is int
        and 0 <= a.start <= a.end <= size
        and type(a.label) is str
        and type(a.attrs) is dict
        and type(a.sources) is list
        and _plain(a.attrs, 0)
    ):
        return False
    for source in a.sources:  # noqa: SIM110 - a loop is faster than all() over a generator
        if type(source) is not str:
            return False
    return True


def _check(a: Any, layers: set[str], size: int, seen: set[int]) -> None:
    """Raise ContractError if ``a`` breaks the contract, saying how."""
    if not isinstance(a, Annotation):
        raise ContractError(f"returned {_short(a)} of type {type(a).__name__}, not an Annotation")
    if id(a) in seen:
        raise ContractError(
            "returned the same Annotation object twice (or one already in the document): "
            f"{a.layer} {a.start}-{a.end}; create a new Annotation for each span"
        )
    if not isinstance(a.layer, str) or a.layer not in layers:
        raise ContractError(
            f"wrote layer {_short(a.layer)}, which it does not declare in assigns "
            f"({', '.join(sorted(layers)) or 'none'})"
        )
    for name in ("start", "end"):
        value = getattr(a, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ContractError(
                f"returned {name}={_short(value)} of type {type(value).__name__}; offsets are int"
            )
    if not 0 <= a.start <= a.end <= size:
        raise ContractError(f"span {a.start}-{a.end} is outside the text (0-{size})")
    if not isinstance(a.label, str):
        raise ContractError(
            f"returned label {_short(a.label)} of type {type(a.label).__name__}, not str"
        )
    if not isinstance(a.attrs, dict):
        raise ContractError(
            f"returned attrs {_short(a.attrs)} of type {type(a.attrs).__name__}, not dict"
        )
    problem = json_problem(a.attrs, f"{a.label} {a.start}-{a.end}: attrs")
    if problem:
        raise ContractError(problem)
    if not isinstance(a.sources, list) or not all(isinstance(s, str) for s in a.sources):
        raise ContractError(f"returned sources {_short(a.sources)}, not a list of str")


def check_document_values(doc: Document, keys: Iterable[str]) -> None:
    """The document-level values an annotator wrote must be JSON values."""
    for key in sorted(keys):
        problem = json_problem(doc.document.get(key), f"document[{key!r}]")
        if problem:
            raise ContractError(problem)


class Snapshot:
    """What an annotator must leave alone: the text, the id and the other layers' spans."""

    def __init__(self, doc: Document) -> None:
        self.text = doc.text
        self.id = doc.id
        self.annotations = list(doc.annotations)
        self.fields = list(map(_fields, doc.annotations))

    def problem(self, doc: Document) -> str | None:
        if doc.text is not self.text and doc.text != self.text:
            return "changed doc.text, which every annotation's offsets point into"
        if doc.id != self.id:
            return f"changed doc.id from {_short(self.id)} to {_short(doc.id)}"
        now = doc.annotations
        if len(now) != len(self.annotations) or not all(map(operator.is_, now, self.annotations)):
            return "added, removed or replaced annotations in doc.annotations; return them instead"
        if list(map(_fields, now)) == self.fields:
            return None
        for a, fields in zip(now, self.fields, strict=True):
            if _fields(a) != fields:
                return f"changed the annotation {a.id} of layer '{fields[0]}'"
        return None

    def restore(self, doc: Document) -> None:
        doc.text = self.text
        doc.id = self.id
        doc.annotations = list(self.annotations)
        for a, (layer, start, end, label, text) in zip(doc.annotations, self.fields, strict=True):
            a.layer, a.start, a.end, a.label, a.text = layer, start, end, label, text


# What an annotator must leave alone in another's annotation.
_fields = operator.attrgetter("layer", "start", "end", "label", "text")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
