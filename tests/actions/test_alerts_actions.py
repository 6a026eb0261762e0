"""Saved searches in the chat: tracker in, responses and API calls out; the API behind
httpx.MockTransport (the exchange fake for places, a small store of saved searches here)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.alerts import (
    ActionListSavedSearches,
    ActionSaveSearch,
    ActionStopSavedSearch,
    announce_pending_alerts,
)
from actions.alerts_api import AlertsApi
from actions.alerts_logic import search_to_save
from actions.api_client import create_http_client
from actions.language import ActionSessionStart
from actions.offer_logic import MessageFacts, SearchState
from tests.actions.exchange_fakes import (
    SERVICE_TOKEN,
    FakeExchange,
    build_tracker,
    entity,
    load_domain,
    problem,
    responses,
    sent,
)
from tests.actions.test_offer_actions import assert_renderable

DOMAIN = load_domain()
LAST_SEARCH = SearchState(profession="koch", kind="apprenticeship", place="Bramsche", radius_km=10).to_slot()


def search_json(search_id: int, body: dict[str, Any]) -> dict[str, Any]:
    place = body.get("place")
    return {
        "id": search_id,
        "profession": {"slug": body["profession"], "name": "Koch/Köchin", "name_en": "Cook"}
        if body.get("profession")
        else None,
        "topic": {"key": body["topic"], "name_de": "Tiere", "name_en": "animals"}
        if body.get("topic")
        else None,
        "place": {"slug": str(place).lower(), "name": place} if place else None,
        "radius_km": body.get("radius_km", 25.0 if place else None),
        "kind": body.get("kind"),
        "language": body.get("language", "de"),
        "created_at": "2026-12-06T10:00:00Z",
        "ends_at": "2027-03-06T10:00:00Z",
        "last_alerted_at": None,
    }


@dataclass
class FakeSavedSearches:
    """The saved-search endpoints as the API answers them (service token required)."""

    exchange: FakeExchange
    saved: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    limit: int = 3
    down: bool = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not path.startswith(("/api/v1/saved-searches", "/api/v1/alerts")):
            return self.exchange.handle(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.headers.get("authorization") != f"Bearer {SERVICE_TOKEN}":
            return problem(401, "unauthorized")
        pupil = request.url.params.get("pupil_ref")
        if path == "/api/v1/alerts/claim":
            claimed, self.alerts = self.alerts, []
            return httpx.Response(200, json=claimed)
        if request.method == "POST":
            body = json.loads(request.content)
            if body.get("place") == "Atlantis":
                return problem(422, "unknown-place")
            mine = [item for owner, item in self.saved.values() if owner == body["pupil_ref"]]
            if any(item == body for item in mine):
                return problem(409, "saved-search-exists", search_id=1)
            if len(mine) >= self.limit:
                return problem(409, "saved-search-limit", limit=self.limit)
            search_id = len(self.saved) + 1
            self.saved[search_id] = (body["pupil_ref"], body)
            return httpx.Response(201, json=search_json(search_id, body))
        if request.method == "GET":
            return httpx.Response(
                200,
                json=[search_json(key, body) for key, (owner, body) in self.saved.items() if owner == pupil],
            )
        search_id = int(path.rsplit("/", 1)[1])
        if self.saved.get(search_id, ("", {}))[0] != pupil:
            return problem(404, "saved-search-not-found", search_id=search_id)
        del self.saved[search_id]
        return httpx.Response(204)

    def bodies(self) -> list[dict[str, Any]]:
        return [body for _, body in self.saved.values()]


@pytest.fixture
def store() -> FakeSavedSearches:
    return FakeSavedSearches(FakeExchange())


@pytest.fixture
async def api(store: FakeSavedSearches) -> AsyncIterator[AlertsApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(store.handle))
    async with client:
        yield AlertsApi(client, service_token=SERVICE_TOKEN)


async def run(action: Action, tracker: Tracker) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    assert events == []
    assert_renderable(dispatcher)
    return dispatcher


# --- saving -----------------------------------------------------------------------------------------


async def test_after_an_offer_search_the_last_search_is_saved(
    api: AlertsApi, store: FakeSavedSearches
) -> None:
    tracker = build_tracker(
        "sag mir bescheid wenn es was neues gibt", "save_search", slots={"offer_search": LAST_SEARCH}
    )
    dispatcher = await run(ActionSaveSearch(api), tracker)
    assert store.bodies() == [
        {
            "pupil_ref": "pupil-1",
            "language": "de",
            "profession": "koch",
            "place": "Bramsche",
            "kind": "apprenticeship",
            "radius_km": 10.0,
        }
    ]
    assert responses(dispatcher) == ["utter_alert_saved", "utter_alert_saved_web", None]
    assert sent(dispatcher)[0][1]["search"] == "Koch/Köchin bis 10 km um Bramsche, nur Ausbildung"
    # the widget's signal: it offers to remember the pupil on this device (bot/web_signals.py)
    assert dispatcher.messages[-1]["custom"] == {"berufslotse": "search_saved"}


async def test_a_message_naming_an_occupation_and_place_is_a_search_of_its_own(
    api: AlertsApi, store: FakeSavedSearches
) -> None:
    tracker = build_tracker(
        "let me know about new cook apprenticeships in Melle",
        "save_search",
        [entity("profession", "koch")],
        slots={
            "offer_search": SearchState(profession="tischler", place="Bramsche").to_slot(),
            "language": "en",
        },
        sender_id="tg-abc",
    )
    tracker.latest_message["metadata"] = {"channel": "telegram", "delivery_token": "K6Jc5seYiew"}
    dispatcher = await run(ActionSaveSearch(api), tracker)
    [body] = store.bodies()
    assert body["profession"] == "koch" and body["place"] == "Melle" and body["language"] == "en"
    assert body["delivery_token"] == "K6Jc5seYiew"
    assert responses(dispatcher) == ["utter_alert_saved", "utter_alert_saved_telegram"]
    assert all(not message.get("custom") for message in dispatcher.messages)  # no widget signal


async def test_a_web_pupil_never_sends_a_delivery_token(api: AlertsApi, store: FakeSavedSearches) -> None:
    tracker = build_tracker(
        "sag mir bescheid", "save_search", slots={"offer_search": LAST_SEARCH}, sender_id="web-1"
    )
    tracker.latest_message["metadata"] = {"delivery_token": "forged"}
    await run(ActionSaveSearch(api), tracker)
    assert "delivery_token" not in store.bodies()[0]


async def test_without_anything_to_watch_the_pupil_is_asked_what(
    api: AlertsApi, store: FakeSavedSearches
) -> None:
    dispatcher = await run(ActionSaveSearch(api), build_tracker("sag mir bescheid", "save_search"))
    assert responses(dispatcher) == ["utter_alert_ask_what"]
    assert store.saved == {}


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("twice", "utter_alert_exists"),
        ("limit", "utter_alert_limit"),
        ("place", "utter_alert_unknown_place"),
        ("down", "utter_alert_service_unavailable"),
    ],
)
async def test_problems_are_answered_kindly(
    api: AlertsApi, store: FakeSavedSearches, setup: str, expected: str
) -> None:
    state = SearchState(profession="koch", place="Atlantis" if setup == "place" else "Bramsche").to_slot()
    tracker = build_tracker("sag mir bescheid", "save_search", slots={"offer_search": state})
    if setup == "twice":
        await run(ActionSaveSearch(api), tracker)
    if setup == "limit":
        store.limit = 0
    store.down = setup == "down"
    dispatcher = await run(ActionSaveSearch(api), tracker)
    assert responses(dispatcher) == [expected]


def test_the_search_to_save_prefers_the_message_then_the_last_search_then_the_context() -> None:
    last = SearchState(profession="koch", place="Bramsche", radius_km=10, kind="internship")
    own = search_to_save(MessageFacts(profession="tischler", place="Melle"), None, last, "baecker", None)
    assert own is not None and (own.profession, own.place, own.kind) == ("tischler", "Melle", None)
    changed = search_to_save(MessageFacts(any_kind=True), None, last, None, None)
    assert changed is not None and (changed.profession, changed.place, changed.radius_km, changed.kind) == (
        "koch",
        "Bramsche",
        10.0,
        None,
    )
    context = search_to_save(MessageFacts(), None, None, "baecker", None)
    assert context is not None and context.profession == "baecker"
    topic = search_to_save(MessageFacts(), "animals", last, None, None)
    assert topic is not None and (topic.topic, topic.profession) == ("animals", None)
    assert search_to_save(MessageFacts(), None, None, None, None) is None


# --- listing and stopping ----------------------------------------------------------------------------


async def test_my_saved_searches_each_with_a_stop_button(api: AlertsApi, store: FakeSavedSearches) -> None:
    store.saved[1] = ("pupil-1", {"profession": "koch", "place": "Melle"})
    store.saved[2] = ("someone-else", {"profession": "koch"})
    dispatcher = await run(
        ActionListSavedSearches(api), build_tracker("meine suchaufträge", "list_saved_searches")
    )
    assert responses(dispatcher) == ["utter_alert_list_intro", "utter_alert_item"]
    assert sent(dispatcher)[1][1] == {
        "search": "Koch/Köchin bis 25 km um Melle",
        "until": "6. März 2027",
        "search_id": 1,
    }
    empty = await run(
        ActionListSavedSearches(api),
        build_tracker("meine suchaufträge", "list_saved_searches", sender_id="x"),
    )
    assert responses(empty) == ["utter_alert_none"]


async def test_one_tap_stops_that_search_and_only_ones_own(api: AlertsApi, store: FakeSavedSearches) -> None:
    store.saved[1] = ("pupil-1", {"profession": "koch"})
    store.saved[2] = ("someone-else", {"profession": "koch"})
    tap = build_tracker(
        '/stop_saved_search{"saved_search_id":"1"}', "stop_saved_search", [entity("saved_search_id", "1")]
    )
    assert responses(await run(ActionStopSavedSearch(api), tap)) == ["utter_alert_stopped"]
    assert list(store.saved) == [2]
    foreign = build_tracker("", "stop_saved_search", [entity("saved_search_id", "2")])
    assert responses(await run(ActionStopSavedSearch(api), foreign)) == ["utter_alert_not_found"]
    assert list(store.saved) == [2]


async def test_stop_without_an_id_stops_the_only_one_or_asks_which(
    api: AlertsApi, store: FakeSavedSearches
) -> None:
    store.saved[1] = ("pupil-1", {"profession": "koch"})
    store.saved[2] = ("pupil-1", {"profession": "koch", "place": "Melle"})
    dispatcher = await run(
        ActionStopSavedSearch(api), build_tracker("suchauftrag beenden", "stop_saved_search")
    )
    assert responses(dispatcher) == [
        "utter_alert_stop_which",
        "utter_alert_list_intro",
        "utter_alert_item",
        "utter_alert_item",
    ]
    del store.saved[2]
    dispatcher = await run(
        ActionStopSavedSearch(api), build_tracker("suchauftrag beenden", "stop_saved_search")
    )
    assert responses(dispatcher) == ["utter_alert_stopped"]
    assert store.saved == {}


# --- pending alerts when a pupil comes back ------------------------------------------------------------


def an_alert(total: int) -> dict[str, Any]:
    return {
        "saved_search": search_json(1, {"profession": "koch", "place": "Bramsche"}),
        "offers": [
            {
                "id": 17,
                "kind": "apprenticeship",
                "title": "Ausbildung Koch/Köchin",
                "profession": {"slug": "koch", "name": "Koch/Köchin", "name_en": "Cook"},
                "company_name": "Gasthaus am Markt",
                "place": {"slug": "bramsche", "name": "Bramsche"},
                "start_date": "2027-08-01",
                "is_demo": False,
            }
        ],
        "total": total,
    }


async def test_pending_alerts_name_the_job_in_english_for_english_pupils(
    api: AlertsApi, store: FakeSavedSearches
) -> None:
    store.alerts = [an_alert(total=1)]
    dispatcher = CollectingDispatcher()
    await announce_pending_alerts(
        dispatcher, build_tracker("hi", "greet", slots={"language": "en"}), DOMAIN, api
    )
    offer = next(values for name, values, _ in sent(dispatcher) if name == "utter_alert_new_offer")
    assert offer["title"] == "Cook"


async def test_pending_alerts_are_shown_once(api: AlertsApi, store: FakeSavedSearches) -> None:
    store.alerts = [an_alert(total=3)]
    tracker = build_tracker("hallo", "greet")
    dispatcher = CollectingDispatcher()
    await announce_pending_alerts(dispatcher, tracker, DOMAIN, api)
    assert_renderable(dispatcher)
    assert [(name, values) for name, values, _ in sent(dispatcher)] == [
        ("utter_alert_new_intro", {"search": "Koch/Köchin bis 25 km um Bramsche"}),
        (
            "utter_alert_new_offer",
            {
                "title": "Ausbildung Koch/Köchin",
                "company": "Gasthaus am Markt",
                "place": "Bramsche",
                "offer_id": 17,
            },
        ),
        ("utter_alert_new_more", {"count": 2}),
    ]
    again = CollectingDispatcher()
    await announce_pending_alerts(again, tracker, DOMAIN, api)
    assert again.messages == []


async def test_pending_alerts_never_break_the_session_start(api: AlertsApi, store: FakeSavedSearches) -> None:
    store.down = True
    dispatcher = CollectingDispatcher()
    await announce_pending_alerts(dispatcher, build_tracker("hallo", "greet"), DOMAIN, api)
    assert dispatcher.messages == []


async def test_the_session_start_of_a_returning_pupil_asks_for_alerts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    async def fake_announce(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> None:
        asked.append(tracker.sender_id)

    monkeypatch.setattr("actions.language.announce_pending_alerts", fake_announce)
    first = build_tracker("hallo", "greet")
    await ActionSessionStart().run(CollectingDispatcher(), first, DOMAIN)
    assert asked == []
    returning = build_tracker("hallo", "greet")
    returning.events.insert(0, {"event": "session_started"})
    await ActionSessionStart().run(CollectingDispatcher(), returning, DOMAIN)
    assert asked == ["pupil-1"]
