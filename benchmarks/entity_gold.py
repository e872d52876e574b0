"""Entities and stance targets on our own marked-up gold articles, and the cost of the
document-level pass.

    .venv/bin/python benchmarks/entity_gold.py [--gold tests/gold/entities] [--json]

Prints, per label and overall, exact and overlap precision/recall/F1 of the entities layer,
the accuracy of ``attrs.canonical``, the stance figures (document label, gold pairs found with
the right label, and predicted pairs that are real), and the CPU time of the entities
annotator's own pass as a share of the annotator's whole time (spaCy's NER plus the pass).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from annotate.api import build_pipeline
from annotate.evaluate import evaluate, pair_key
from annotate.gold import load_marked
from annotate.model import Document

ROOT = Path(__file__).resolve().parent.parent


def score(gold: list[Document], pipeline_names: list[str]) -> dict:
    """The eval report of the pipeline on the gold texts, plus the precision of its pairs."""
    pipeline = build_pipeline(overrides={"pipeline": pipeline_names})
    predicted = [
        pipeline.annotate(
            Document(g.id, g.text, {k: v for k, v in g.meta.items() if k != "sha256"})
        )
        for g in gold
    ]
    report = evaluate(gold, predicted, ["entities", "stance"])
    real = found = 0
    for g, p in zip(gold, predicted, strict=True):
        gold_pairs = {pair_key(e) for e in g.document.get("stance", {}).get("pairs", [])}
        for entry in p.document.get("stance", {}).get("pairs", []):
            found += 1
            real += pair_key(entry) in gold_pairs
    report["pair_precision"] = {
        "real": real,
        "predicted": found,
        "precision": round(real / found, 4) if found else None,
    }
    return report


def pass_cost(gold: list[Document], repeats: int = 3) -> dict:
    """CPU seconds of spaCy's NER and of the entities annotator's own pass over the gold
    texts (the best of ``repeats`` runs of each, so that other load on the machine counts
    least), and the pass as a share of the annotator's whole time."""
    pipeline = build_pipeline(overrides={"pipeline": ["entities"]})
    annotator = pipeline.steps[0].annotator
    texts = [g.text for g in gold] * 3
    ner = own = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        parsed = list(pipeline.nlp.pipe(texts))
        ner = min(ner, time.process_time() - started)
        started = time.process_time()
        for text, spacy_doc in zip(texts, parsed, strict=True):
            doc = Document("x", text)
            doc.spacy = spacy_doc
            list(annotator.annotate(doc))
        own = min(own, time.process_time() - started)
    return {
        "ner_s": round(ner, 3),
        "pass_s": round(own, 3),
        "pass_share": round(own / (ner + own), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "entities")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    gold = [load_marked(p) for p in sorted(args.gold.glob("*.md")) if p.name != "README.md"]
    report = score(gold, ["entities", "stance"])
    report["cost"] = pass_cost(gold)
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        return
    print(f"{len(gold)} gold articles")
    print(f"{'label':<12}{'exact P':>9}{'R':>7}{'F1':>7}{'overlap F1':>12}{'gold':>6}")
    for label, counts in report["spans"]["entities"].items():
        exact, lenient = counts["exact"], counts["overlap"]
        print(
            f"{'all' if label == '*' else label:<12}{exact['precision']:>9.3f}"
            f"{exact['recall']:>7.3f}{exact['f1']:>7.3f}{lenient['f1']:>12.3f}"
            f"{exact['tp'] + exact['fn']:>6}"
        )
    canonical = report["values"].get("entities", {}).get("canonical", {})
    print(f"canonical accuracy: {canonical.get('accuracy')} over {canonical.get('total')}")
    stance = report["stance"]
    print(
        f"stance: document label {stance['document_label']}, pairs {stance['pairs']}, "
        f"pair precision {report['pair_precision']}, sentence macro-F1 {stance['macro_f1']}"
    )
    cost = report["cost"]
    print(
        f"entities annotator: NER {cost['ner_s']} s + own pass {cost['pass_s']} s of CPU; "
        f"the pass is {cost['pass_share']:.1%} of the annotator's time"
    )


if __name__ == "__main__":
    main()
