"""The rules of training and the hand-off as the assistant serves them: the generated domain files
agree with knowledge/, every rule key has training examples and an answer in both languages, and
asking FOR a person is kept apart from asking WHETHER the bot is one.

Run: .venv-rasa/bin/python -m pytest tests/bot/test_rules_domain.py (no model needed)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.rules.catalogue import RULE_KEYS
from scripts.build_rules_domain import HANDOFF_DOMAIN, RULES_DOMAIN, expected_files

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "bot" / "data" / "nlu"
RULES_DATA_DIR = ROOT / "bot" / "data" / "rules"
HELDOUT_DIR = Path(__file__).parent / "data"
MIN_EXAMPLES_PER_RULE = 10
MIN_HANDOFF_EXAMPLES = 20
_ANNOTATION = re.compile(r"\[([^\]]*)\]\{[^}]*\}|\[([^\]]*)\]\([^)]*\)")


def _plain(example: str) -> str:
    """The message as typed: annotations removed, case and spacing folded."""
    text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", example)
    return " ".join(text.casefold().split())


def nlu_examples(directory: Path) -> dict[str, list[str]]:
    """Examples per intent over every NLU file in `directory` (retrieval intents with their key)."""
    examples: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            if "intent" not in block:
                continue
            lines = [line.strip() for line in str(block.get("examples", "")).splitlines()]
            texts = [line[2:].strip() for line in lines if line.startswith("- ")]
            examples.setdefault(block["intent"], []).extend(texts)
    return examples


@pytest.fixture(scope="module")
def training() -> dict[str, list[str]]:
    return nlu_examples(NLU_DIR)


def _responses(path: Path) -> dict[str, list[dict[str, Any]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    responses: dict[str, list[dict[str, Any]]] = data["responses"]
    return responses


def _languages(variations: list[dict[str, Any]]) -> list[str]:
    """The language of each variation: the value of its language-slot condition, else German."""
    found = []
    for variation in variations:
        conditions = variation.get("condition") or []
        values = [c["value"] for c in conditions if c.get("type") == "slot" and c.get("name") == "language"]
        found.append(values[0] if values else "de")
    return found


def test_generated_domain_files_match_the_knowledge_base() -> None:
    stale = [
        path.relative_to(ROOT).as_posix()
        for path, content in expected_files().items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]
    assert stale == [], f"out of date, run `python -m scripts.build_rules_domain`: {stale}"


def test_every_rule_key_has_an_answer_in_german_and_english() -> None:
    responses = _responses(RULES_DOMAIN)
    expected = {f"utter_rules/{key}" for key in RULE_KEYS}
    assert set(responses) == expected
    for name in sorted(expected):
        variations = responses[name]
        assert sorted(_languages(variations)) == ["de", "en"], name
        texts = {language: v["text"] for language, v in zip(_languages(variations), variations, strict=True)}
        assert texts["de"] != texts["en"], name
        assert texts["de"].startswith("**") and "\nQuelle: " in texts["de"], name
        assert texts["en"].startswith("**") and "\nSource: " in texts["en"], name


def test_every_rule_answer_ends_with_a_related_question_and_the_check() -> None:
    """Two next steps: another rule of the same topic (a payload action_show_rule answers) and the
    check. Payload braces are doubled because Rasa fills in {name} in payloads."""
    responses = _responses(RULES_DOMAIN)
    for key in RULE_KEYS:
        for variation in responses[f"utter_rules/{key}"]:
            related, check = variation["buttons"]
            payload = related["payload"].replace("{{", "{").replace("}}", "}")
            assert payload.startswith("/rules{"), key
            other = json.loads(payload.removeprefix("/rules"))["rule"]
            assert other in RULE_KEYS and other != key, key
            assert check["payload"] == "/start_check", key
    german = responses["utter_rules/pay_minimum"][1]["buttons"]
    assert german[0]["title"] == "Brutto, netto und Steuern"  # the title of the related rule
    assert german[1]["title"] == "Welcher Beruf passt zu mir?"


def test_every_rule_key_has_training_examples_and_no_unknown_key_is_trained(
    training: dict[str, list[str]],
) -> None:
    trained = {intent.split("/", 1)[1]: texts for intent, texts in training.items() if "/" in intent}
    assert {intent.split("/")[0] for intent in training if "/" in intent} == {"rules"}
    assert set(trained) == set(RULE_KEYS)
    too_few = {key: len(texts) for key, texts in trained.items() if len(texts) < MIN_EXAMPLES_PER_RULE}
    assert too_few == {}
    # pupils write in both languages: every rule has German and English examples
    english_markers = re.compile(r"\b(the|what|how|can|do|is|my|i)\b")
    without_english = [key for key, texts in trained.items() if not any(map(english_markers.search, texts))]
    assert without_english == []


def test_no_training_message_is_used_for_two_intents(training: dict[str, list[str]]) -> None:
    owners: dict[str, set[str]] = {}
    for intent, texts in training.items():
        for text in texts:
            owners.setdefault(_plain(text), set()).add(intent)
    assert {text: intents for text, intents in owners.items() if len(intents) > 1} == {}


def test_rules_and_handoff_training_examples_are_not_held_out_messages(
    training: dict[str, list[str]],
) -> None:
    heldout = {_plain(text) for texts in nlu_examples(HELDOUT_DIR).values() for text in texts}
    ours = [text for intent, texts in training.items() if intent.startswith("rules/") for text in texts]
    ours += training["handoff"]
    assert sorted({_plain(text) for text in ours} & heldout) == []


def test_handoff_has_its_own_examples_apart_from_bot_challenge(training: dict[str, list[str]]) -> None:
    handoff = training["handoff"]
    assert len(handoff) >= MIN_HANDOFF_EXAMPLES
    assert Counter(_plain(t) for t in handoff).most_common(1)[0][1] == 1
    # asking FOR a person is handoff, not "are you a bot"
    wants_person = re.compile(r"\b(reden|sprechen|talk|speak)\b")
    assert [t for t in training["bot_challenge"] if wants_person.search(t)] == []


def test_handoff_answers_in_both_languages_and_names_the_regions_advisers() -> None:
    variations = _responses(HANDOFF_DOMAIN)["utter_handoff"]
    assert sorted(_languages(variations)) == ["de", "en"]
    for variation in variations:
        text = variation["text"]
        for name in ("Jugendberufsagentur in der Schule", "Jugendberufsagentur Osnabrück", "Osnabrück"):
            assert name in text
        assert "Agentur für Arbeit" in text


@pytest.mark.parametrize(
    ("path", "intent", "action"),
    [
        (RULES_DATA_DIR / "rules.yml", "rules", "utter_rules"),
        (RULES_DATA_DIR / "handoff.yml", "handoff", "utter_handoff"),
    ],
)
def test_a_dialogue_rule_answers_the_intent(path: Path, intent: str, action: str) -> None:
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    # the answer comes first; a rule may go on after it (handoff: the offer to share the result)
    steps = [rule["steps"][:2] for rule in rules]
    assert [{"intent": intent}, {"action": action}] in steps
