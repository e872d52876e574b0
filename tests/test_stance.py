"""The stance layer: gold sentences and documents through the real pipeline, and behaviours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from annotate.annotators.stance_scorer import Scores, SentenceEvidence
from annotate.api import annotate_text, build_pipeline
from annotate.io.readers import TextReader
from annotate.model import Document
from annotate.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
GOLD = Path(__file__).parent / "gold"
NON_NEUTRAL = ("collaboration", "competition", "mixed")
# Measured on the gold (see docs/layers/stance.md); set a little below to catch regressions.
MIN_SENTENCE_MACRO_F1 = 0.95
MIN_PAIR_ACCURACY = 0.80
MIN_DOCUMENT_ACCURACY = 0.90


def _pipeline(**annotators: Any) -> Pipeline:
    return build_pipeline(
        plugins=["annotate.annotators.stance"],
        overrides={"pipeline": ["entities", "stance"], "annotators": annotators},
    )


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return _pipeline()


def annotate(pipeline: Pipeline, text: str) -> Document:
    return annotate_text(text, pipeline=pipeline, date="2025-01-22")


def sentence_label(doc: Document) -> str:
    """A one-sentence text's label: its stance annotation's (absent = neutral)."""
    found = doc.layer("stance")
    if len(found) == 1:
        return found[0].label
    return doc.document["stance"]["label"] if found else "neutral"


def pair(doc: Document, a: str, b: str) -> dict[str, Any]:
    """The pair entry for two organisations (a neutral stub when absent)."""
    orgs = sorted([a, b])
    found = [p for p in doc.document["stance"]["pairs"] if p["orgs"] == orgs]
    return found[0] if found else {"orgs": orgs, "label": "neutral", "trend": None}


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for label in NON_NEUTRAL:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def gold_documents() -> list[tuple[str, dict[str, Any], str]]:
    documents = []
    for path in sorted((GOLD / "stance_docs").glob("*.yaml")):
        gold = yaml.safe_load(path.read_text())
        if "source" in gold:
            source = ROOT / gold["source"]
            text = next(TextReader().read(str(source), source.read_bytes())).text
        else:
            text = gold["text"]
        documents.append((path.stem, gold, text))
    return documents


# --- gold -------------------------------------------------------------------------------


def test_gold_sentences(pipeline: Pipeline) -> None:
    gold = yaml.safe_load((GOLD / "stance_sentences.yaml").read_text())
    assert len(gold) >= 80
    docs = [annotate(pipeline, g["text"]) for g in gold]
    predicted = [sentence_label(d) for d in docs]
    score = macro_f1([g["label"] for g in gold], predicted)
    with_targets = [(g, d) for g, d in zip(gold, docs, strict=True) if "targets" in g]
    targets_right = sum(
        sorted({t for a in d.layer("stance") for t in a.attrs["targets"]}) == g["targets"]
        for g, d in with_targets
    )
    print(f"sentence macro-F1 {score:.3f}; targets {targets_right}/{len(with_targets)}")
    assert score >= MIN_SENTENCE_MACRO_F1
    assert targets_right >= 0.8 * len(with_targets)


def test_gold_documents_and_pairs(pipeline: Pipeline) -> None:
    documents = gold_documents()
    assert len(documents) >= 12
    doc_right = pairs_right = pairs_total = 0
    for name, gold, text in documents:
        doc = annotate(pipeline, text)
        doc_right += doc.document["stance"]["label"] == gold["label"]
        if doc.document["stance"]["label"] != gold["label"]:
            print(f"{name}: document {gold['label']} -> {doc.document['stance']['label']}")
        for expected in gold["pairs"]:
            found = pair(doc, *expected["orgs"])
            right = found["label"] == expected["label"]
            if expected.get("trend"):
                right = right and found["trend"] is not None
            pairs_right += right
            pairs_total += 1
            if not right:
                print(f"{name}: {expected} -> {found['label']} (trend {found['trend']})")
    print(f"documents {doc_right}/{len(documents)}; pairs {pairs_right}/{pairs_total}")
    assert doc_right >= MIN_DOCUMENT_ACCURACY * len(documents)
    assert pairs_right >= MIN_PAIR_ACCURACY * pairs_total


# --- behaviour --------------------------------------------------------------------------


def only(doc: Document) -> Any:
    (annotation,) = doc.layer("stance")
    return annotation


def test_negated_competition_is_neutral(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline, "Kestrel Robotics Inc. said it does not see Norvalis AG as a competitor."
    )
    stance = only(doc)
    assert stance.label == "neutral"
    assert stance.attrs["negated"]
    assert stance.attrs["cues"][0]["negated_by"] == "not"
    assert doc.document["stance"]["pairs"] == []


def test_ended_collaboration_leans_to_competition_with_a_trend(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "Vantor Systems Inc. is no longer the exclusive cloud provider of Marlowe Health Corp.",
    )
    stance = only(doc)
    assert (stance.label, stance.attrs["negated"]) == ("competition", True)
    assert stance.attrs["trend"] == "toward_competition"
    assert pair(doc, "Marlowe Health", "Vantor Systems")["trend"] == "toward_competition"
    doc = annotate(
        pipeline, "Halden Motors AG terminated the supply agreement with Corvid Mining plc."
    )
    assert only(doc).attrs["cues"][0]["negated_by"] == "terminated"


def test_double_negation_keeps_the_collaboration(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline, "Halden Motors AG has no plans to end its partnership with Corvid Mining plc."
    )
    assert only(doc).label == "collaboration"


def test_hedge_lowers_the_score_not_the_label(pipeline: Pipeline) -> None:
    sure = only(annotate(pipeline, "Kestrel Robotics Inc. will partner with Helio Grid Corp."))
    hedged = only(annotate(pipeline, "Kestrel Robotics Inc. may partner with Helio Grid Corp."))
    assert sure.label == hedged.label == "collaboration"
    assert hedged.attrs["hedged"] and not sure.attrs["hedged"]
    assert hedged.attrs["collaboration"] < sure.attrs["collaboration"]


def test_coopetition_is_mixed(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "The relationship between Norvalis AG and Kestrel Robotics Inc. "
        "involves both collaboration and competition.",
    )
    assert only(doc).label == "mixed"
    assert pair(doc, "Norvalis", "Kestrel Robotics")["label"] == "mixed"


def test_attribution_follows_the_clauses(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "Norvalis AG partnered with Helio Grid Corp., while Kestrel Robotics "
        "Inc. sued Arcturus Automation Corp.",
    )
    assert pair(doc, "Norvalis", "Helio Grid")["label"] == "collaboration"
    assert pair(doc, "Kestrel Robotics", "Arcturus Automation")["label"] == "competition"
    assert pair(doc, "Norvalis", "Kestrel Robotics")["label"] == "neutral"
    cues = {c["text"]: c for c in only(doc).attrs["cues"]}
    assert cues["partnered with"]["targets"] == ["Helio Grid", "Norvalis"]


def test_sector_talk_has_a_label_but_no_pair(pipeline: Pipeline) -> None:
    doc = annotate(pipeline, "Competition in the cloud sector has intensified as prices fall.")
    stance = only(doc)
    assert (stance.label, stance.attrs["targets"]) == ("competition", [])
    assert doc.document["stance"]["pairs"] == []
    assert doc.document["stance"]["label"] == "competition"


def test_light_coreference_reaches_back_a_sentence(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "Norvalis AG and Kestrel Robotics Inc. reported results on Monday. "
        "The two companies also agreed to form a joint venture.",
    )
    stance = only(doc)
    assert stance.attrs["targets"] == ["Kestrel Robotics", "Norvalis"]
    assert pair(doc, "Kestrel Robotics", "Norvalis")["evidence"] == [[stance.start, stance.end]]


def test_short_forms_join_the_designated_name(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "Arcturus Automation Corp. makes robots. Arcturus sued Kestrel Robotics Inc. last year.",
    )
    assert pair(doc, "Arcturus Automation", "Kestrel Robotics")["label"] == "competition"


def test_neutral_sentences_are_left_out(pipeline: Pipeline) -> None:
    doc = annotate(pipeline, "Norvalis AG reported revenue of €1.2 billion for the third quarter.")
    assert doc.layer("stance") == []
    assert doc.document["stance"] == {
        "label": "neutral",
        "collaboration": 0.0,
        "competition": 0.0,
        "pairs": [],
    }


def test_corpus_article(pipeline: Pipeline) -> None:
    ((_, _, text),) = [d for d in gold_documents() if d[0] == "microsoft-openai-stargate"]
    doc = annotate(pipeline, text)
    stance = doc.document["stance"]
    assert stance["label"] == "mixed"
    microsoft_openai = pair(doc, "Microsoft", "OpenAI")
    assert microsoft_openai["label"] == "mixed"
    assert microsoft_openai["trend"] in ("toward_competition", "changing")
    spans = {(a.start, a.end) for a in doc.layer("stance")}
    assert all(tuple(span) in spans for span in microsoft_openai["evidence"])
    for annotation in doc.layer("stance"):
        assert 0 <= annotation.attrs["collaboration"] <= 1
        assert 0 <= annotation.attrs["competition"] <= 1
        for cue in annotation.attrs["cues"]:
            assert doc.text[cue["start"] : cue["end"]] == cue["text"]
        assert all(doc.get(i).label == "ORG" for i in annotation.attrs["target_ids"])


# --- configuration and speed --------------------------------------------------------------


class AlwaysCompetition:
    """A stand-in for a model-based scorer."""

    def __init__(self, config: Any) -> None:
        self.config = config

    def score_sentence(self, sentence: SentenceEvidence) -> Scores:
        return Scores(0.0, 0.9 if sentence.cues else 0.0)


def test_scorer_is_replaceable() -> None:
    pipeline = _pipeline(stance={"scorer": f"{__name__}:AlwaysCompetition"})
    doc = annotate(pipeline, "Norvalis AG will partner with Kestrel Robotics Inc.")
    assert only(doc).label == "competition"
    assert pair(doc, "Kestrel Robotics", "Norvalis")["label"] == "competition"


def test_unknown_scorer_is_a_config_error() -> None:
    from annotate.errors import ConfigError

    with pytest.raises(ConfigError, match="no_such_module"):
        _pipeline(stance={"scorer": "no_such_module:Scorer"})


def test_cues_extend_from_config() -> None:
    text = "Norvalis AG announced a codevelopment programme with Kestrel Robotics Inc."
    assert annotate(_pipeline(), text).layer("stance") == []
    extended = _pipeline(stance={"cues": {"collaboration": {"codevelopment": 0.8}}})
    assert only(annotate(extended, text)).label == "collaboration"


def test_a_quote_two_clauses_down_is_the_speakers(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "Morrison & Partners agreed to merge with Ashdown Group plc. “We "
        "remain confident that this merger is good for customers,” Ashdown "
        "chief executive Priya Raman said.",
    )
    stance = doc.layer("stance")[-1]
    assert stance.attrs["targets"] == ["Ashdown Group", "Morrison & Partners"]


def test_the_companies_stand_for_two_besides_the_one_named(pipeline: Pipeline) -> None:
    doc = annotate(
        pipeline,
        "Calumet Freight Inc. and Abernathy Grain LLC will build a grain "
        "terminal. The companies have also signed a research agreement with "
        "the University of Illinois.",
    )
    stance = doc.layer("stance")[-1]
    assert stance.attrs["targets"] == [
        "Abernathy Grain",
        "Calumet Freight",
        "University of Illinois",
    ]


def _token_loop(lexicon: Any, sent: Any) -> list[Any]:
    """The lexicon's former lookup, one token at a time: the reference find() must equal."""
    from annotate.annotators.stance_cues import Match, _match, _resolve, forms

    keys = [forms(t.lower_, t.lemma_) for t in sent]
    punct = [t.is_punct for t in sent]
    found = []
    for i, token_keys in enumerate(keys):
        candidates = {p for k in token_keys for p in lexicon.by_first.get(k, ())}
        for p in sorted(candidates, key=lambda p: (p.kind, p.text)):
            end = _match(p.slots, 0, keys, punct, i)
            if end is not None:
                found.append(Match(p, sent.start + i, sent.start + end))
    return _resolve(found)


def test_matcher_finds_what_the_token_loop_found(pipeline: Pipeline) -> None:
    from annotate.annotators.stance_cues import Lexicon
    from annotate.annotators.stance_syntax import Parse

    stance = next(s.annotator for s in pipeline.steps if s.name == "stance")
    config = dict(stance.config)
    cues = {polarity: dict(phrases) for polarity, phrases in config["cues"].items()}
    # Two gaps after an irregular lemma (fought), alternatives met in the plural (RIVALS).
    cues["competition"] |= {"fight * over * with": 1.0, "rival|foe": 0.5}
    config["cues"] = cues
    nlp = pipeline.nlp
    lexicon = Lexicon(config, lambda word: [t.text for t in nlp.tokenizer(word)], nlp.vocab)
    text = (
        "Acme and Globex fought bitterly over the contract with Initech. "
        "The RIVALS swam; the companies said they would not partner with each other. "
        "Foes fight over, with lawyers. Acme stopped working with Globex and "
        "the company announced a new partnership with the group. Rival"
    )
    doc = nlp(text)
    sents = list(doc.sents)
    found = lexicon.find_all(Parse(doc), sents)
    assert any(m.pattern.text == "fight * over * with" for ms in found for m in ms)
    assert any(doc[m.start].text == "RIVALS" for ms in found for m in ms)
    for sent, matches in zip(sents, found, strict=True):
        expected = _token_loop(lexicon, sent)
        no_cue = not any(m.pattern.kind == "cue" for m in expected)
        assert matches == expected or (no_cue and not matches)  # where no cue can start


def test_parse_children_are_spacys(pipeline: Pipeline) -> None:
    from annotate.annotators.stance_syntax import Parse

    doc = pipeline.nlp("Acme said it would partner with Globex. Initech, its rival, sued both.")
    parse = Parse(doc)
    assert [parse.children(t.i) for t in doc] == [[c.i for c in t.children] for t in doc]
