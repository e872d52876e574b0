"""Merge policy: one annotation per span when a normalising layer and another layer agree.

With ``merge.policy: merge`` (the default), an annotation in layer L2 whose label is listed
under ``merge.subsumes[L1][L2]`` and whose span equals (``match: exact``) or overlaps
(``match: overlap``) an annotation of layer L1 is dropped, and the L1 annotation's
``sources`` gains its sources. E.g. spaCy's MONEY entity "$1 billion" folds into the money
layer's normalised "$1 billion". ``policy: keep-all`` keeps every annotation.

The runner merges after each step, so the ids annotators see stay valid: a keeper that
folds in an annotation an earlier step numbered takes over its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotate.model import Annotation


def merge(annotations: list[Annotation], settings: Mapping[str, Any]) -> list[Annotation]:
    """Return ``annotations`` with subsumed ones folded into their keepers."""
    if settings.get("policy", "merge") == "keep-all":
        return annotations
    overlap = settings.get("match", "exact") == "overlap"
    dropped: set[int] = set()
    for keeper_layer, rules in (settings.get("subsumes") or {}).items():
        keepers = [a for a in annotations if a.layer == keeper_layer]
        if not keepers:
            continue
        exact = {a.span: a for a in keepers}
        for index, candidate in enumerate(annotations):
            if candidate.label not in (rules.get(candidate.layer) or ()):
                continue
            keeper = exact.get(candidate.span)
            if keeper is None and overlap:
                keeper = next(
                    (k for k in keepers if k.start < candidate.end and candidate.start < k.end),
                    None,
                )
            if keeper is None:
                continue
            keeper.sources.extend(s for s in candidate.sources if s not in keeper.sources)
            if candidate.id and not keeper.id:
                keeper.id = candidate.id  # an id another annotator may have seen stays valid
            dropped.add(index)
    return [a for i, a in enumerate(annotations) if i not in dropped]
