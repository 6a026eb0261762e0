"""action_fallback_search: the knowledge search's hits as buttons, the help menu, the way out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import BerufslotseApi, KnowledgeHit, LocalizedText, create_http_client
from actions.fallback import ActionFallbackSearch, ActionShowRule
from actions.fallback_logic import fallback_reply, hit_buttons, misunderstandings_in_a_row
from knowledge.rules.catalogue import RULE_KEYS

FIXTURES = Path(__file__).parent / "fixtures"
SEARCH = json.loads((FIXTURES / "knowledge_search.json").read_text(encoding="utf-8"))


class FakeSearch:
    """GET /api/v1/search from the fixture; records the requests."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        assert request.url.path == "/api/v1/search"
        query = request.url.params["q"].lower()
        return httpx.Response(200, json=SEARCH.get(query, {"terms": [query], "hits": []}))


@pytest.fixture
def fake_search() -> FakeSearch:
    return FakeSearch()


@pytest.fixture
async def search_api(fake_search: FakeSearch) -> AsyncIterator[BerufslotseApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake_search.handle))
    async with client:
        yield BerufslotseApi(client)


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


def bot_turn(action: str) -> list[dict[str, Any]]:
    return [{"event": "action", "name": action}, {"event": "action", "name": "action_listen"}]


def tracker(
    text: str, intent: str = "nlu_fallback", earlier: Sequence[Mapping[str, Any]] = (), language: str = "de"
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.3}, "entities": []}
    events = [*earlier, {"event": "action", "name": "action_listen"}, user(text, intent)]
    return Tracker(
        sender_id="test-user",
        slots={"language": language, "profession": None},
        latest_message=latest,
        events=[dict(event) for event in events],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(api: BerufslotseApi, t: Tracker) -> tuple[list[tuple[str, list[dict[str, Any]]]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionFallbackSearch(api).run(dispatcher, t, {})
    return [(message["response"], message["buttons"]) for message in dispatcher.messages], events


async def test_content_words_get_the_first_three_profile_hits_as_buttons(
    search_api: BerufslotseApi, fake_search: FakeSearch
) -> None:
    responses, events = await run(search_api, tracker("welche berufe gibt es mit tieren"))
    assert responses == [
        (
            "utter_fallback_found",
            [
                {
                    "title": "Tiermedizinische/r Fachangestellte/r",
                    "payload": '/ask_profession{"profession":"tiermedizinischer-fachangestellter"}',
                },
                {"title": "Tierpfleger/in", "payload": '/ask_profession{"profession":"tierpfleger"}'},
                {"title": "Tiere", "payload": '/explore_professions{"topic":"animals"}'},
            ],
        )
    ]
    assert events == []
    (request,) = fake_search.requests
    assert request.url.params["lang"] == "de"
    assert request.url.params["limit"] == "5"


async def test_a_rule_of_training_found_is_offered_as_a_button_of_its_own(search_api: BerufslotseApi) -> None:
    responses, _ = await run(search_api, tracker("wie lang kann man mich am anfang rauswerfen"))
    assert responses == [
        (
            "utter_fallback_found",
            [
                {"title": "Probezeit", "payload": '/rules{"rule":"probation"}'},
                {"title": "Tierpfleger/in", "payload": '/ask_profession{"profession":"tierpfleger"}'},
            ],
        )
    ]


async def test_titles_follow_the_language(search_api: BerufslotseApi, fake_search: FakeSearch) -> None:
    responses, _ = await run(search_api, tracker("welche berufe gibt es mit tieren", language="en"))
    assert [button["title"] for button in responses[0][1]] == [
        "Veterinary assistant",
        "Animal keeper",
        "Animals",
    ]
    assert fake_search.requests[0].url.params["lang"] == "en"


async def test_without_hits_the_help_menu(search_api: BerufslotseApi) -> None:
    responses, _ = await run(search_api, tracker("was kann ich machen"))
    assert responses == [("utter_fallback", [])]
    responses, _ = await run(search_api, tracker("qwrtzp", "nonsense"))
    assert responses == [("utter_fallback", [])]


async def test_the_second_misunderstanding_in_a_row_gets_the_way_out_without_a_search(
    search_api: BerufslotseApi, fake_search: FakeSearch
) -> None:
    earlier = [user("hmm", "nlu_fallback"), *bot_turn("action_fallback_search")]
    responses, _ = await run(search_api, tracker("welche berufe gibt es mit tieren", earlier=earlier))
    assert responses == [("utter_fallback_way_out", [])]
    assert fake_search.requests == []


async def test_an_understood_message_in_between_starts_the_count_again(search_api: BerufslotseApi) -> None:
    earlier = [
        user("hmm", "nlu_fallback"),
        *bot_turn("action_fallback_search"),
        user("/help", "help"),
        *bot_turn("utter_help"),
    ]
    responses, _ = await run(search_api, tracker("welche berufe gibt es mit tieren", earlier=earlier))
    assert responses[0][0] == "utter_fallback_found"


async def test_search_down_falls_back_to_the_help_menu(
    fake_search: FakeSearch, search_api: BerufslotseApi
) -> None:
    fake_search.down = True
    responses, events = await run(search_api, tracker("welche berufe gibt es mit tieren"))
    assert responses == [("utter_fallback", [])]
    assert events == []


async def test_a_button_payload_is_not_searched(search_api: BerufslotseApi, fake_search: FakeSearch) -> None:
    responses, _ = await run(search_api, tracker('/ask_pay{"profession":"x"}'))
    assert responses == [("utter_fallback", [])]
    assert fake_search.requests == []


def test_misunderstandings_count_back_to_the_last_understood_message() -> None:
    events = [
        user("hallo", "greet"),
        *bot_turn("utter_greet"),
        user("asdf", "nonsense"),
        *bot_turn("action_fallback_search"),
        user("hä", "nlu_fallback"),
    ]
    assert misunderstandings_in_a_row(events) == 2
    assert misunderstandings_in_a_row(events[:1]) == 0
    assert misunderstandings_in_a_row([]) == 0


def test_rules_get_a_button_of_their_own_and_at_most_three_are_offered() -> None:
    def hit(kind: str, key: str) -> KnowledgeHit:
        return KnowledgeHit(kind, key, LocalizedText(key, key), "")

    hits = [hit("rule", "probation"), *(hit("profession", f"p{n}") for n in range(5))]
    assert hit_buttons(hits, "de") == (
        {"title": "probation", "payload": '/rules{"rule":"probation"}'},
        {"title": "p0", "payload": '/ask_profession{"profession":"p0"}'},
        {"title": "p1", "payload": '/ask_profession{"profession":"p1"}'},
    )
    assert fallback_reply(hits, 0, "de").response == "utter_fallback_found"
    assert fallback_reply([hit("rule", "probation")], 1, "de").response == "utter_fallback_found"
    assert fallback_reply([hit("unknown-kind", "x")], 1, "de").response == "utter_fallback"
    assert fallback_reply(hits, 2, "de").response == "utter_fallback_way_out"


async def show_rule(entities: list[dict[str, Any]]) -> list[str]:
    t = tracker('/rules{"rule":"probation"}', intent="rules")
    t.latest_message["entities"] = entities
    dispatcher = CollectingDispatcher()
    assert await ActionShowRule().run(dispatcher, t, {}) == []
    return [message["response"] for message in dispatcher.messages]


@pytest.mark.parametrize("key", RULE_KEYS)
async def test_a_tapped_rule_gets_the_response_the_response_selector_would_pick(key: str) -> None:
    assert await show_rule([{"entity": "rule", "value": key}]) == [f"utter_rules/{key}"]


@pytest.mark.parametrize(
    "entities",
    [[], [{"entity": "rule", "value": "no_such_rule"}], [{"entity": "rule", "value": 3}]],
)
async def test_a_rule_button_without_a_known_key_gets_the_help_menu(entities: list[dict[str, Any]]) -> None:
    assert await show_rule(entities) == ["utter_fallback"]


def test_every_rule_response_exists_in_the_domain() -> None:
    domain = yaml.safe_load((Path(__file__).parents[2] / "bot" / "domain" / "rules.yml").read_text("utf-8"))
    assert {f"utter_rules/{key}" for key in RULE_KEYS} <= set(domain["responses"])
