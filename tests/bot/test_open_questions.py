"""The held-out open questions (issue 10): the file itself, the scoring code, and the trained model.

The model tests need a trained model (`make model`, or `python -m scripts.train`); they fail with a
message saying so when there is none. They write artifacts/open_questions.json (shares per kind and
language, confusions, every miss) and print a short summary. The gate (>= 0.85 answered with the
right kind) is an expected failure, with its reason printed, only while the model does not know the
intents of issue 10 yet (its domain has no `explore_professions`).
Run: .venv-rasa/bin/python -m pytest tests/bot/test_open_questions.py
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from heldout_eval import load_training_texts, require_model
from open_questions_eval import (
    EXPLORE_INTENT,
    KINDS,
    RETRIEVAL_INTENT,
    RULE_KEYS,
    TOPIC_KEYS,
    Answer,
    Question,
    QuestionFileError,
    Vocabulary,
    answer_all,
    answer_from_rasa,
    build_report,
    domain_intents,
    duplicate_texts,
    fallback_threshold,
    judge,
    label_problems,
    load_questions,
    municipality_names,
    requirements_met,
    same_value,
    summary,
    training_overlap,
)

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = Path(__file__).parent / "data" / "open_questions_heldout.yml"
KNOWLEDGE = ROOT / "knowledge"
MODELS = ROOT / "models"
TRAINING_DATA = ROOT / "bot" / "data"
DOMAIN = ROOT / "bot" / "domain"
CONFIG = ROOT / "bot" / "config.yml"
REPORT = ROOT / "artifacts" / "open_questions.json"

# Issue 10's gate: at least 85 % answered with the right kind of answer (the model of 2026-12-06
# reached 92 %). Confident wrong intents have a ceiling of their own (that model: 4.8 %).
TARGET_RIGHT_KIND = 0.85
MIN_RIGHT_KIND = TARGET_RIGHT_KIND
MAX_CONFIDENT_WRONG = 0.10
MIN_QUESTIONS = 400
MIN_PER_TOPIC = 3
MIN_PER_RULE = 4
# the mix of languages pupils write in (shares of the set, with some slack)
MIN_ENGLISH, MAX_ENGLISH = 0.15, 0.30
MIN_MIXED = 0.03


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    vocab = yaml.safe_load((KNOWLEDGE / "vocab.yaml").read_text(encoding="utf-8"))
    return Vocabulary(
        intents=frozenset(domain_intents(DOMAIN)),
        slugs=frozenset(path.stem for path in (KNOWLEDGE / "professions").glob("*.yaml")),
        certificates=frozenset(vocab["certificates"]),
        training_types=frozenset(vocab["training_types"]),
        municipalities=tuple(municipality_names(KNOWLEDGE / "sources" / "municipalities_lk_osnabrueck.csv")),
    )


# ------------------------------------------------------------------------------------------------
# The questions file
# ------------------------------------------------------------------------------------------------


def test_there_are_enough_questions_of_every_kind(questions: list[Question]) -> None:
    assert len(questions) >= MIN_QUESTIONS
    kinds = Counter(question.kind for question in questions)
    assert set(kinds) == set(KINDS), f"kinds without questions: {set(KINDS) - set(kinds)}"


def test_every_topic_and_every_rule_is_asked_about(questions: list[Question]) -> None:
    topics: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for question in questions:
        if question.kind == "topic":
            topics[dict(question.entities)["topic"][0][0]] += 1
        if question.kind == "rules":
            rules[question.intents[0].removeprefix(f"{RETRIEVAL_INTENT}/")] += 1
    assert {key: topics[key] for key in TOPIC_KEYS if topics[key] < MIN_PER_TOPIC} == {}
    assert {key: rules[key] for key in RULE_KEYS if rules[key] < MIN_PER_RULE} == {}


def test_the_questions_are_written_as_pupils_write(questions: list[Question]) -> None:
    languages = Counter(question.lang for question in questions)
    assert MIN_ENGLISH <= languages["en"] / len(questions) <= MAX_ENGLISH
    assert languages["mixed"] / len(questions) >= MIN_MIXED
    assert languages["de"] > languages["en"] + languages["mixed"]


def test_labels_name_only_known_intents_entities_and_values(
    questions: list[Question], vocabulary: Vocabulary
) -> None:
    assert vocabulary.slugs and vocabulary.intents and vocabulary.municipalities
    assert label_problems(questions, vocabulary) == []


def test_no_question_is_asked_twice(questions: list[Question]) -> None:
    assert duplicate_texts(questions) == []


def test_no_question_occurs_in_the_training_data(questions: list[Question]) -> None:
    training_texts = load_training_texts(TRAINING_DATA)
    assert training_texts, f"no NLU training data under {TRAINING_DATA}"
    assert training_overlap(questions, training_texts) == []


# ------------------------------------------------------------------------------------------------
# The scoring code, on tiny inputs (no model needed)
# ------------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_questions_reads_values_lists_and_all_of(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "questions:\n"
        '  - text: "was mit tieren in melle"\n'
        "    kind: place\n"
        "    expect: {intent: [explore_professions], entities: {topic: animals, place: melle}}\n"
        '  - text: "maurer vs zimmerer"\n'
        "    kind: compare\n"
        "    lang: mixed\n"
        "    expect:\n"
        "      intent: compare_professions\n"
        "      entities: {profession: {all_of: [maurer, [zimmerer, x]]}}\n"
        '  - text: "kurze ausbildung"\n'
        "    kind: duration\n"
        "    expect: {intent: [explore_professions], entities: {duration: [24, 36]}}\n",
    )
    assert load_questions(path) == [
        Question(
            "was mit tieren in melle",
            "place",
            "de",
            ("explore_professions",),
            (("topic", (("animals",),)), ("place", (("melle",),))),
        ),
        Question(
            "maurer vs zimmerer",
            "compare",
            "mixed",
            ("compare_professions",),
            (("profession", (("maurer",), ("zimmerer", "x"))),),
        ),
        Question(
            "kurze ausbildung", "duration", "de", ("explore_professions",), (("duration", (("24", "36"),)),)
        ),
    ]


@pytest.mark.parametrize(
    "item",
    [
        "{kind: topic, expect: {intent: [greet]}}",  # no text
        "{text: hi, kind: topic}",  # no expectation
        "{text: hi, kind: topic, expect: {entities: {topic: animals}}}",  # no intent
        "{text: hi, kind: topic, expect: {intent: []}}",
        "{text: hi, kind: topic, expect: {intent: [greet], entities: {topic: {any: [a, b]}}}}",
        "{text: hi, kind: topic, expect: {intent: [greet], entities: {topic: {all_of: [a]}}}}",
        "{text: hi, kind: topic, expect: {intent: [greet], entities: {topic: [[a]]}}}",
        "{text: hi, kind: topic, expect: {intent: [greet]}, note: x}",
        "{text: '', kind: topic, expect: {intent: [greet]}}",
    ],
)
def test_load_questions_rejects_malformed_questions(tmp_path: Path, item: str) -> None:
    with pytest.raises(QuestionFileError, match="question 1"):
        load_questions(_write(tmp_path, f"questions:\n  - {item}\n"))
    with pytest.raises(QuestionFileError):
        load_questions(_write(tmp_path, "- just a list\n"))


def test_fallback_threshold_is_read_from_the_config(tmp_path: Path) -> None:
    assert 0.0 < fallback_threshold(CONFIG) < 1.0
    path = tmp_path / "config.yml"
    path.write_text("pipeline:\n  - name: DIETClassifier\n  - name: FallbackClassifier\n    threshold: 0.6\n")
    assert fallback_threshold(path) == 0.6
    path.write_text("pipeline:\n  - name: DIETClassifier\n")
    with pytest.raises(ValueError, match="FallbackClassifier"):
        fallback_threshold(path)


def _rasa_result(intent: str, confidence: float, selector: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "text": "was ist die probezeit",
        "intent": {"name": intent, "confidence": confidence},
        "entities": [
            {"entity": "topic", "value": "animals", "start": 0, "end": 5, "extractor": "X"},
            {"entity": "duration", "value": 24, "start": 6, "end": 8},
            {"entity": "broken"},
        ],
    }
    if selector is not None:
        result["response_selector"] = selector
    return result


def _selection(key: str, confidence: float = 0.8) -> dict[str, Any]:
    return {
        "response": {
            "responses": [{"text": "..."}],
            "confidence": confidence,
            "intent_response_key": key,
            "utter_action": f"utter_{key}",
        },
        "ranking": [],
    }


def test_answer_from_rasa_reads_intent_confidence_and_entities() -> None:
    answer = answer_from_rasa(_rasa_result("explore_professions", 0.9))
    assert answer == Answer("explore_professions", 0.9, (("topic", "animals"), ("duration", "24")), None)
    assert answer_from_rasa({"text": "", "intent": None, "entities": []}) == Answer(None, 0.0, (), None)


def test_answer_from_rasa_takes_the_response_selectors_key_for_the_retrieval_intent() -> None:
    named = {"all_retrieval_intents": ["rules"], "rules": _selection("rules/probation", 0.7)}
    assert answer_from_rasa(_rasa_result("rules", 0.9, named)).intent == "rules/probation"
    assert answer_from_rasa(_rasa_result("rules", 0.9, named)).response_confidence == 0.7
    default = {"all_retrieval_intents": ["rules"], "default": _selection("rules/holidays")}
    assert answer_from_rasa(_rasa_result("rules", 0.9, default)).intent == "rules/holidays"
    # no selection: the bare retrieval intent, which no question accepts
    assert answer_from_rasa(_rasa_result("rules", 0.9, {"all_retrieval_intents": []})).intent == "rules"
    # another intent keeps its name even when the selector has an opinion
    assert answer_from_rasa(_rasa_result("greet", 0.9, named)).intent == "greet"


def test_answer_all_asks_the_agent_for_every_text_in_order() -> None:
    class FakeAgent:
        async def parse_message(self, text: str) -> dict[str, Any]:
            return {"intent": {"name": f"intent-{text}", "confidence": 1.0}, "entities": []}

    answers = asyncio.run(answer_all(FakeAgent(), ["a", "b"]))
    assert [answer.intent for answer in answers] == ["intent-a", "intent-b"]


@pytest.mark.parametrize(
    ("entity", "predicted", "accepted", "same"),
    [
        ("topic", "animals", "animals", True),
        ("profession", "Tischler", "tischler", True),
        ("duration", "24", "24", True),
        ("duration", "24", "36", False),
        ("place", "Georgsmarienhütte", "georgsmarienhuette", True),
        ("place", "bad-iburg", "bad iburg", True),
        ("place", "Dissen am Teutoburger Wald", "dissen", True),
        ("place", "bad", "bad iburg", True),
        ("place", "melle", "mellen", False),
        ("topic", "wood", "wood_work", False),
    ],
)
def test_same_value(entity: str, predicted: str, accepted: str, same: bool) -> None:
    assert same_value(entity, predicted, accepted) is same


def test_every_requirement_needs_its_own_entity() -> None:
    compare = (("tischler",), ("zimmerer", "dachdecker"))
    assert requirements_met("profession", compare, ["zimmerer", "tischler"])
    assert requirements_met("profession", compare, ["tischler", "dachdecker", "maurer"])
    assert not requirements_met("profession", compare, ["tischler"])
    assert not requirements_met("profession", (("a", "b"), ("a",)), ["a"])
    assert requirements_met("profession", (("a", "b"), ("a",)), ["a", "b"])  # found by search, not greedily
    assert requirements_met("profession", (), [])


EXPLORE = Question("was mit tieren", "topic", "de", ("explore_professions",), (("topic", (("animals",),)),))


@pytest.mark.parametrize(
    ("answer", "right", "confident_wrong", "fallback"),
    [
        (Answer("explore_professions", 0.9, (("topic", "animals"),)), True, False, False),
        (Answer("explore_professions", 0.2, (("topic", "animals"),)), True, False, False),
        (Answer("explore_professions", 0.9, (("topic", "plants_garden"),)), False, False, False),
        (Answer("explore_professions", 0.9), False, False, False),
        (Answer("bot_challenge", 0.9, (("topic", "animals"),)), False, True, False),
        (Answer("bot_challenge", 0.45), False, True, False),  # at the threshold: no fallback
        (Answer("bot_challenge", 0.44), False, False, False),
        (Answer("nlu_fallback", 0.45), False, False, True),
        (Answer(None), False, False, True),
    ],
)
def test_judge(answer: Answer, right: bool, confident_wrong: bool, fallback: bool) -> None:
    verdict = judge(EXPLORE, answer, threshold=0.45)
    assert verdict.right_kind is right
    assert verdict.confident_wrong is confident_wrong
    assert verdict.fallback is fallback


def test_a_wrong_rule_is_a_confident_wrong_answer() -> None:
    question = Question("probezeit?", "rules", "de", ("rules/probation",))
    assert judge(question, Answer("rules/probation", 0.9), 0.45).right_kind
    assert judge(question, Answer("rules/holidays", 0.9), 0.45).confident_wrong
    assert judge(question, Answer("rules", 0.9), 0.45).confident_wrong


def test_report_shares_per_kind_and_language_and_the_summary() -> None:
    questions = [
        EXPLORE,
        Question("probezeit?", "rules", "de", ("rules/probation",)),
        Question("probation?", "rules", "en", ("rules/probation",)),
        Question("mensch bitte", "handoff", "de", ("handoff",)),
    ]
    answers = [
        Answer("explore_professions", 0.9, (("topic", "animals"),)),
        Answer("rules/probation", 0.8),
        Answer("bot_challenge", 0.7),
        Answer("nlu_fallback", 0.45),
    ]
    report = json.loads(json.dumps(build_report(questions, answers, threshold=0.45, model="m.tar.gz")))
    assert (report["questions"], report["right_kind"], report["confident_wrong"], report["fallback"]) == (
        4,
        0.5,
        0.25,
        0.25,
    )
    assert report["per_kind"]["rules"] == {
        "questions": 2,
        "right_kind": 0.5,
        "intent_right": 0.5,
        "confident_wrong": 0.5,
        "fallback": 0.0,
    }
    assert report["per_language"]["en"]["right_kind"] == 0.0
    assert report["confusions"] == [
        {"expected": "handoff", "predicted": "nlu_fallback", "count": 1},
        {"expected": "rules/probation", "predicted": "bot_challenge", "count": 1},
    ]
    assert [miss["text"] for miss in report["misses"]] == ["probation?", "mensch bitte"]
    assert report["misses"][0]["confident_wrong"] is True
    text = summary(report)
    assert "right kind of answer 50.0%" in text
    assert "confident wrong intent 25.0%" in text
    assert "rules 50.0% (n=2)" in text
    assert "rules/probation->bot_challenge x1" in text


def test_label_problems_name_unknown_intents_values_kinds_and_places(vocabulary: Vocabulary) -> None:
    good = [
        Question("a", "topic", "de", ("explore_professions",), (("topic", (("animals",),)),)),
        Question("b", "rules", "en", ("rules/probation", "rules/quitting")),
        Question("c", "place", "de", ("explore_professions",), (("place", (("bad iburg",),)),)),
        Question(
            "d", "compare", "de", ("compare_professions",), (("profession", (("tischler",), ("koch",))),)
        ),
        Question("e", "handoff", "mixed", ("handoff", "greet")),
    ]
    assert label_problems(good, vocabulary) == []
    bad = [
        Question("f", "topic", "de", ("explore_professions",), (("topic", (("dinosaurs",),)),)),
        Question("g", "rules", "de", ("rules/unknown_rule",)),
        Question("h", "place", "de", ("explore_professions",), (("place", (("berlin",),)),)),
        Question("i", "gossip", "fr", ("explore_jobs",)),
        Question("j", "named_occupation", "de", ("ask_pay",), (("profession", (("kellner",),)),)),
        Question(
            "k", "duration", "de", ("explore_professions",), (("duration", (("18",),)), ("color", (("x",),)))
        ),
    ]
    problems = "\n".join(label_problems(bad, vocabulary))
    for expected in (
        "topic 'dinosaurs'",
        "unknown intent 'rules/unknown_rule'",
        "place 'berlin'",
        "unknown kind 'gossip'",
        "unknown lang 'fr'",
        "unknown intent 'explore_jobs'",
        "profession 'kellner'",
        "duration '18'",
        "unknown entity 'color'",
    ):
        assert expected in problems


def test_duplicates_and_training_overlap_compare_normalised_texts() -> None:
    questions = [
        Question("Was ist die Probezeit?", "rules", "de", ("rules/probation",)),
        Question("was ist die probezeit", "rules", "de", ("rules/probation",)),
        Question("wie viel urlaub 🏖️", "rules", "de", ("rules/holidays",)),
    ]
    assert duplicate_texts(questions) == ["was ist die probezeit"]
    assert training_overlap(questions, ["WIE VIEL URLAUB"]) == ["wie viel urlaub 🏖️"]


# ------------------------------------------------------------------------------------------------
# The trained model
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evaluation(questions: list[Question]) -> dict[str, Any]:
    """Parse every question with the newest model once; write the report and print its summary."""
    model = require_model(MODELS, os.environ)
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    answers = asyncio.run(answer_all(agent, [question.text for question in questions]))
    report = build_report(questions, answers, threshold=fallback_threshold(CONFIG), model=model.name)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    text = summary(report) + f"\n  report: {REPORT.relative_to(ROOT)}"
    print("\n" + text)
    return {"report": report, "summary": text, "intents": set(agent.domain.intents)}


def test_trained_model_answers_the_open_questions(
    evaluation: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    report = evaluation["report"]
    with capsys.disabled():
        print("\n" + evaluation["summary"])
    assert report["questions"] >= MIN_QUESTIONS
    assert 0.0 <= report["confident_wrong"] <= 1.0 - report["right_kind"]


def test_trained_model_answers_enough_open_questions_with_the_right_kind(
    evaluation: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    report = evaluation["report"]
    assert EXPLORE_INTENT in evaluation["intents"], "the model does not know the intents of issue 10"
    with capsys.disabled():
        print(
            f"\n  gate: right kind >= {MIN_RIGHT_KIND:.0%} (floor), target {TARGET_RIGHT_KIND:.0%} "
            f"(issue 10); confident wrong <= {MAX_CONFIDENT_WRONG:.0%}"
        )
    assert report["right_kind"] >= MIN_RIGHT_KIND, evaluation["summary"]
    assert report["confident_wrong"] <= MAX_CONFIDENT_WRONG, evaluation["summary"]
