"""The batch job behind ``annotate run``: read, annotate, write, and count what happened."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from annotate.errors import InputError
from annotate.io.sources import read_paths
from annotate.model import Document
from annotate.pipeline import Pipeline


@dataclass
class Summary:
    """What a run did: documents ok / failed, annotations per layer, speed."""

    ok: int = 0
    failed: int = 0
    annotator_errors: Counter[str] = field(default_factory=Counter)
    layers: Counter[str] = field(default_factory=Counter)
    words: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when everything went well, 1 when a document or an annotator failed."""
        return 1 if self.failed or self.annotator_errors else 0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": {"ok": self.ok, "failed": self.failed},
            "annotator_errors": dict(sorted(self.annotator_errors.items())),
            "annotations": dict(sorted(self.layers.items())),
            "words": self.words,
            "seconds": round(self.seconds, 3),
            "words_per_second": round(self.words_per_second, 1),
        }


def run_batch(
    paths: Iterable[str],
    pipeline: Pipeline,
    writer: Any,
    report: Callable[[str], None],
    stdin_format: str = "text",
) -> Summary:
    """Annotate every document under ``paths`` into ``writer``.

    ``report`` receives one line per problem (unreadable document, failed annotator).
    """
    summary = Summary()
    started = time.perf_counter()
    items = read_paths(paths, pipeline.registry.readers, stdin_format)
    try:
        for item in pipeline.run(items):
            if isinstance(item, InputError):
                summary.failed += 1
                report(str(item))
                continue
            try:
                writer.write(item.to_json())
            except InputError as error:
                summary.failed += 1
                report(str(error))
                continue
            _count(summary, item, report)
        writer.close()
    except BaseException:
        getattr(writer, "abort", writer.close)()
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _count(summary: Summary, doc: Document, report: Callable[[str], None]) -> None:
    summary.ok += 1
    summary.words += len(doc.text.split())
    summary.layers.update(a.layer for a in doc.annotations)
    for name, status in doc.annotators.items():
        if status["status"] == "error":
            summary.annotator_errors[name] += 1
            report(
                f"{doc.meta.get('source', doc.id)}: annotator '{name}' failed: {status['error']}"
            )
