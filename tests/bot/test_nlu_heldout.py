"""The held-out NLU evaluation: the file itself, the metric code, and the trained model.

The model test needs a trained model (`make model`, or `python -m scripts.train`); it fails with a
message saying so when there is none. It writes artifacts/nlu_heldout.json (per-intent scores,
confusions, every missed occupation mention) and prints a short summary.
Run: .venv-rasa/bin/python -m pytest tests/bot
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from heldout_eval import (
    INTENTS,
    MODEL_ENV,
    OCCUPATION_ENTITIES,
    PROFESSION,
    PROFESSION_QUERY,
    Entity,
    Example,
    Parse,
    build_report,
    confusion_pairs,
    entity_recall,
    find_model,
    intent_scores,
    load_examples,
    load_training_texts,
    macro_f1,
    normalize_text,
    parse_all,
    parse_from_rasa,
    require_model,
    summary,
    training_overlap,
    unexpected_entities,
)

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = Path(__file__).parent / "data" / "nlu_heldout.yml"
PROFESSIONS = ROOT / "knowledge" / "professions"
MODELS = ROOT / "models"
TRAINING_DATA = ROOT / "bot" / "data"
REPORT = ROOT / "artifacts" / "nlu_heldout.json"

# Issue 10 asks 0.90 on this set now that it shares no message with the training data. The model of
# 2026-12-06 with one boundary between ask_tasks and ask_profession (bot/data/nlu/professions_tasks.yml)
# reached 0.912; with the intents of classes, sharing and saved searches added the same day it fell to
# 0.898 (smalltalk, ask_related and ask_profession weakest). With more distinct examples on those
# boundaries (smalltalk/help/teacher_info/join_class, ask_related/compare, ask_profession/ask_tasks,
# ask_privacy) the model berufslotse-c65fcc6c13b3b0dd reached 0.919, so the gate is the target itself.
TARGET_MACRO_F1 = 0.90
MIN_MACRO_F1 = TARGET_MACRO_F1
MIN_PROFESSION_RECALL = 0.90
MIN_EXAMPLES_PER_INTENT = 12
MIN_EXAMPLES = 300
MIN_DISTINCT_OCCUPATIONS = 120


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return load_examples(HELDOUT)


# ------------------------------------------------------------------------------------------------
# The held-out file
# ------------------------------------------------------------------------------------------------


def test_heldout_covers_exactly_the_intents_with_enough_examples(heldout: list[Example]) -> None:
    counts = Counter(example.intent for example in heldout)
    assert set(counts) == set(INTENTS)
    too_few = {intent: n for intent, n in counts.items() if n < MIN_EXAMPLES_PER_INTENT}
    assert not too_few, f"intents with fewer than {MIN_EXAMPLES_PER_INTENT} examples: {too_few}"
    assert len(heldout) >= MIN_EXAMPLES


def test_heldout_has_no_duplicate_messages(heldout: list[Example]) -> None:
    counts = Counter(normalize_text(example.text) for example in heldout)
    assert [text for text, n in counts.items() if n > 1] == []


def test_heldout_shares_no_message_with_the_training_data(heldout: list[Example]) -> None:
    """The gate is only worth something on messages the model cannot have memorised."""
    training_texts = load_training_texts(TRAINING_DATA)
    assert training_texts, f"no NLU training data under {TRAINING_DATA}"
    assert training_overlap(heldout, training_texts) == []


def test_heldout_annotates_existing_occupations_only(heldout: list[Example]) -> None:
    slugs = {path.stem for path in PROFESSIONS.glob("*.yaml")}
    assert slugs, f"no profiles in {PROFESSIONS}"
    problems = []
    for example in heldout:
        for entity in example.entities:
            mention = example.text[entity.start : entity.end]
            if entity.entity not in OCCUPATION_ENTITIES:
                problems.append(f"{example.text!r}: unknown entity type {entity.entity!r}")
            elif entity.entity == PROFESSION and entity.value not in slugs:
                problems.append(f"{example.text!r}: {mention!r} -> no profile {entity.value!r}")
            elif entity.entity == PROFESSION_QUERY and entity.value.casefold() != mention.casefold():
                problems.append(
                    f"{example.text!r}: profession_query value {entity.value!r} is not the mention"
                )
    assert problems == []


def test_heldout_spreads_over_many_occupations(heldout: list[Example]) -> None:
    occupations = {e.value for example in heldout for e in example.entities if e.entity == PROFESSION}
    assert len(occupations) >= MIN_DISTINCT_OCCUPATIONS
    assert any(e.entity == PROFESSION_QUERY for example in heldout for e in example.entities)


# ------------------------------------------------------------------------------------------------
# The metric code, on tiny inputs (no model needed)
# ------------------------------------------------------------------------------------------------


def test_load_examples_reads_intents_texts_and_annotations(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: ask_pay\n"
        "  examples: |\n"
        '    - was verdient ne [Erzieher*in]{"entity": "profession", "value": "erzieher"} 💸\n'
        "    - und was verdient man da\n"
        "- intent: ask_profession\n"
        "  examples: |\n"
        '    - [mechaniker]{"entity": "profession_query", "value": "mechaniker"}?\n',
        encoding="utf-8",
    )
    assert load_examples(path) == [
        Example("was verdient ne Erzieher*in 💸", "ask_pay", (Entity(PROFESSION, "erzieher", 16, 27),)),
        Example("und was verdient man da", "ask_pay"),
        Example("mechaniker?", "ask_profession", (Entity(PROFESSION_QUERY, "mechaniker", 0, 10),)),
    ]


def test_load_examples_rejects_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: 42\n', encoding="utf-8")
    from rasa.shared.exceptions import YamlException

    with pytest.raises(YamlException):
        load_examples(path)


def test_intent_scores_by_hand() -> None:
    gold = ["greet", "greet", "greet", "deny", "deny", "ask_pay"]
    predicted = ["greet", "greet", "deny", "deny", "greet", "ask_pay"]
    scores = intent_scores(gold, predicted, ["greet", "deny", "ask_pay"])
    # greet: tp 2, fp 1, fn 1; deny: tp 1, fp 1, fn 1; ask_pay: all right
    assert scores["greet"].precision == pytest.approx(2 / 3)
    assert scores["greet"].recall == pytest.approx(2 / 3)
    assert scores["deny"].f1 == pytest.approx(0.5)
    assert scores["ask_pay"].f1 == 1.0
    assert [score.support for score in scores.values()] == [3, 2, 1]
    assert macro_f1(scores) == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)


def test_predictions_outside_the_labels_are_misses_and_unpredicted_labels_score_zero() -> None:
    scores = intent_scores(["greet", "greet", "thank"], ["greet", "nlu_fallback", None], ["greet", "thank"])
    assert scores["greet"].precision == 1.0
    assert scores["greet"].recall == 0.5
    assert scores["thank"] == scores["thank"].__class__(0.0, 0.0, 0.0, 1)
    assert "nlu_fallback" not in scores


def test_intent_scores_agree_with_sklearn() -> None:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    rng = random.Random(7)
    labels = list(INTENTS)
    gold = [rng.choice(labels) for _ in range(400)]
    predicted = [truth if rng.random() < 0.7 else rng.choice([*labels, "nlu_fallback"]) for truth in gold]
    scores = intent_scores(gold, predicted, labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    assert [s.precision for s in scores.values()] == pytest.approx(list(precision))
    assert [s.recall for s in scores.values()] == pytest.approx(list(recall))
    assert [s.f1 for s in scores.values()] == pytest.approx(list(f1))
    assert [s.support for s in scores.values()] == list(support)
    assert macro_f1(scores) == pytest.approx(f1_score(gold, predicted, labels=labels, average="macro"))


def test_confusion_pairs_are_counted_with_their_messages_most_frequent_first() -> None:
    examples = [Example("a", "greet"), Example("b", "thank"), Example("c", "thank"), Example("d", "deny")]
    parses = [Parse("smalltalk"), Parse("goodbye"), Parse("goodbye"), Parse("deny")]
    assert confusion_pairs(examples, parses) == [
        {"intent": "thank", "predicted": "goodbye", "count": 2, "messages": ["b", "c"]},
        {"intent": "greet", "predicted": "smalltalk", "count": 1, "messages": ["a"]},
    ]


TEXT = "was verdient ein Tischler oder Mechaniker"
TISCHLER = Entity(PROFESSION, "tischler", 17, 25)
MECHANIKER = Entity(PROFESSION_QUERY, "Mechaniker", 31, 41)


@pytest.mark.parametrize(
    ("predicted", "found"),
    [
        ((Entity(PROFESSION, "tischler", 17, 25),), True),
        ((Entity(PROFESSION, "tischler", 12, 20),), True),  # overlapping span is enough
        ((Entity(PROFESSION, "tischler", 0, 16),), False),  # right value, wrong place
        ((Entity(PROFESSION, "zimmerer", 17, 25),), False),  # right place, wrong occupation
        ((Entity(PROFESSION_QUERY, "tischler", 17, 25),), False),  # wrong entity type
        ((), False),
    ],
)
def test_profession_recall_needs_type_value_and_overlap(predicted: tuple[Entity, ...], found: bool) -> None:
    result = entity_recall(
        [Example(TEXT, "ask_pay", (TISCHLER, MECHANIKER))], [Parse("ask_pay", predicted)], PROFESSION
    )
    assert (result.found, result.total, result.recall) == (int(found), 1, float(found))
    if not found:
        assert result.missed[0]["mention"] == "Tischler"
        assert result.missed[0]["expected"] == "tischler"


def test_profession_query_recall_ignores_case_and_reports_misses() -> None:
    examples = [
        Example(TEXT, "ask_pay", (TISCHLER, MECHANIKER)),
        Example("mechaniker?", "ask_profession", (Entity(PROFESSION_QUERY, "mechaniker", 0, 10),)),
    ]
    parses = [
        Parse("ask_pay", (Entity(PROFESSION_QUERY, "mechaniker", 31, 41),)),
        Parse("ask_profession", (Entity(PROFESSION, "kraftfahrzeugmechatroniker", 0, 10),)),
    ]
    result = entity_recall(examples, parses, PROFESSION_QUERY)
    assert (result.found, result.total) == (1, 2)
    assert result.missed == (
        {
            "text": "mechaniker?",
            "mention": "mechaniker",
            "expected": "mechaniker",
            "predicted": [
                {"entity": PROFESSION, "value": "kraftfahrzeugmechatroniker", "mention": "mechaniker"}
            ],
        },
    )
    assert entity_recall([Example("hi", "greet")], [Parse("greet")], PROFESSION).recall is None


def test_unexpected_entities_are_occupation_entities_without_an_annotation() -> None:
    examples = [Example(TEXT, "ask_pay", (TISCHLER,)), Example("moin", "greet")]
    parses = [
        Parse(
            "ask_pay",
            (Entity(PROFESSION, "zimmerer", 17, 25), Entity(PROFESSION_QUERY, "Mechaniker", 31, 41)),
        ),
        Parse("greet", (Entity("detected_language", "de", 0, 4),)),
    ]
    assert unexpected_entities(examples, parses) == [
        {
            "text": TEXT,
            "predicted": [{"entity": PROFESSION_QUERY, "value": "Mechaniker", "mention": "Mechaniker"}],
        }
    ]


def test_parse_from_rasa_reads_the_intent_and_the_entities() -> None:
    result: dict[str, Any] = {
        "text": "was macht ein Tischler",
        "intent": {"name": "ask_tasks", "confidence": 0.93},
        "entities": [
            {"entity": "profession", "value": "tischler", "start": 14, "end": 22, "extractor": "X"},
            {"entity": "detected_language", "value": "de", "start": 0, "end": 22},
        ],
    }
    assert parse_from_rasa(result) == Parse(
        "ask_tasks", (Entity(PROFESSION, "tischler", 14, 22), Entity("detected_language", "de", 0, 22))
    )
    assert parse_from_rasa({"text": "", "intent": None, "entities": []}) == Parse(None)


def test_parse_all_asks_the_agent_for_every_text_in_order() -> None:
    class FakeAgent:
        async def parse_message(self, text: str) -> dict[str, Any]:
            return {"intent": {"name": f"intent-{text}"}, "entities": []}

    assert asyncio.run(parse_all(FakeAgent(), ["a", "b"])) == [Parse("intent-a"), Parse("intent-b")]


def test_find_model_takes_the_environment_first_then_the_newest_model(tmp_path: Path) -> None:
    assert find_model(tmp_path, {}) is None
    older, newer = tmp_path / "berufslotse-aaa.tar.gz", tmp_path / "berufslotse-bbb.tar.gz"
    (tmp_path / "other.tar.gz").write_bytes(b"")
    for age, path in ((200, older), (100, newer)):
        path.write_bytes(b"")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - age))
    assert find_model(tmp_path, {}) == newer
    os.utime(older, None)
    assert find_model(tmp_path, {}) == older
    assert find_model(tmp_path, {MODEL_ENV: "/elsewhere/model.tar.gz"}) == Path("/elsewhere/model.tar.gz")
    assert find_model(tmp_path, {MODEL_ENV: "  "}) == older


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Moin  Moin", "moin moin"),
        ("  hallo\t\nDU ", "hallo du"),
        ("Was verdient'n Bäcker?? 💸", "was verdientn baecker"),
        ("was verdient n baecker", "was verdient n baecker"),
        ("Schöne Grüße, Straße!", "schoene gruesse strasse"),
        ("ÜBERSTUNDEN", "ueberstunden"),
        ("danke 🙏🏽🙏🏽", "danke"),
        ("what's up", "whats up"),
        ("what’s up", "whats up"),
        ("kfz-mechatroniker/in", "kfz mechatroniker in"),
        ("café au lait", "cafe au lait"),
        ("u\u0308ber", "ueber"),  # a decomposed umlaut
        ("1. lehrjahr: 1.000€", "1 lehrjahr 1 000"),
        ("👋", ""),
    ],
)
def test_normalize_text(text: str, normal: str) -> None:
    assert normalize_text(text) == normal


def test_training_overlap_compares_normalised_texts(tmp_path: Path) -> None:
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "basics.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - Moin  Moin\n    - hallo\n'
        '- intent: thank\n  examples: |\n    - [Danke]{"entity": "x", "value": "y"} schön!\n',
        encoding="utf-8",
    )
    (tmp_path / "stories.yml").write_text('version: "3.1"\nstories: []\n', encoding="utf-8")
    texts = load_training_texts(tmp_path)
    assert sorted(texts) == ["Danke schön!", "Moin  Moin", "hallo"]
    examples = [
        Example("moin moin 👋", "greet"),
        Example("moin", "greet"),
        Example("danke schoen", "thank"),
        Example("danke schon", "thank"),
    ]
    assert training_overlap(examples, texts) == ["moin moin 👋", "danke schoen"]
    assert load_training_texts(tmp_path / "missing") == []


def test_report_is_json_and_the_summary_names_the_scores() -> None:
    examples = [Example(TEXT, "ask_pay", (TISCHLER, MECHANIKER)), Example("hi", "greet")]
    parses = [Parse("ask_pay", (Entity(PROFESSION, "tischler", 17, 25),)), Parse("smalltalk")]
    report = json.loads(
        json.dumps(
            build_report(
                examples, parses, model="m.tar.gz", labels=["ask_pay", "greet"], training_texts=["HI "]
            )
        )
    )
    assert report["intent"]["macro_f1"] == pytest.approx((1.0 + 0.0) / 2)
    assert report["intent"]["per_intent"]["greet"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
    }
    assert report["entities"][PROFESSION] == {"recall": 1.0, "found": 1, "total": 1, "missed": []}
    assert report["entities"][PROFESSION_QUERY]["missed"][0]["mention"] == "Mechaniker"
    assert report["also_in_training_data"] == {"count": 1, "messages": ["hi"]}
    # without "hi" only the ask_pay message is left: right intent, right occupation
    assert report["unseen_only"] == {"messages": 1, "intent_macro_f1": 0.5, "profession_recall": 1.0}
    text = summary(report)
    assert "macro-F1 0.500" in text
    assert "profession recall 100.0% (1/1)" in text
    assert "profession_query recall 0.0% (0/1)" in text
    assert "greet->smalltalk x1" in text


# ------------------------------------------------------------------------------------------------
# The trained model
# ------------------------------------------------------------------------------------------------


def test_trained_model_understands_the_heldout_messages(
    heldout: list[Example], capsys: pytest.CaptureFixture[str]
) -> None:
    model = require_model(MODELS, os.environ)
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parses = asyncio.run(parse_all(agent, [example.text for example in heldout]))
    report = build_report(
        heldout, parses, model=model.name, training_texts=load_training_texts(TRAINING_DATA)
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    text = (
        summary(report)
        + f"\n  gate: macro-F1 >= {MIN_MACRO_F1:.2f} (floor); target {TARGET_MACRO_F1:.2f} (issue 10)"
        + f"\n  report: {REPORT.relative_to(ROOT)}"
    )
    with capsys.disabled():
        print("\n" + text)
    assert report["intent"]["macro_f1"] >= MIN_MACRO_F1, text
    assert (report["entities"][PROFESSION]["recall"] or 0.0) >= MIN_PROFESSION_RECALL, text
