"""Labels inline in the terminal: ``Microsoft[ORG]``, after each span, in its layer's colour."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text


def with_labels(
    text: Text, annotations: Sequence[Mapping[str, Any]], styles: Mapping[str, str]
) -> Text:
    """``text`` (already styled) with ``[LABEL]`` after each annotation's end.

    Labels ending at one point come innermost first (``OpenAI[ORG][ORG_GROUP]``); the text
    itself is unchanged between them, so its styles stay where they were.
    """
    ends: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for a in sorted(annotations, key=lambda a: (a["end"], -a["start"], a["layer"])):
        if a["end"] > a["start"]:
            ends[a["end"]].append(a)
    points = sorted(ends)
    pieces = text.divide(points) if points else [text]
    out = Text()
    at = 0
    for piece in pieces:
        out.append_text(piece)
        at += len(piece)
        for a in ends.pop(at, ()):
            out.append(f"[{a['label']}]", style=f"not bold dim {styles.get(a['layer'], '')}")
    return out
