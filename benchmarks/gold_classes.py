"""Accuracy per class of the money and dates gold (tests/gold/money.yaml, dates.yaml).

    .venv/bin/python benchmarks/gold_classes.py [--layer money|dates] [--failures]

A case is right when the annotator finds exactly its spans with the attrs it lists (as
tests/test_money.py and tests/test_dates.py check). Cases carry a ``class`` (issue 13's
classes: codes, names, minor-units, weekdays, numeric, tense-past ...); older cases without one
count as ``original``. To score an older revision, put its source first on the path:

    git archive <rev> src | tar -x -C /tmp/rev && PYTHONPATH=/tmp/rev/src python ...

``--values-only`` leaves out the attrs an older revision did not write (policy, tense, cue).
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from annotate.model import Document

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold"


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, int | float):
        return math.isclose(got, want, rel_tol=1e-6)
    return got == want


def money_cases() -> list[tuple[str, bool, str]]:
    from annotate.annotators.money import DEFAULTS, Money

    annotator = Money(DEFAULTS)
    out = []
    for case in yaml.safe_load((GOLD / "money.yaml").read_text())["examples"]:
        text = case["text"]
        doc = Document(id="g", text=text, meta=case.get("meta") or {})
        try:
            found = {text[a.start : a.end]: a for a in annotator.annotate(doc)}
        except Exception as error:  # an older revision may raise: that case is wrong
            out.append((case.get("class", "original"), False, f"{text!r}: {error!r}"))
            continue
        expect = case.get("expect") or []
        right = sorted(found) == sorted(s["text"] for s in expect) and all(
            _same(found[s["text"]].attrs.get(k), v)
            for s in expect
            for k, v in (s.get("attrs") or {}).items()
        )
        detail = f"{text!r}: got {[(t, a.attrs.get('value')) for t, a in found.items()]}"
        out.append((case.get("class", "original"), right, detail))
    return out


def dates_cases(values_only: bool = False) -> list[tuple[str, bool, str]]:
    from annotate.annotators.dates import DEFAULTS, Dates

    annotator = Dates(DEFAULTS)
    out = []
    for case in yaml.safe_load((GOLD / "dates.yaml").read_text())["cases"]:
        text = case["text"]
        meta = {"date": case["date"]} if case.get("date") else {}
        try:
            found = {a.span: a for a in annotator.annotate(Document(id="g", text=text, meta=meta))}
        except Exception as error:
            out.append((case.get("class", "original"), False, f"{text!r}: {error!r}"))
            continue
        want = {}
        for span in case["spans"]:
            start = span.get("at", text.find(span["text"]))
            want[(start, start + len(span["text"]))] = span
        right = sorted(found) == sorted(want) and all(
            found[k].label == s["label"]
            and all(
                found[k].attrs.get(a) == v
                for a, v in s.items()
                if a not in ("text", "at", "label") and (a == "value" or not values_only)
            )
            for k, s in want.items()
        )
        got = [(text[a.start : a.end], a.label, a.attrs.get("value")) for a in found.values()]
        out.append((case.get("class", "original"), right, f"{text!r}: got {got}"))
    return out


def report(layer: str, results: list[tuple[str, bool, str]], failures: bool) -> None:
    total, right = Counter(), Counter()
    for cls, ok, _ in results:
        total[cls] += 1
        right[cls] += ok
    print(f"{layer}: {sum(right.values())}/{len(results)} cases right")
    for cls in sorted(total):
        print(f"  {cls:28} {right[cls]:4d}/{total[cls]:<4d} {right[cls] / total[cls]:6.1%}")
    if failures:
        for cls, ok, detail in results:
            if not ok:
                print(f"  x [{cls}] {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", choices=["money", "dates"], action="append")
    parser.add_argument("--failures", action="store_true", help="list the wrong cases")
    parser.add_argument(
        "--values-only",
        action="store_true",
        help="dates: check spans, labels and values only (not policy, tense, cue, point ...)",
    )
    args = parser.parse_args()
    for layer in args.layer or ["money", "dates"]:
        results = money_cases() if layer == "money" else dates_cases(args.values_only)
        report(layer, results, args.failures)


if __name__ == "__main__":
    main()
