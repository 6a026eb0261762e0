"""Easy German ("einfache Sprache"): the slot easy_language picks a variation of the responses pupils
see most, the way Rasa itself renders them (language = de and easy_language = true); every other
response, and English, stay as they are.

Run: .venv-rasa/bin/python -m pytest tests/bot/test_easy_language.py (no model needed)
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "bot" / "domain"))
# The answers pupils see most (issue 15): each has an easy-German variation.
EASY_RESPONSES = (
    "utter_greet",
    "utter_help",
    "utter_language_switched",
    "utter_profession_overview",
    "utter_profession_pay_minimum",
    "utter_profession_pay_minimum_single",
    "utter_check_intro",
    "utter_check_result_intro",
    "utter_check_top_types",
    "utter_check_matches_intro",
    "utter_offer_results_near",
    "utter_offer_results_region",
    "utter_confirm_delete_data",
    "utter_data_deleted",
)
# Easy German: short sentences (Einfache Sprache: one idea per sentence).
MAX_WORDS_PER_SENTENCE = 14
VALUES = {
    "name": "Koch/Köchin",
    "description": "Du kochst.",
    "duration": "3",
    "training_type": "duale Ausbildung",
    "pay_first": "724",
    "pay_last": "977",
    "last_year": 3,
    "start_year": 2026,
    "top_types": "🎨 Kreativ",
    "total": 4,
    "filters": "Koch/Köchin",
    "radius": 25,
    "place": "Bramsche",
}


def render(name: str, language: str, easy: bool) -> dict:
    tracker = DialogueStateTracker.from_events(
        "pupil", [SlotSet("language", language), SlotSet("easy_language", easy)], slots=DOMAIN.slots
    )
    generator = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    message = asyncio.run(generator.generate(name, tracker, "rest", **VALUES))
    assert message is not None, name
    return message


def easy_variation(name: str) -> dict:
    [found] = [
        variation
        for variation in DOMAIN.responses[name]
        if {(c["name"], c["value"]) for c in variation.get("condition") or []}
        == {("language", "de"), ("easy_language", True)}
    ]
    return found


@pytest.mark.parametrize("name", EASY_RESPONSES)
def test_rasa_picks_the_easy_variation_only_for_easy_german(name: str) -> None:
    easy = render(name, "de", True)
    assert easy["text"] == easy_variation(name)["text"].format(**VALUES)
    german = render(name, "de", False)
    english = render(name, "en", True)  # the setting does not turn English into German
    assert easy["text"] != german["text"] and easy["text"] != english["text"]
    default = next(v for v in DOMAIN.responses[name] if not v.get("condition"))
    assert (
        [b["payload"] for b in easy.get("buttons") or []]
        == [b["payload"] for b in german.get("buttons") or []]
        == [b["payload"].replace("{{", "{").replace("}}", "}") for b in default.get("buttons") or []]
    )


@pytest.mark.parametrize("name", EASY_RESPONSES)
def test_easy_german_uses_short_sentences(name: str) -> None:
    text = easy_variation(name)["text"]
    for sentence in re.split(r"(?<=[.?!:])\s+|\n", text):
        words = [word for word in sentence.split() if any(ch.isalnum() for ch in word)]
        assert len(words) <= MAX_WORDS_PER_SENTENCE, (name, sentence)


def test_easy_german_is_a_setting_slot_that_does_not_steer_the_dialogue() -> None:
    slot = next(slot for slot in DOMAIN.slots if slot.name == "easy_language")
    assert slot.type_name == "bool" and slot.initial_value is False
    assert not slot.influence_conversation
