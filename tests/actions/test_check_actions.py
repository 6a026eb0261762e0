"""The check's actions end to end: tracker in, responses and events out, the API mocked."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import create_http_client
from actions.check import (
    ActionAskCheckItem,
    ActionCheckDeleteResult,
    ActionCheckMoreMatches,
    ActionCheckPause,
    ActionCheckShowResult,
    ActionCheckStart,
    ActionCheckWrapUp,
    CheckAction,
    TurnItems,
    ValidateCheckForm,
)
from actions.check_api import CheckApi
from actions.check_logic import CHECK_SLOTS
from tests.actions.check_fake_api import SERVICE_TOKEN, FakeCheckApi
from tests.actions.support import TrackerFactory

# The real responses: the actions render pieces of text (the places nearby) from them.
DOMAIN: Any = {
    "responses": {
        name: variations
        for path in sorted(Path(__file__).resolve().parents[2].joinpath("bot", "domain").glob("*.yml"))
        for name, variations in (
            yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        ).items()
    }
}
SETUP: dict[str, Any] = {
    "check_variant": "quick",
    "check_certificate": "realschule",
    "check_municipality": "bramsche",
    "check_radius": "25",
    "check_looking_for": "apprenticeship",
    "check_status": "running",
}
CHART = "http://api.test/api/v1/charts/riasec.png"


@pytest.fixture
def fake_check() -> FakeCheckApi:
    return FakeCheckApi()


@pytest.fixture
async def check_api(fake_check: FakeCheckApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[CheckApi]:
    # the chart's public address (settings come from the environment of the action server)
    monkeypatch.setenv("BERUFSLOTSE_PUBLIC_API_URL", "http://api.test")
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake_check.handle))
    async with client:
        yield CheckApi(client, service_token=SERVICE_TOKEN)


def choice(value: str) -> dict[str, Any]:
    return {"entity": "check_choice", "value": value}


def sent(dispatcher: CollectingDispatcher) -> list[tuple[str, dict[str, Any]]]:
    """(response name, template variables) of every message, in order."""
    standard = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
    return [
        (message["response"], {key: value for key, value in message.items() if key not in standard})
        for message in dispatcher.messages
    ]


async def run(
    action: CheckAction, tracker: Tracker
) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return sent(dispatcher), events, dispatcher


def tracker(
    make_tracker: TrackerFactory,
    text: str,
    intent: str = "check_answer",
    entities: Sequence[Mapping[str, Any]] = (),
    **slots: Any,
) -> Tracker:
    return make_tracker(text, intent, entities, slots)


def answers(*values: int | None) -> list[list[Any]]:
    return [[item_id, value] for item_id, value in zip(("r01", "i01", "a01"), values, strict=False)]


# --- validate_check_form ----------------------------------------------------------------------


async def test_activation_asks_the_first_open_question(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    responses, events, _ = await run(
        ValidateCheckForm(check_api), tracker(make_tracker, "berufstest", "start_check")
    )
    assert responses == []
    assert events == [SlotSet("requested_slot", "check_variant")]


async def test_activation_of_a_paused_check_asks_the_next_item(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_status": "paused", "check_answers": answers(4)}
    _, events, _ = await run(
        ValidateCheckForm(check_api), tracker(make_tracker, "weiter mit dem test", "resume_check", **slots)
    )
    assert events == [SlotSet("requested_slot", "check_item")]


async def test_variant_by_button(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker,
        '/check_answer{"check_choice":"quick"}',
        entities=[choice("quick")],
        requested_slot="check_variant",
        check_status="running",
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == []
    assert events == [SlotSet("check_variant", "quick"), SlotSet("requested_slot", "check_certificate")]


async def test_certificate_typed(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker,
        "ich mache realschulabschluss",
        "check_answer",
        requested_slot="check_certificate",
        check_variant="quick",
        check_status="running",
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events == [
        SlotSet("check_certificate", "realschule"),
        SlotSet("requested_slot", "check_municipality"),
    ]


async def test_municipality_with_a_typo_is_understood_and_confirmed(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_municipality": None, "check_radius": None, "check_looking_for": None}
    t = tracker(
        make_tracker, "ich wohne in bramschee", "check_answer", requested_slot="check_municipality", **slots
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_municipality_understood", {"municipality": "Bramsche"})]
    assert events == [SlotSet("check_municipality", "bramsche"), SlotSet("requested_slot", "check_radius")]
    assert fake_check.paths[-1] == "/api/v1/municipalities"


async def test_municipality_from_the_place_entity(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    slots = {**SETUP, "check_municipality": None, "check_radius": None, "check_looking_for": None}
    place = {"entity": "place", "value": "melle", "start": 0, "end": 2}
    t = tracker(
        make_tracker, "da halt", "check_answer", [place], requested_slot="check_municipality", **slots
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_municipality_understood", {"municipality": "Melle"})]
    assert events == [SlotSet("check_municipality", "melle"), SlotSet("requested_slot", "check_radius")]


async def test_municipality_skipped_skips_the_distance(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_municipality": None, "check_radius": None, "check_looking_for": None}
    t = tracker(
        make_tracker,
        '/check_answer{"check_choice":"skip"}',
        entities=[choice("skip")],
        requested_slot="check_municipality",
        **slots,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == []
    assert events == [SlotSet("check_municipality", "none"), SlotSet("requested_slot", "check_looking_for")]


async def test_unknown_place_is_asked_again(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    slots = {**SETUP, "check_municipality": None, "check_radius": None, "check_looking_for": None}
    t = tracker(make_tracker, "hamburg", "check_answer", requested_slot="check_municipality", **slots)
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_municipality_unknown", {})]
    assert events == [
        SlotSet("check_municipality", None),
        SlotSet("requested_slot", "check_municipality"),
        SlotSet("check_misunderstood", "check_municipality:1"),
    ]


async def test_item_answer_by_button_is_recorded(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker,
        '/check_answer{"check_choice":"r01:4"}',
        entities=[choice("r01:4")],
        requested_slot="check_item",
        **SETUP,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == []
    assert events == [
        SlotSet("check_answers", [["r01", 4]]),
        SlotSet("check_item", None),
        SlotSet("requested_slot", "check_item"),
    ]


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [
        ("ja voll", "affirm", 5),
        ("eher nicht", "deny", 2),
        ("🤷", "nlu_fallback", 3),
        ("8/10", "smalltalk", 4),
    ],
)
async def test_typed_item_answers_whatever_the_intent(
    check_api: CheckApi, make_tracker: TrackerFactory, text: str, intent: str, value: int
) -> None:
    t = tracker(make_tracker, text, intent, requested_slot="check_item", check_answers=answers(1), **SETUP)
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events[0] == SlotSet("check_answers", [["r01", 1], ["i01", value]])


async def test_a_question_in_the_middle_is_left_to_the_rules(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    mention = {"entity": "profession", "value": "mechatroniker"}
    t = tracker(
        make_tracker,
        "was macht ein mechatroniker?",
        "ask_profession",
        [mention],
        requested_slot="check_item",
        check_answers=answers(4),
        **SETUP,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    # Nothing but requested_slot: Rasa rejects the form and runs the rule; afterwards the same
    # events make the form ask the open item again.
    assert responses == []
    assert events == [SlotSet("requested_slot", "check_item")]


async def test_not_understood_asks_the_item_again(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(make_tracker, "hä was", "nlu_fallback", requested_slot="check_item", **SETUP)
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_not_understood_item", {})]
    assert events == [
        SlotSet("check_item", None),
        SlotSet("requested_slot", "check_item"),
        SlotSet("check_misunderstood", "check_item#0:1"),
    ]


async def test_asking_for_the_check_inside_it_shows_the_question_again(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(make_tracker, "berufstest", "start_check", requested_slot="check_item", **SETUP)
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == []
    assert events == [SlotSet("check_item", None), SlotSet("requested_slot", "check_item")]


async def test_a_stale_button_is_not_taken_for_the_current_item(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker,
        '/check_answer{"check_choice":"r01:1"}',
        entities=[choice("r01:1")],
        requested_slot="check_item",
        check_answers=answers(4),
        **SETUP,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_stale_button", {})]
    assert events == [SlotSet("check_item", None), SlotSet("requested_slot", "check_item")]


async def test_back_changes_the_last_answer(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker,
        "zurück",
        "check_answer",
        requested_slot="check_item",
        check_answers=answers(4, 2),
        **SETUP,
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events == [
        SlotSet("check_answers", [["r01", 4]]),
        SlotSet("check_item", None),
        SlotSet("requested_slot", "check_item"),
    ]


async def test_pause_ends_the_form_and_keeps_the_answers(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker,
        "später weiter",
        "check_answer",
        requested_slot="check_item",
        check_answers=answers(4),
        **SETUP,
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events == [
        SlotSet("check_status", "paused"),
        SlotSet("check_item", None),
        SlotSet("requested_slot", None),
    ]


async def test_asking_to_delete_my_data_pauses_a_running_check(make_tracker: TrackerFactory) -> None:
    t = tracker(make_tracker, "lösch meine daten", "delete_my_data", check_answers=answers(4), **SETUP)
    responses, events, _ = await run(ActionCheckPause(), t)
    assert responses == [("utter_check_paused", {})]
    assert events == [SlotSet("check_status", "paused")]

    paused = tracker(
        make_tracker, "lösch meine daten", "delete_my_data", **{**SETUP, "check_status": "paused"}
    )
    responses, events, _ = await run(ActionCheckPause(), paused)
    assert (responses, events) == ([], [])


async def test_goodbye_in_the_middle_pauses(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker, "ich muss jetzt zum unterricht", "goodbye", requested_slot="check_item", **SETUP
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert SlotSet("check_status", "paused") in events and events[-1] == SlotSet("requested_slot", None)


async def test_stop_deletes_the_answers(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker,
        "aufhören",
        "check_answer",
        requested_slot="check_item",
        check_answers=answers(4),
        **SETUP,
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events == [
        SlotSet("check_variant", None),
        SlotSet("check_certificate", None),
        SlotSet("check_municipality", None),
        SlotSet("check_radius", None),
        SlotSet("check_looking_for", None),
        SlotSet("check_answers", None),
        SlotSet("check_status", "stopped"),
        SlotSet("check_item", None),
        SlotSet("requested_slot", None),
    ]


async def test_restart_starts_over_with_the_first_question(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker,
        "neu starten",
        "check_answer",
        requested_slot="check_item",
        check_answers=answers(4),
        **SETUP,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_restarted", {})]
    assert events[-1] == SlotSet("requested_slot", "check_variant")
    assert SlotSet("check_answers", None) in events and SlotSet("check_variant", None) in events


async def test_the_last_item_finishes_the_form(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(
        make_tracker,
        "gar nicht",
        "check_answer",
        requested_slot="check_item",
        check_answers=answers(4, None),
        **SETUP,
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events == [
        SlotSet("check_answers", [["r01", 4], ["i01", None], ["a01", 1]]),
        SlotSet("check_status", "finished"),
        SlotSet("check_item", None),
        SlotSet("requested_slot", None),
    ]


async def test_api_down_pauses_the_check(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.down = True
    t = tracker(make_tracker, "ja", "affirm", requested_slot="check_item", check_answers=answers(4), **SETUP)
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_service_unavailable", {})]
    assert events == [SlotSet("check_status", "paused"), SlotSet("requested_slot", None)]


# --- one request for the items per turn -------------------------------------------------------


def with_message_id(t: Tracker, message_id: str) -> Tracker:
    """The tracker as Rasa sends it: the pupil's message carries the channel's message id."""
    t.latest_message = {**t.latest_message, "message_id": message_id}
    return t


def after(t: Tracker, events: list[dict[str, Any]]) -> Tracker:
    """The same turn's tracker after `events` (what Rasa sends to the next action of the turn)."""
    slots = {**t.slots, **{event["name"]: event["value"] for event in events if event["event"] == "slot"}}
    return Tracker(
        t.sender_id, slots, t.latest_message, [*t.events, *events], False, None, {}, "validate_check_form"
    )


async def test_an_answer_fetches_the_items_once(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    """The form validates the answer, then asks the next item: two actions, one request for the
    items. Each new message fetches them again (an API that went down is noticed at the answer)."""
    turn_items = TurnItems()
    validate, ask = ValidateCheckForm(check_api, turn_items), ActionAskCheckItem(check_api, turn_items)
    first = with_message_id(
        tracker(
            make_tracker,
            '/check_answer{"check_choice":"r01:4"}',
            entities=[choice("r01:4")],
            requested_slot="check_item",
            **SETUP,
        ),
        "message-1",
    )
    _, events, _ = await run(validate, first)
    responses, _, _ = await run(ask, after(first, events))
    assert responses == [("utter_check_item", {"position": 2, "total": 3, "item": "Milchproben untersuchen"})]
    assert len(fake_check.calls("/api/v1/check/items")) == 1
    assert len(turn_items) == 0  # the ask took the entry out

    second = with_message_id(
        tracker(
            make_tracker,
            '/check_answer{"check_choice":"i01:2"}',
            entities=[choice("i01:2")],
            requested_slot="check_item",
            check_answers=answers(4),
            **SETUP,
        ),
        "message-2",
    )
    fake_check.down = True  # the API went down between two messages: the answer notices it
    responses, events, _ = await run(validate, second)
    assert responses == [("utter_check_service_unavailable", {})]
    assert SlotSet("check_status", "paused") in events
    assert len(fake_check.calls("/api/v1/check/items")) == 2


async def test_a_detour_turn_fetches_the_items_once(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    """A question inside the check: the form runs validate twice (before and after the rule's
    answer) and then asks; still one request for the items."""
    turn_items = TurnItems()
    validate, ask = ValidateCheckForm(check_api, turn_items), ActionAskCheckItem(check_api, turn_items)
    t = with_message_id(
        tracker(
            make_tracker,
            "was macht ein tischler",
            "ask_profession",
            requested_slot="check_item",
            check_answers=answers(4),
            **SETUP,
        ),
        "message-3",
    )
    for _ in range(2):
        _, events, _ = await run(validate, t)
        assert events == [SlotSet("requested_slot", "check_item")]
    responses, _, _ = await run(ask, after(t, events))
    assert [name for name, _ in responses] == ["utter_check_item"]
    assert len(fake_check.calls("/api/v1/check/items")) == 1


async def test_without_a_message_id_each_action_fetches_the_items(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    turn_items = TurnItems()
    t = tracker(make_tracker, "ja", "affirm", requested_slot="check_item", check_answers=answers(4), **SETUP)
    _, events, _ = await run(ValidateCheckForm(check_api, turn_items), t)
    await run(ActionAskCheckItem(check_api, turn_items), after(t, events))
    assert len(fake_check.calls("/api/v1/check/items")) == 2
    assert len(turn_items) == 0


def test_turn_items_are_dropped_when_old_or_too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    from actions import check as check_module
    from actions.check_api import parse_check_items
    from tests.actions.check_fake_api import ITEMS, SCALE

    items = parse_check_items({"variant": "quick", "items": ITEMS, "scale": SCALE})
    now = [1000.0]
    monkeypatch.setattr(check_module.time, "monotonic", lambda: now[0])
    turn_items = TurnItems(max_entries=2, ttl_s=30.0)
    for message in ("a", "b", "c"):
        turn_items.put(("pupil", message, "quick"), items)
    assert len(turn_items) == 2
    assert turn_items.get(("pupil", "a", "quick")) is None
    assert turn_items.get(("pupil", "c", "quick")) is items
    now[0] += 31
    assert turn_items.get(("pupil", "c", "quick")) is None
    turn_items.put(("pupil", "d", "quick"), items)
    assert len(turn_items) == 1  # the expired ones went


# --- action_ask_check_item --------------------------------------------------------------------


async def test_the_item_is_asked_with_progress_and_buttons(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(make_tracker, "ja", "affirm", check_answers=answers(4), language="en", **SETUP)
    responses, events, dispatcher = await run(ActionAskCheckItem(check_api), t)
    assert responses == [("utter_check_item", {"position": 2, "total": 3, "item": "Test milk samples"})]
    assert events == []
    buttons = dispatcher.messages[0]["buttons"]
    assert [button["payload"] for button in buttons] == [
        *(f'/check_answer{{"check_choice":"i01:{value}"}}' for value in range(1, 6)),
        '/check_answer{"check_choice":"i01:skip"}',
        '/check_answer{"check_choice":"i01:back"}',
        '/check_answer{"check_choice":"i01:pause"}',
    ]
    assert buttons[0]["title"] == "😖 not at all"
    # the card the widget and the Telegram bridge show the check as (docs/widget_messages.md)
    assert dispatcher.messages[0]["custom"] == {
        "berufslotse": "card",
        "card": "check_item",
        "position": 2,
        "total": 3,
    }


# --- action_check_start -----------------------------------------------------------------------


async def test_a_new_check_starts_empty(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    t = tracker(make_tracker, "berufstest", "start_check", check_status="saved", check_match_offset=5)
    responses, events, _ = await run(ActionCheckStart(check_api), t)
    assert responses == [("utter_check_intro", {})]
    assert events == [SlotSet(name, "running" if name == "check_status" else None) for name in CHECK_SLOTS]


async def test_a_paused_check_continues(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    slots = {**SETUP, "check_status": "paused", "check_answers": answers(4)}
    t = tracker(make_tracker, "weiter mit dem test", "resume_check", **slots)
    responses, events, _ = await run(ActionCheckStart(check_api), t)
    assert responses == [("utter_check_welcome_back", {})]
    assert events == [SlotSet("check_status", "running")]


async def test_resume_without_a_paused_check_starts_a_new_one(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    responses, _, _ = await run(ActionCheckStart(check_api), tracker(make_tracker, "weiter", "resume_check"))
    assert responses == [("utter_check_nothing_to_resume", {}), ("utter_check_intro", {})]


# --- action_check_wrap_up ---------------------------------------------------------------------


async def test_pause_and_stop_are_confirmed(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    for status, response in (("paused", "utter_check_paused"), ("stopped", "utter_check_stopped")):
        responses, events, _ = await run(
            ActionCheckWrapUp(check_api), tracker(make_tracker, "x", "check_answer", check_status=status)
        )
        assert (responses, events) == ([(response, {})], [])


async def test_the_finished_check_is_scored_saved_and_shown(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_status": "finished", "check_answers": answers(5, None, 1)}
    responses, events, dispatcher = await run(
        ActionCheckWrapUp(check_api), tracker(make_tracker, "gar nicht", "check_answer", **slots)
    )
    score_request = fake_check.calls("/api/v1/check/score")[0]
    assert json.loads(score_request.content) == {"answers": {"r01": 5, "i01": None, "a01": 1}}
    save_request = fake_check.calls("/api/v1/check/results")[0]
    # pseudonymous, no free text: the conversation id, the scores, the answers (item -> 1..5, so
    # that the result can be matched again) and codes
    assert json.loads(save_request.content) == {
        "pupil_ref": "test-user",
        "variant": "quick",
        "scores": {"R": 100.0, "I": 75.0, "A": 0.0, "S": None, "E": None, "C": None},
        "certificate": "realschule",
        "municipality": "bramsche",
        "answers": {"r01": 5, "i01": None, "a01": 1},
        "radius_km": 25,
        "looking_for": "apprenticeship",
    }
    # The matches are asked with the answers, the certificate, the place, radius and kind.
    match_request = json.loads(fake_check.calls("/api/v1/check/matches")[0].content)
    assert match_request["answers"] == {"r01": 5, "i01": None, "a01": 1}
    assert (match_request["municipality"], match_request["radius_km"], match_request["looking_for"]) == (
        "bramsche",
        25,
        "apprenticeship",
    )
    assert save_request.headers["authorization"] == f"Bearer {SERVICE_TOKEN}"
    assert [name for name, _ in responses] == [
        "utter_check_result_intro",
        "utter_check_top_types",
        "utter_check_chart",
        "utter_check_matches_intro",
        "utter_check_match",
        "utter_check_match",
        "utter_check_match",
        "utter_check_match",
        "utter_check_match_plain",
        "utter_check_more_matches",
        "utter_share_offer",
    ]
    chart = dict(responses[2][1])
    assert chart == {
        "scores": "Praktisch: 100; Forschend: 75; Kreativ: 0",
        "chart_url": f"{CHART}?R=100&I=75&A=0&lang=de",
    }
    # the widget draws the bars (a type without a score has none)
    assert dispatcher.messages[2]["custom"] == {
        "berufslotse": "chart",
        "bars": [
            {"label": "Praktisch", "value": 100},
            {"label": "Forschend", "value": 75},
            {"label": "Kreativ", "value": 0},
        ],
        "alt": "Praktisch: 100; Forschend: 75; Kreativ: 0",
        "replaces": True,
    }
    assert responses[4][1] == {
        "rank": 1,
        "name": "Mechatroniker/-in",
        "slug": "mechatroniker",
        "reason": "Passt zu dir, denn du arbeitest gern mit Werkzeug.",
        "nearby": "\n📍 Ausbildungsplätze in deiner Nähe (bis 25 km): 3",
    }
    assert responses[5][1]["nearby"] == ""  # no places near the pupil: nothing said
    assert match_request["certificate"] == "realschule"
    assert events == [
        SlotSet("check_answers", None),
        SlotSet("check_status", "saved"),
        SlotSet("check_match_offset", 5),
    ]
    assert len(dispatcher.messages) == 11  # ... and the offer to keep or share it


async def test_the_result_does_not_depend_on_who_answers(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    """Deterministic: two pupils with the same answers get the same messages and the same record
    (apart from the pseudonymous id); nothing else of the conversation reaches the API."""
    outputs = []
    for sender, extra in (("pupil-a", {"profession": "koch"}), ("pupil-b", {"profession": "friseur"})):
        slots = {**SETUP, **extra, "check_status": "finished", "check_answers": answers(3, 4, 5)}
        t = tracker(make_tracker, "ich bin ein mädchen", "check_answer", **slots)
        t.sender_id = sender
        dispatcher = CollectingDispatcher()
        events = await ActionCheckWrapUp(check_api).run(dispatcher, t, DOMAIN)
        outputs.append((dispatcher.messages, events))
    assert outputs[0] == outputs[1]
    first, second = (json.loads(call.content) for call in fake_check.calls("/api/v1/check/results"))
    assert {**first, "pupil_ref": None} == {**second, "pupil_ref": None}
    assert all("ich bin" not in call.content.decode() for call in fake_check.requests if call.content)


async def test_a_result_that_cannot_be_saved_is_shown_and_kept(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.failing_paths.add("/api/v1/check/results")
    slots = {**SETUP, "check_status": "finished", "check_answers": answers(5, 5, 5)}
    responses, events, _ = await run(ActionCheckWrapUp(check_api), tracker(make_tracker, "5", **slots))
    assert responses[0] == ("utter_check_result_intro", {})
    assert events == [SlotSet("check_match_offset", 5)]  # answers and status stay for a later retry


async def test_scoring_down_keeps_the_answers(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.failing_paths.add("/api/v1/check/score")
    slots = {**SETUP, "check_status": "finished", "check_answers": answers(5, 5, 5)}
    responses, events, _ = await run(ActionCheckWrapUp(check_api), tracker(make_tracker, "5", **slots))
    assert (responses, events) == ([("utter_check_result_unavailable", {})], [])


async def test_every_item_skipped_gives_no_result(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_status": "finished", "check_answers": answers(None, None, None)}
    responses, events, _ = await run(ActionCheckWrapUp(check_api), tracker(make_tracker, "skip", **slots))
    assert responses == [("utter_check_no_answers", {})]
    assert SlotSet("check_status", None) in events
    assert fake_check.requests == []


# --- the result later -------------------------------------------------------------------------


async def test_my_result_again_from_the_saved_record(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.saved["test-user"] = {
        "pupil_ref": "test-user",
        "variant": "quick",
        "scores": {"R": 100.0, "I": 75.0, "A": 0.0, "S": None, "E": None, "C": None},
        "certificate": "abitur",
        "municipality": None,
    }
    t = tracker(make_tracker, "mein ergebnis", "show_check_result", language="en", check_status="saved")
    responses, events, _ = await run(ActionCheckShowResult(check_api), t)
    assert responses[0] == ("utter_check_result_again", {})
    assert responses[2][1]["chart_url"] == f"{CHART}?R=100&I=75&A=0&lang=en"
    assert responses[4][1]["name"] == "Mechatronics technician"
    assert json.loads(fake_check.calls("/api/v1/check/matches")[0].content)["certificate"] == "abitur"
    assert events == [SlotSet("check_match_offset", 5)]


async def test_my_result_without_one(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    responses, events, _ = await run(
        ActionCheckShowResult(check_api), tracker(make_tracker, "mein ergebnis", "show_check_result")
    )
    assert (responses, events) == ([("utter_check_no_result", {})], [])


async def test_my_result_saves_a_pending_one(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_status": "finished", "check_answers": answers(2, 2, 2)}
    responses, events, _ = await run(
        ActionCheckShowResult(check_api), tracker(make_tracker, "mein ergebnis", "show_check_result", **slots)
    )
    assert "test-user" in fake_check.saved
    assert responses[0] == ("utter_check_result_intro", {})
    assert SlotSet("check_status", "saved") in events


async def test_more_shows_the_next_matches_until_none_are_left(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.saved["test-user"] = {
        "pupil_ref": "test-user",
        "variant": "quick",
        "scores": {"R": 80.0},
        "certificate": "none",
        "municipality": None,
    }
    t = tracker(make_tracker, "mehr", "more_offers", check_status="saved", check_match_offset=5)
    responses, events, _ = await run(ActionCheckMoreMatches(check_api), t)
    # Reachable first (the fake, like the API), then those that need a higher certificate.
    assert [(name, variables["rank"]) for name, variables in responses] == [
        ("utter_check_match_higher_certificate", 6),
        ("utter_check_match_plain_higher_certificate", 7),
    ]
    assert events == [SlotSet("check_match_offset", 7)]
    assert json.loads(fake_check.calls("/api/v1/check/matches")[0].content)["offset"] == 5
    t = tracker(make_tracker, "mehr", "more_offers", check_status="saved", check_match_offset=7)
    responses, events, _ = await run(ActionCheckMoreMatches(check_api), t)
    assert (responses, events) == ([("utter_check_no_more_matches", {})], [])


async def test_more_without_a_result(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    responses, _, _ = await run(
        ActionCheckMoreMatches(check_api), tracker(make_tracker, "mehr", "more_matches")
    )
    assert responses == [("utter_check_no_result", {})]


async def test_delete_the_result(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.saved["test-user"] = {"pupil_ref": "test-user"}
    slots = {**SETUP, "check_status": "saved", "check_match_offset": 5}
    responses, events, _ = await run(
        ActionCheckDeleteResult(check_api), tracker(make_tracker, "/affirm", "affirm", **slots)
    )
    assert responses == [("utter_check_deleted", {})]
    assert fake_check.saved == {}
    assert fake_check.calls("/api/v1/check/results")[0].method == "DELETE"
    assert {event["name"] for event in events} == set(CHECK_SLOTS) - {"check_answers"}
    assert all(event["value"] is None for event in events)
    responses, _, _ = await run(
        ActionCheckDeleteResult(check_api), tracker(make_tracker, "/affirm", "affirm")
    )
    assert responses == [("utter_check_nothing_deleted", {})]


async def test_delete_keeps_a_check_in_progress(check_api: CheckApi, make_tracker: TrackerFactory) -> None:
    slots = {**SETUP, "check_status": "paused", "check_answers": answers(4)}
    responses, events, _ = await run(
        ActionCheckDeleteResult(check_api), tracker(make_tracker, "/affirm", "affirm", **slots)
    )
    assert responses == [("utter_check_nothing_deleted", {})]
    assert events == []


async def test_my_result_gives_the_offer_search_back_the_checks_place_radius_and_kind(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    fake_check.saved["test-user"] = {
        "pupil_ref": "test-user",
        "variant": "quick",
        "scores": {"R": 100.0, "I": 75.0, "A": 0.0, "S": None, "E": None, "C": None},
        "certificate": "realschule",
        "municipality": "melle",
        "answers": {"r01": 5, "i01": 4, "a01": 1},
        "radius_km": 10,
        "looking_for": "internship",
    }
    # A new session: the check's slots are empty, the record still knows.
    t = tracker(make_tracker, "mein ergebnis", "show_check_result", check_status="saved")
    responses, events, _ = await run(ActionCheckShowResult(check_api), t)
    assert SlotSet("check_municipality", "melle") in events
    assert SlotSet("check_radius", "10") in events
    assert SlotSet("check_looking_for", "internship") in events
    # The matches were asked with the saved answers, place, radius and kind.
    body = json.loads(fake_check.calls("/api/v1/check/matches")[0].content)
    assert (body["answers"], body["municipality"], body["radius_km"], body["looking_for"]) == (
        {"r01": 5, "i01": 4, "a01": 1},
        "melle",
        10,
        "internship",
    )
    assert ("utter_check_matches_intro", {}) in responses


async def test_a_pupil_who_liked_nothing_is_not_told_the_jobs_suit_them_well(
    check_api: CheckApi, fake_check: FakeCheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_status": "finished", "check_answers": answers(3, 2, 1)}
    responses, _, _ = await run(
        ActionCheckWrapUp(check_api), tracker(make_tracker, "gar nicht", "check_answer", **slots)
    )
    names = [name for name, _ in responses]
    assert "utter_check_matches_intro_undecided" in names and "utter_check_matches_intro" not in names


# --- twice not understood: a default, not the same question a third time ---------------------


async def test_the_first_misunderstanding_is_counted(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker, "hä was", "nlu_fallback", requested_slot="check_item", check_answers=answers(4), **SETUP
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_not_understood_item", {})]
    assert events == [
        SlotSet("check_item", None),
        SlotSet("requested_slot", "check_item"),
        SlotSet("check_misunderstood", "check_item#1:1"),
    ]


async def test_the_second_misunderstanding_of_an_item_skips_it(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker,
        "blablub",
        "nlu_fallback",
        requested_slot="check_item",
        check_answers=answers(4),
        check_misunderstood="check_item#1:1",
        **SETUP,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_default_skip", {})]
    assert events == [
        SlotSet("check_answers", [["r01", 4], ["i01", None]]),
        SlotSet("check_item", None),
        SlotSet("requested_slot", "check_item"),
        SlotSet("check_misunderstood", None),
    ]


async def test_a_misunderstanding_of_another_question_counts_from_one(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker,
        "hä",
        "nlu_fallback",
        requested_slot="check_item",
        check_answers=answers(4, 2),
        check_misunderstood="check_item#1:1",
        **SETUP,
    )
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_not_understood_item", {})]
    assert events[-1] == SlotSet("check_misunderstood", "check_item#2:1")


@pytest.mark.parametrize(
    ("question", "said", "slot_value"),
    [
        ("check_variant", "utter_check_default_quick", "quick"),
        ("check_radius", "utter_check_default_radius", 25),
        ("check_looking_for", "utter_check_default_looking_for", "apprenticeship"),
    ],
)
async def test_the_second_misunderstanding_of_a_setup_question_takes_a_default(
    check_api: CheckApi, make_tracker: TrackerFactory, question: str, said: str, slot_value: Any
) -> None:
    slots = {**SETUP, question: None, "check_misunderstood": f"{question}:1"}
    t = tracker(make_tracker, "blablub", "nlu_fallback", requested_slot=question, **slots)
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses[0] == (said, {})
    assert SlotSet(question, slot_value) in events or SlotSet(question, str(slot_value)) in events
    assert events[-1] == SlotSet("check_misunderstood", None)
    assert SlotSet("requested_slot", question) not in events


async def test_the_second_misunderstanding_of_the_certificate_pauses(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    slots = {**SETUP, "check_certificate": None, "check_misunderstood": "check_certificate:1"}
    t = tracker(make_tracker, "blablub", "nlu_fallback", requested_slot="check_certificate", **slots)
    responses, events, _ = await run(ValidateCheckForm(check_api), t)
    assert responses == [("utter_check_default_pause", {})]
    assert SlotSet("check_status", "paused") in events
    assert SlotSet("requested_slot", None) in events
    assert events[-1] == SlotSet("check_misunderstood", None)


async def test_an_answer_forgets_the_misunderstanding(
    check_api: CheckApi, make_tracker: TrackerFactory
) -> None:
    t = tracker(
        make_tracker,
        "ja",
        "affirm",
        requested_slot="check_item",
        check_answers=answers(4),
        check_misunderstood="check_item#1:1",
        **SETUP,
    )
    _, events, _ = await run(ValidateCheckForm(check_api), t)
    assert events[0] == SlotSet("check_answers", [["r01", 4], ["i01", 4]])
    assert events[-1] == SlotSet("check_misunderstood", None)
