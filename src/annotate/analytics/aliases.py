"""One name per organisation across the corpus.

The entities annotator already gives each mention a canonical name within its document
(designators stripped, its alias table applied). Across documents the same organisation can
still be spelt differently ("Microsoft Corp." in one, "MICROSOFT" or "Microsoft Corporation"
in another). Names that agree once case, punctuation, a leading "the", a possessive and
trailing corporate designators are set aside are one organisation, counted under its most
frequent spelling. ``analytics.aliases`` in annotate.yaml (name -> corpus name) overrides.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

import yaml

# Words that end a company's name without changing which company it is, beyond the
# entities annotator's designators ("Volkswagen Group", "SoftBank Holdings").
EXTRA_SUFFIXES = ("group", "holdings", "holding", "company", "companies")
_NON_WORD = re.compile(r"[^\w]+")


@cache
def _suffixes() -> frozenset[str]:
    """The entities annotator's designators (entities.yaml), normalised, plus EXTRA_SUFFIXES."""
    text = resources.files("annotate.annotators").joinpath("entities.yaml").read_text()
    designators = yaml.safe_load(text).get("designators") or []
    words = {_NON_WORD.sub("", d.casefold()) for d in designators}
    return frozenset(w for w in words | set(EXTRA_SUFFIXES) if w)


def _words(name: str) -> list[str]:
    text = name.casefold().replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    words = [w for w in _NON_WORD.sub(" ", text).split() if w]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return words


def normalise(name: str) -> str:
    """The key names of one organisation share: "The Microsoft Corp." -> "microsoft"."""
    words = _words(name)
    suffixes = _suffixes()
    while len(words) > 1 and words[-1] in suffixes:
        words.pop()
    return " ".join(words) or name.casefold().strip()


def build_aliases(
    counts: Iterable[tuple[str, int]], overrides: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """``(name, corpus name, origin)`` for each name, from ``(name, mentions)`` pairs.

    Names with one ``normalise`` key form a group, named by its most frequent member without
    a trailing designator ("Netflix" rather than "Netflix Holdings"), else its most frequent
    member (ties: not all capitals, the shortest, then alphabetically first). An override
    (matched on its normalised form) names the group it matches; origin is ``auto`` or
    ``config``.
    """
    totals: dict[str, int] = defaultdict(int)
    for name, count in counts:
        if name:
            totals[name] += int(count)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in totals:
        groups[normalise(name)].append(name)

    def rank(name: str) -> tuple:
        suffixed = " ".join(_words(name)) != normalise(name)
        return (suffixed, -totals[name], name.isupper(), len(name), name)

    chosen = {key: min(names, key=rank) for key, names in groups.items()}
    wanted = {normalise(k): v for k, v in (overrides or {}).items() if k and v}
    rows = []
    for name in sorted(totals):
        key = normalise(name)
        if key in wanted:
            rows.append((name, wanted[key], "config"))
        else:
            rows.append((name, chosen[key], "auto"))
    return rows
