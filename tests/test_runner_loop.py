"""One runner loop: merged after each step, ids valid and dense, the parse cached, provenance."""

from __future__ import annotations

import gc
import json
import textwrap
from pathlib import Path

import pytest

from annotate.api import build_pipeline
from annotate.cache import PARSE, ResultCache, StepStore
from annotate.cli.run import annotate_paths
from annotate.model import Document
from annotate.schema import validate

REFS = textwrap.dedent("""
    import annotate


    class Refs(annotate.Annotator):
        '''Records the ids of the entities it sees, as a plugin linking to them would.'''

        name = "refs"
        version = "1.0"
        requires = ("entities",)
        assigns = ("refs",)

        def annotate(self, doc):
            doc.document["refs"] = [a.id for a in doc.layer("entities")]
            return []


    @annotate.hookimpl
    def register_annotators(register):
        register(Refs)
""")

TEXT = (
    "Nordvale Systems AG agreed on Monday to pay $2.5 billion for Corvid Mining plc, "
    "its rival in Chile.\n\nNordvale said the deal would close in March."
)


@pytest.fixture
def refs_plugin(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "refs_plugin.py").write_text(REFS)
    return folder


def test_ids_an_annotator_saw_stay_valid_and_ids_are_dense(refs_plugin):
    labels = ["ORG", "GPE", "DATE", "MONEY"]  # keep spaCy's MONEY and DATE spans too
    pipeline = build_pipeline(
        only=["entities", "refs", "money", "dates"],
        plugin_dirs=[refs_plugin],
        overrides={"annotators": {"entities": {"labels": labels}}},
    )
    assert pipeline.names == ["entities", "refs", "money", "dates"]
    doc = pipeline.annotate(Document("d", TEXT, {"date": "2025-01-06"}))
    record = doc.to_json()
    validate(record)
    by_id = {a["id"]: a for a in record["annotations"]}
    assert sorted(int(i[1:]) for i in by_id) == list(range(1, len(by_id) + 1))
    refs = record["document"]["refs"]
    assert refs and all(i in by_id for i in refs)
    # spaCy's MONEY entity was folded into the money layer's annotation, which kept its id.
    [money] = [a for a in record["annotations"] if a["layer"] == "money"]
    assert money["id"] in refs and money["sources"] == ["money", "entities"]


def test_provenance_is_its_own_key_and_meta_is_the_input(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text("---\ntitle: A\n---\nOracle grew.\n")
    annotate_paths([str(docs)], str(tmp_path / "out"), only=["money"], workers=1)
    record = json.loads((tmp_path / "out" / "a.json").read_text())
    validate(record)
    assert record["schema"] == "annotate/v2"
    assert list(record)[:3] == ["schema", "id", "provenance"]
    assert set(record["provenance"]) == {"input", "pipeline", "text_sha256"}
    assert record["meta"] == {"title": "A", "source": str(docs / "a.txt")}


def test_a_settings_change_reruns_one_annotator_on_the_cached_parse(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    for i in range(3):
        (docs / f"d{i}.txt").write_text(f"{TEXT} Case {i}.\n")
    run = dict(only=["entities", "stance"], workers=1, cache=tmp_path / "cache")
    first = annotate_paths([str(docs)], str(tmp_path / "a"), **run)
    assert first.ok == 3 and not first.cached
    config = tmp_path / "annotate.yaml"
    config.write_text("annotators: {stance: {labels: {sentence: {min_score: 0.9}}}}\n")
    again = annotate_paths([str(docs)], str(tmp_path / "b"), config=config, **run)
    assert again.cached == {"entities": 3, PARSE: 3}  # stance ran again, nothing was parsed
    fresh = annotate_paths(
        [str(docs)], str(tmp_path / "c"), config=config, **{**run, "cache": tmp_path / "empty"}
    )
    assert not fresh.cached
    for name in ("d0.json", "d1.json", "d2.json"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


def test_a_corrupt_parse_in_the_cache_is_parsed_again(tmp_path):
    pipeline = build_pipeline(only=["entities"])
    cache = ResultCache(tmp_path)
    store = StepStore(cache)
    expected = pipeline.annotate(Document("d", TEXT), store).to_json()
    entries, _ = store.take()
    assert sorted(name for _, name, _ in entries) == ["entities", PARSE]
    cache.put_many((key, name, b"not zlib") for key, name, _ in entries if name == PARSE)
    again = StepStore(cache)
    with pytest.warns(UserWarning, match="corrupt entry"):
        assert pipeline.annotate(Document("d", TEXT), again).to_json() == expected
    assert again.hits == {}


def test_a_cached_result_never_points_at_ids_of_another_run(tmp_path, refs_plugin):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text(TEXT + "\n")
    run = dict(plugin_dirs=[refs_plugin], workers=1, cache=tmp_path / "cache")
    annotate_paths([str(docs)], str(tmp_path / "a"), only=["money", "entities", "refs"], **run)
    # entities first now: the same entity spans get other ids, so refs must run again
    again = annotate_paths(
        [str(docs)], str(tmp_path / "b"), only=["entities", "money", "refs"], **run
    )
    assert again.cached["entities"] == 1 and "refs" not in again.cached
    fresh = dict(run, cache=tmp_path / "fresh")
    annotate_paths([str(docs)], str(tmp_path / "c"), only=["entities", "money", "refs"], **fresh)
    assert (tmp_path / "b" / "a.json").read_bytes() == (tmp_path / "c" / "a.json").read_bytes()


def test_a_duplicate_id_among_resumed_documents_is_one_error(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Oracle paid $5 million.\n")
    for _ in range(2):
        summary = annotate_paths([str(doc), str(doc)], str(tmp_path / "out"), only=["money"])
        assert summary.failed == 1 and summary.ok + summary.skipped == 1


def test_output_files_are_indented_as_json_would(tmp_path):
    from annotate.io.writers import json_file

    record = build_pipeline(only=["entities", "money"]).annotate(Document("d", TEXT)).to_json()
    assert json_file(record) == (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode()
    record["document"]["big"] = 2**70  # over orjson's 64 bits: the standard library writes it
    assert json.loads(json_file(record))["document"]["big"] == 2**70


ORDER = textwrap.dedent("""
    import annotate

    CALLS = []


    class First(annotate.Annotator):
        name = "first"
        version = "1.0"
        assigns = ("first",)

        def annotate(self, doc):
            CALLS.append((self.name, doc.id))
            return [annotate.Annotation("first", 0, 1, "X")]


    class Second(First):
        name = "second"
        requires = ("first",)
        assigns = ("second",)

        def annotate(self, doc):
            CALLS.append((self.name, doc.id))
            return []


    @annotate.hookimpl
    def register_annotators(register):
        register(First)
        register(Second)
""")


@pytest.fixture
def order_pipeline(tmp_path, monkeypatch):
    (tmp_path / "order_plugin.py").write_text(ORDER)
    monkeypatch.syspath_prepend(str(tmp_path))
    import order_plugin

    order_plugin.CALLS.clear()
    pipeline = build_pipeline(plugins=("order_plugin",), only=("first", "second"))
    return pipeline, order_plugin.CALLS


def test_each_step_runs_over_the_chunk_before_the_next(order_pipeline):
    pipeline, calls = order_pipeline
    docs = [Document(id=name, text=f"{name} text.") for name in "abc"]
    assert pipeline.annotate_chunk(docs) == [None, None, None]
    assert calls == [(step, d) for step in ("first", "second") for d in "abc"]
    assert all(d.annotators["second"]["status"] == "ok" and d.provenance for d in docs)


def break_merging_on(doc_id: str, pipeline, monkeypatch) -> None:
    """A bug in the runner itself: merging a step's annotations into ``doc_id`` raises."""
    merge_in = type(pipeline)._add

    def broken(self, doc, new, ids):
        if doc.id == doc_id:
            raise RuntimeError("runner bug")
        merge_in(self, doc, new, ids)

    monkeypatch.setattr(type(pipeline), "_add", broken)


def test_a_bug_outside_the_annotators_loses_that_document_only(order_pipeline, monkeypatch):
    pipeline, calls = order_pipeline
    break_merging_on("b", pipeline, monkeypatch)
    docs = [Document(id=name, text=f"{name} text.") for name in "abc"]
    errors = pipeline.annotate_chunk(docs)
    assert [type(e).__name__ if e else None for e in errors] == [None, "RuntimeError", None]
    assert ("second", "b") not in calls  # stopped there
    assert [a.id for a in docs[2].annotations] == ["T1"] and docs[2].provenance
    with pytest.raises(RuntimeError, match="runner bug"):
        pipeline.annotate(Document(id="b", text="b again."))


def test_a_bug_while_finishing_one_document_loses_that_one_only(order_pipeline, monkeypatch):
    pipeline, _ = order_pipeline
    finish = type(pipeline)._finish

    def broken_on_a(self, run):
        if run.doc.id == "a":
            raise ValueError("cannot finish")
        finish(self, run)

    monkeypatch.setattr(type(pipeline), "_finish", broken_on_a)
    docs = [Document(id=name, text=f"{name} text.") for name in "ab"]
    errors = pipeline.annotate_chunk(docs)
    assert isinstance(errors[0], ValueError) and errors[1] is None
    assert docs[1].provenance and not docs[0].provenance


@pytest.mark.parametrize("workers", [1, 2])
def test_a_runner_bug_on_one_document_loses_it_alone_on_any_worker_count(
    order_pipeline, monkeypatch, tmp_path, capsys, workers
):
    """Worker processes are forked from this one, so they inherit the broken method."""
    pipeline, _ = order_pipeline
    break_merging_on("d07", pipeline, monkeypatch)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(60):  # over SMALL_INPUT: worker processes when asked for 2
        (inputs / f"d{i:02}.txt").write_text(f"Document {i}.")
    out = tmp_path / "out"
    summary = annotate_paths(
        [str(inputs)],
        str(out),
        plugins=["order_plugin"],
        only=["first", "second"],
        workers=workers,
        use_cache=False,
    )
    assert summary.workers == workers
    assert (summary.ok, summary.failed) == (59, 1)
    assert sorted(p.stem for p in out.glob("*.json")) == [f"d{i:02}" for i in range(60) if i != 7]
    [line] = [line for line in capsys.readouterr().err.splitlines() if "runner bug" in line]
    assert "d07.txt" in line and "RuntimeError" in line


def test_a_run_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("Nordvale Systems AG agreed on Monday to pay $2.5 billion.")
    assert gc.get_freeze_count() == 0
    annotate_paths([str(inputs)], str(tmp_path / "out"), workers=1, use_cache=False)
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own frozen objects stay frozen
    try:
        annotate_paths([str(inputs)], str(tmp_path / "out2"), workers=1, use_cache=False)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
