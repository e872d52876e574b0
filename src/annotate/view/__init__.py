"""One self-contained HTML page for an output document: coloured spans per layer, each with
a label chip at its end (as displaCy shows entities), a legend with per-layer toggles in the
same colours, normalised values on hover, stance labels in the margin beside each sentence
and the organisation-pair summary at the top. Inline CSS and JS only; the page loads nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from html import escape
from importlib import resources
from typing import Any

from annotate.model import Annotation, Document

STANCE_LAYER = "stance"
STANCE_LABELS = ("collaboration", "competition", "mixed", "neutral")  # coloured in page.css
COLOURS = ("#3498db", "#e67e22", "#27ae60", "#8e44ad", "#e74c3c", "#16a085", "#f1c40f")
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
_ASSETS = resources.files(__package__)


def label_class(label: str) -> str:
    """``s s-<label>``: CSS classes for a label, coloured when it is a stance label."""
    return "s s-" + re.sub(r"[^a-z0-9-]", "-", label.lower())


def show(value: Any) -> str:
    """A value for people: numbers grouped, lists joined, mappings as key=value."""
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, list):
        return " – ".join(show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in value.items())
    return str(value)


def tooltip(a: Annotation) -> str:
    """Hover text: layer and label, then each attr set (normalised values) on its own line."""
    attrs = [f"{k}: {show(v)}" for k, v in a.attrs.items() if v is not None]
    return "\n".join([f"{a.layer}: {a.label}", *attrs])


def _open(a: Annotation, css: str) -> str:
    stance = f" stance {label_class(a.label)}" if a.layer == STANCE_LAYER else ""
    return (
        f'<span class="a {css}{stance}" data-layer="{escape(a.layer)}" data-label='
        f'"{escape(a.label)}" data-id="{escape(a.id)}" title="{escape(tooltip(a))}">'
    )


def _chip(a: Annotation, css: str) -> str:
    """The label chip closing a span; empty, its text is drawn by CSS from ``data-label``, so
    the article's text (and what a reader copies) stays the document's own."""
    return f'<span class="chip {css}" data-label="{escape(a.label)}" aria-hidden="true"></span>'


def _marker(a: Annotation, css: str) -> str:
    return (
        f'<span class="mark {css} {label_class(a.label)}" data-layer="{escape(a.layer)}" '
        f'data-label="{escape(a.label)}" title="{escape(tooltip(a))}"></span>'
    )


def markup(text: str, annotations: list[Annotation], classes: dict[str, str]) -> str:
    """Escaped ``text`` with a ``<span>`` per annotation, built from boundary events.

    At each boundary the spans ending there close; spans opened inside them that go on
    are closed too and reopened, so crossing spans are split and the HTML stays well nested.
    A span's label chip goes in its last piece (stance labels go in the margin instead).
    """
    spans = [a for a in annotations if a.end > a.start]
    starts: dict[int, list[Annotation]] = defaultdict(list)
    for a in sorted(spans, key=lambda a: (-a.end, a.layer, a.label)):
        starts[a.start].append(a)
    points = sorted({0, len(text)} | {a.start for a in spans} | {a.end for a in spans})
    stack: list[Annotation] = []
    out: list[str] = []
    for pos, following in zip(points, [*points[1:], None], strict=True):
        ending = [i for i, a in enumerate(stack) if a.end == pos]
        if ending:
            closed, stack = stack[ending[0] :], stack[: ending[0]]
            for a in reversed(closed):  # innermost first
                chip = a.end == pos and a.layer != STANCE_LAYER
                out.append((_chip(a, classes[a.layer]) if chip else "") + "</span>")
            for a in sorted((a for a in closed if a.end != pos), key=lambda a: -a.end):
                out.append(_open(a, classes[a.layer]))
                stack.append(a)
        for a in starts.get(pos, []):
            if a.layer == STANCE_LAYER:
                out.append(_marker(a, classes[a.layer]))
            out.append(_open(a, classes[a.layer]))
            stack.append(a)
        if following is not None:
            out.append(escape(text[pos:following]))
    return "".join(out)


def layer_colour(layer: str, classes: dict[str, str]) -> str:
    """The colour of a (non-stance) layer: its spans, chips and legend swatch share it."""
    return COLOURS[list(classes).index(layer) % len(COLOURS)]


def layer_css(classes: dict[str, str]) -> str:
    """Colour and hide rules for each layer's class."""
    rules = []
    for layer, css in classes.items():
        colour = layer_colour(layer, classes)
        if layer != STANCE_LAYER:
            rules.append(
                f".a.{css} {{ background: {colour}33; border-bottom: 2px solid {colour}; }}"
            )
            rules.append(f".chip.{css} {{ background: {colour}; }}")
            rules.append(f".swatch.{css} {{ background: {colour}; }}")
        rules.append(
            f".hide-{css} .a.{css} {{ background: none; border: none; text-decoration: none; }}"
        )
        rules.append(f".hide-{css} .mark.{css}, .hide-{css} .chip.{css} {{ display: none; }}")
    return "\n".join(rules)


def legend(annotations: list[Annotation], classes: dict[str, str]) -> str:
    """A checkbox per layer, with its colour and span count; the stance layer shows one swatch
    per label, in the colours of its underlines and margin labels."""
    counts = Counter(a.layer for a in annotations)
    order = {label: i for i, label in enumerate(STANCE_LABELS)}
    stance_labels = sorted(
        {a.label for a in annotations if a.layer == STANCE_LAYER},
        key=lambda label: (order.get(label, len(order)), label),
    )
    items = []
    for layer, css in classes.items():
        if layer == STANCE_LAYER:
            swatches = "".join(
                f'<span class="swatch {label_class(label)}" title="{escape(label)}"></span> '
                f'<span class="{label_class(label)}">{escape(label)}</span> '
                for label in stance_labels
            )
            name = f"{escape(layer)} ({counts[layer]}): {swatches.strip()}"
        else:
            name = f'<span class="swatch {css}"></span> {escape(layer)} ({counts[layer]})'
        items.append(
            f'<label><input type="checkbox" checked data-layer="{escape(layer)}" '
            f'data-class="{css}"> {name}</label>'
        )
    return f'<nav class="legend">{"".join(items)}</nav>'


def summary(stance: Any) -> str:
    """The document's stance label and scores, and a table of its organisation pairs
    (one column per key holding scalars or lists of them: names, label, scores, trend)."""
    if not isinstance(stance, dict):
        return ""
    label = str(stance.get("label", "–"))
    scores = [
        f"{escape(str(k))}: {escape(show(v))}"
        for k, v in stance.items()
        if k not in ("label", "pairs") and not isinstance(v, list | dict)
    ]
    head = (
        f'<p>Document stance: <b class="{label_class(label)}">{escape(label)}</b>'
        f"{' · ' + ' · '.join(scores) if scores else ''}</p>"
    )
    pairs = [p for p in stance.get("pairs") or [] if isinstance(p, dict)]
    if not pairs:
        return f'<section class="summary">{head}</section>'
    keys = list(dict.fromkeys(k for p in pairs for k, v in p.items() if _flat(v)))
    header = "".join(f"<th>{escape(str(k))}</th>" for k in keys)
    body = "".join("<tr>" + "".join(_cell(k, p.get(k)) for k in keys) + "</tr>" for p in pairs)
    return (
        f'<section class="summary">{head}<table><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table></section>"
    )


def _flat(value: Any) -> bool:
    """A scalar or a list of scalars: worth a table cell (nested evidence is not)."""
    items = value if isinstance(value, list) else [value]
    return all(not isinstance(v, list | dict) for v in items)


def _cell(key: str, value: Any) -> str:
    css = f' class="{label_class(str(value))}"' if key == "label" else ""
    return f"<td{css}>{escape(show(value)) if value is not None else ''}</td>"


def render_page(doc: Document, layers: list[str] | None = None) -> str:
    """The whole HTML page for ``doc`` (only ``layers``, when given)."""
    annotations = [a for a in doc.annotations if not layers or a.layer in layers]
    names = sorted({a.layer for a in annotations})
    classes = {layer: f"l{i}" for i, layer in enumerate(names)}
    title = str(doc.meta.get("title") or doc.id)
    facts = [doc.id, *(str(doc.meta[k]) for k in ("date", "source") if doc.meta.get(k))]
    css = _ASSETS.joinpath("page.css").read_text(encoding="utf-8")
    js = _ASSETS.joinpath("page.js").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
{css}{layer_css(classes)}
</style>
</head>
<body>
<header><h1>{escape(title)}</h1><p class="meta">{escape(" · ".join(facts))}</p></header>
{summary(doc.document.get(STANCE_LAYER)) if not layers or STANCE_LAYER in layers else ""}
{legend(annotations, classes)}
<article id="text">{markup(doc.text, annotations, classes)}</article>
<script>
{js}</script>
</body>
</html>
"""
