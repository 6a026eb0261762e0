"""action_switch_language: the language named in the message, else the other one."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionSwitchLanguage
from actions.language_logic import requested_language
from tests.actions.support import TrackerFactory


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("english please", "de", "en"),
        ("English pls 🇬🇧", "en", "en"),
        ("kannst du englisch", "de", "en"),
        ("auf deutsch", "en", "de"),
        ("Auf Deutsch bitte!", "de", "de"),
        ("can we speak german", "en", "de"),
        ("sprache wechseln", "de", "en"),
        ("change language", "en", "de"),
        ("/switch_language", "de", "en"),
        ("nicht englisch sondern deutsch", "en", "de"),
        ("", "en", "de"),
        (None, "de", "en"),
    ],
)
def test_requested_language(text: str | None, current: Any, expected: str) -> None:
    assert requested_language(text, current) == expected


@pytest.mark.parametrize(
    ("text", "slots", "expected"),
    [
        ("english please", {"language": "de"}, "en"),
        ("auf deutsch bitte", {"language": "en"}, "de"),
        ("sprache wechseln", {"language": "de"}, "en"),
        ("sprache wechseln", {"language": "en"}, "de"),
        ("switch language", {"language": None}, "en"),
    ],
)
async def test_action_sets_the_slot_and_leaves_the_confirmation_to_the_rule(
    make_tracker: TrackerFactory, text: str, slots: dict[str, Any], expected: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "switch_language", slots=slots)
    events = await ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert events == [SlotSet("language", expected)]
    assert dispatcher.messages == []
