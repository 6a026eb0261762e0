"""action_compare_professions end to end: tracker in, responses and events out, API behind MockTransport."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import BerufslotseApi
from actions.compare import ActionCompareProfessions
from tests.actions.support import FakeApi, TrackerFactory
from tests.actions.test_compare_logic import DOMAIN


def profession(slug: str) -> dict[str, Any]:
    return {"entity": "profession", "value": slug, "extractor": "OccupationEntityExtractor"}


def query(text: str) -> dict[str, Any]:
    return {"entity": "profession_query", "value": text, "extractor": "OccupationEntityExtractor"}


async def run(api: BerufslotseApi, tracker: Any) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionCompareProfessions(api).run(dispatcher, tracker, DOMAIN)
    return dispatcher, events


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_two_occupations_are_compared_and_nothing_is_remembered(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "koch oder erzieher was is besser",
        "compare_professions",
        [profession("koch"), profession("erzieher")],
    )
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_compare_table", "utter_compare_next"]
    table = dispatcher.messages[0]
    assert (table["name_a"], table["name_b"]) == ("Koch/Köchin", "Erzieher/in")
    assert table["training_b"] == "3,5 Jahre, schulische Ausbildung"
    assert table["pay_b"] == "In der Schulzeit gibt es meist kein Gehalt."
    assert len(dispatcher.messages[1]["buttons"]) == 4
    assert events == [SlotSet("compare_first", None), SlotSet("profession", "koch")]
    assert fake_api.paths == ["/api/v1/professions/koch", "/api/v1/professions/erzieher"]


async def test_english_conversation_gets_the_english_table(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "cook or mechanic",
        "compare_professions",
        [profession("koch"), profession("industriemechaniker")],
        {"language": "en"},
    )
    dispatcher, _ = await run(api, tracker)
    table = dispatcher.messages[0]
    assert table["name_a"] == "Cook"
    assert table["training_a"] == "3 years, dual apprenticeship"
    assert table["interests_b"] == "hands-on and technical, investigative"
    assert dispatcher.messages[1]["buttons"][2] == {
        "title": "Offers: Cook",
        "payload": '/search_offers{"profession":"koch"}',
    }


async def test_one_occupation_asks_for_the_second_and_remembers_the_first(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("ich will koch vergleichen", "compare_professions", [profession("koch")])
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_compare_ask_second"]
    assert dispatcher.messages[0]["name"] == "Koch/Köchin"
    assert events == [SlotSet("compare_first", "koch")]


async def test_the_second_occupation_after_the_question_completes_the_pair(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "industriemechaniker",
        "ask_profession",
        [profession("industriemechaniker")],
        {"compare_first": "koch"},
    )
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_compare_table", "utter_compare_next"]
    assert (dispatcher.messages[0]["name_a"], dispatcher.messages[0]["name_b"]) == (
        "Koch/Köchin",
        "Industriemechaniker/in",
    )
    assert events == [SlotSet("compare_first", None), SlotSet("profession", "koch")]
    assert fake_api.paths == ["/api/v1/professions/koch", "/api/v1/professions/industriemechaniker"]


async def test_no_occupation_asks_for_both(api: BerufslotseApi, make_tracker: TrackerFactory) -> None:
    dispatcher, events = await run(api, make_tracker("ich will berufe vergleichen", "compare_professions"))
    assert responses(dispatcher) == ["utter_compare_ask_both"]
    assert events == [SlotSet("compare_first", None)]


async def test_the_same_occupation_twice_is_said_so(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("koch oder koch", "compare_professions", [profession("koch"), profession("koch")])
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_compare_same"]
    assert dispatcher.messages[0]["name"] == "Koch/Köchin"
    assert events == [SlotSet("compare_first", "koch")]


async def test_a_generic_word_offers_a_choice_that_compares(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "koch oder mechaniker", "compare_professions", [profession("koch"), query("Mechaniker")]
    )
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_compare_choose"]
    assert [button["payload"] for button in dispatcher.messages[0]["buttons"]] == [
        '/compare_professions{"profession":["koch","industriemechaniker"]}',
        '/compare_professions{"profession":["koch","zerspanungsmechaniker"]}',
        '/compare_professions{"profession":["koch","kraftfahrzeugmechatroniker"]}',
    ]
    assert events == [SlotSet("compare_first", "koch")]


async def test_a_generic_word_with_one_candidate_is_taken(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "koch oder industriemechaniker",
        "compare_professions",
        [profession("koch"), query("industriemechaniker")],
    )
    dispatcher, _ = await run(api, tracker)
    assert responses(dispatcher) == ["utter_compare_table", "utter_compare_next"]


async def test_an_unknown_slug_is_not_remembered(api: BerufslotseApi, make_tracker: TrackerFactory) -> None:
    tracker = make_tracker("x", "compare_professions", [profession("gibt-es-nicht"), profession("koch")])
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_profession_not_found"]
    assert events == [SlotSet("compare_first", "koch")]


async def test_api_down_says_so_and_sends_no_half_answer(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    fake_api.failing_paths.add("/api/v1/professions/erzieher")
    tracker = make_tracker(
        "koch oder erzieher", "compare_professions", [profession("koch"), profession("erzieher")]
    )
    dispatcher, events = await run(api, tracker)
    assert responses(dispatcher) == ["utter_service_unavailable"]
    assert events == [SlotSet("compare_first", None)]
