"""action_switch_language: the language named in the message, else the other one."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionSessionStart, ActionSwitchLanguage
from actions.language_logic import easy_language_from_metadata, language_from_metadata, requested_language
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


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"channel": "web", "language": "en"}, "en"),
        ({"channel": "web", "language": "de"}, "de"),
        ({"channel": "telegram", "language_code": "en-GB"}, "en"),
        ({"channel": "telegram", "language_code": "de"}, "de"),
        ({"channel": "telegram", "language_code": "tr"}, None),
        ({"language": "EN_us"}, "en"),
        ({"language": 7}, None),
        ({}, None),
        (None, None),
        ("en", None),
    ],
)
def test_language_from_metadata(metadata: object, expected: str | None) -> None:
    assert language_from_metadata(metadata) == expected


def session_tracker(metadata: object, events: list[dict[str, Any]]) -> Tracker:
    slots = {"session_started_metadata": metadata, "language": "de"}
    return Tracker("pupil", slots, {}, events, False, None, None, "action_listen")


async def test_a_new_conversation_starts_in_the_channels_language() -> None:
    metadata = {"channel": "web", "language": "en"}
    events = [{"event": "slot", "name": "session_started_metadata", "value": metadata}]
    result = await ActionSessionStart().run(CollectingDispatcher(), session_tracker(metadata, events), {})
    assert result[0] == SessionStarted()
    assert result[-1] == ActionExecuted("action_listen")
    assert SlotSet("language", "en") in result
    assert SlotSet("session_started_metadata", metadata) in result  # carried over like Rasa does


async def test_a_later_session_keeps_the_language_the_pupil_chose() -> None:
    metadata = {"channel": "web", "language": "en"}
    events = [
        {"event": "session_started"},
        {"event": "slot", "name": "language", "value": "de"},
        {"event": "slot", "name": "profession", "value": "tischler"},
    ]
    result = await ActionSessionStart().run(CollectingDispatcher(), session_tracker(metadata, events), {})
    assert SlotSet("language", "en") not in result
    assert SlotSet("language", "de") in result
    assert SlotSet("profession", "tischler") in result


# --- easy German ("einfache Sprache"): a setting on top of German ---------------------------------


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
async def test_the_widgets_switch_turns_easy_german_on_and_off(
    make_tracker: TrackerFactory, value: str, expected: bool
) -> None:
    entities = [{"entity": "easy_language", "value": value}]
    tracker = make_tracker(
        f'/switch_language{{"easy_language":"{value}"}}', "switch_language", entities, {"language": "en"}
    )
    events = await ActionSwitchLanguage().run(CollectingDispatcher(), tracker, {})
    assert events == [SlotSet("language", "de"), SlotSet("easy_language", expected)]


def test_easy_language_from_metadata() -> None:
    assert easy_language_from_metadata({"channel": "web", "language": "de", "easy_language": "1"})
    assert not easy_language_from_metadata({"channel": "web", "language": "de", "easy_language": "0"})
    assert not easy_language_from_metadata({"channel": "web", "language": "de"})
    assert not easy_language_from_metadata(None)


async def test_a_new_conversation_starts_in_easy_german_when_the_widget_asks() -> None:
    metadata = {"channel": "web", "language": "de", "easy_language": "1"}
    events = [{"event": "slot", "name": "session_started_metadata", "value": metadata}]
    result = await ActionSessionStart().run(CollectingDispatcher(), session_tracker(metadata, events), {})
    assert SlotSet("easy_language", True) in result
    plain = {"channel": "web", "language": "de"}
    events = [{"event": "slot", "name": "session_started_metadata", "value": plain}]
    result = await ActionSessionStart().run(CollectingDispatcher(), session_tracker(plain, events), {})
    assert SlotSet("easy_language", True) not in result
