"""The offer actions end to end: tracker in, responses and events out, the API behind
httpx.MockTransport (tests/actions/exchange_fakes.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.explore import ActionExploreProfessions
from actions.offer_logic import SearchState
from actions.offers import ActionCancelOfferPlace, ActionSearchOffers, ActionShowOffer, ValidateOfferPlaceForm
from actions.offers_api import ExchangeApi, create_http_client
from tests.actions.exchange_fakes import (
    SERVICE_TOKEN,
    TODAY,
    FakeExchange,
    FakeOffer,
    build_tracker,
    entity,
    load_domain,
    responses,
    sent,
    slot_events,
)

DOMAIN = load_domain()
_VARIABLE = re.compile(r"(?<!\{)\{([^\n{}]+?)\}(?!\})")


@pytest.fixture
def exchange(profiles: dict[str, dict[str, Any]], search_results: dict[str, dict[str, Any]]) -> FakeExchange:
    return FakeExchange(profiles=profiles, search_results=search_results)


@pytest.fixture
async def api(exchange: FakeExchange) -> AsyncIterator[ExchangeApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(exchange.handle))
    async with client:
        yield ExchangeApi(client, service_token=SERVICE_TOKEN)


def assert_renderable(dispatcher: CollectingDispatcher) -> None:
    """Every response sent exists in both languages (and maybe easy German) and gets every variable
    its texts use (a custom payload for a channel, such as the widget's signals, has no text to render)."""
    for message in dispatcher.messages:
        if message["response"] is None and message.get("custom"):
            continue
        variations = DOMAIN["responses"][message["response"]]
        settings = [v for v in variations if any(c["name"] != "language" for c in v.get("condition") or [])]
        assert len(variations) - len(settings) == 2, message["response"]
        for variation in variations:
            used = set(_VARIABLE.findall(variation.get("text", "")))
            for button in variation.get("buttons") or []:
                used |= set(_VARIABLE.findall(button["payload"]))
            assert used <= set(message) | {"language"}, (message["response"], used - set(message))


async def search(api: ExchangeApi, tracker: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionSearchOffers(api, today=lambda: TODAY).run(dispatcher, tracker, DOMAIN)
    assert_renderable(dispatcher)
    return dispatcher, events


def state_of(events: list[dict[str, Any]]) -> SearchState | None:
    return SearchState.from_slot(slot_events(events).get("offer_search"))


async def test_apprenticeship_as_cook_in_bramsche(api: ExchangeApi, exchange: FakeExchange) -> None:
    tracker = build_tracker(
        "Ausbildung als Koch in Bramsche",
        "search_offers",
        [entity("profession", "koch")],
        {"profession": "koch"},
    )
    dispatcher, events = await search(api, tracker)
    messages = sent(dispatcher)
    assert messages[0] == (
        "utter_offer_results_near",
        {"total": 2, "filters": "Koch/Köchin, Ausbildung", "place": "Bramsche", "radius": 25},
        [],
    )
    assert [message[0] for message in messages[1:3]] == ["utter_offer_card", "utter_offer_card"]
    assert messages[1][1] == {
        "offer_id": 1,
        "title": "Ausbildung Koch/Köchin",
        "company": "Muster-Gasthaus Demo GmbH",
        "place": "Bramsche",
        "distance": " · 0,0 km",
        "kind": "Ausbildung",
        "start": "1. Aug. 2026",
        "notice": "",  # the list says once that its offers are demo data, not every card
    }
    assert messages[2][1]["place"] == "Wallenhorst"
    assert messages[3] == ("utter_offer_list_demo", {}, [])
    assert messages[4] == (
        "utter_offer_footer_last",
        {},
        [
            {"title": "Näher dran (bis 10 km)", "payload": '/refine_offers{"offer_refinement":"closer"}'},
            {"title": "Weiter weg (bis 50 km)", "payload": '/refine_offers{"offer_refinement":"wider"}'},
            {"title": "Auch ähnliche Berufe", "payload": '/refine_offers{"offer_refinement":"related"}'},
        ],
    )
    assert events == [
        SlotSet(
            "offer_search",
            SearchState(profession="koch", kind="apprenticeship", place="Bramsche", shown=(1, 2)).to_slot(),
        ),
        SlotSet("offer_place_needed", False),
        SlotSet("offer_place", None),
    ]
    assert (
        "/api/v1/offers?profession=koch&kind=apprenticeship&near=Bramsche&radius_km=25.0&limit=3&offset=0"
        in (exchange.paths)
    )


@pytest.mark.parametrize(
    ("last_answer", "searched"), [("action_answer_profession", True), ("action_explore_professions", False)]
)
async def test_a_place_alone_after_an_answer_about_one_occupation_searches_its_offers(
    api: ExchangeApi, exchange: FakeExchange, last_answer: str, searched: bool
) -> None:
    """A list about a field ("Holz"), then a question about one of its occupations (the pay of a
    cook), then "und gibts in Bramsche was" (read as a search of occupations with a place): the
    offers for that occupation near Bramsche. Right after a list the place narrows the list."""
    tracker = build_tracker(
        "und gibts in bramsche was",
        "explore_professions",
        [entity("place", "bramsche")],
        {"profession": "koch", "explore_query": {"topic": "essen", "offset": 0}},
    )
    answer: list[dict[str, Any]] = [{"event": "action", "name": last_answer}]
    if last_answer == "action_explore_professions":  # the list sets its query
        answer.append({"event": "slot", "name": "explore_query", "value": {"topic": "essen", "offset": 0}})
    tracker.events[:0] = [*answer, {"event": "action", "name": "action_listen"}]
    dispatcher = CollectingDispatcher()
    await ActionExploreProfessions(api).run(dispatcher, tracker, DOMAIN)
    offer_searches = [path for path in exchange.paths if path.startswith("/api/v1/offers?profession=koch&")]
    if searched:
        assert_renderable(dispatcher)
        assert sent(dispatcher)[0][0] == "utter_offer_results_near"
        assert sent(dispatcher)[0][1]["place"] == "Bramsche"
        assert offer_searches == [
            "/api/v1/offers?profession=koch&near=Bramsche&radius_km=25.0&limit=3&offset=0"
        ]
    else:
        assert offer_searches == []
        assert "/api/v1/professions?topic=essen&limit=5&offset=0" in exchange.paths


async def test_a_place_typed_after_a_choice_of_occupations_asks_which_one(
    api: ExchangeApi, exchange: FakeExchange
) -> None:
    """ "was macht ein Mechaniker" (a choice), then "gibts das auch in bramsche": which Mechaniker,
    for the offers in Bramsche; not every offer in Bramsche."""
    tracker = build_tracker("gibts das auch in bramsche", "search_offers", [entity("place", "bramsche")])
    tracker.events[:0] = [
        {
            "event": "user",
            "text": "was macht ein Mechaniker",
            "parse_data": {"entities": [entity("profession_query", "Mechaniker")]},
        },
        {"event": "action", "name": "action_answer_profession"},
        {"event": "action", "name": "action_listen"},
    ]
    dispatcher, events = await search(api, tracker)
    assert responses(dispatcher) == ["utter_offer_choose_profession"]
    assert state_of(events) == SearchState(place="Bramsche")
    assert not [path for path in exchange.paths if path.startswith("/api/v1/offers")]


async def test_more_pages_through_the_results(api: ExchangeApi) -> None:
    first = build_tracker("Koch", "search_offers", [entity("profession", "koch")])
    dispatcher, events = await search(api, first)
    # the whole region, earliest start first: the internship from April, then August
    assert responses(dispatcher) == [
        "utter_offer_results_region",
        "utter_offer_card_apply_only",
        "utter_offer_card",
        "utter_offer_card",
        "utter_offer_list_demo",
        "utter_offer_footer",
    ]
    assert sent(dispatcher)[-1][2][0] == {"title": "Mehr zeigen", "payload": "/more_offers"}
    more = build_tracker("mehr", "more_offers", slots={"offer_search": slot_events(events)["offer_search"]})
    dispatcher, events = await search(api, more)
    assert sent(dispatcher)[0] == ("utter_offer_results_page", {"first": 4, "last": 4, "total": 4}, [])
    assert responses(dispatcher)[1:] == [
        "utter_offer_card",
        "utter_offer_list_demo",
        "utter_offer_footer_last",
    ]
    state = state_of(events)
    assert state is not None and (state.offset, state.shown) == (3, (4,))
    # nothing after the last page: say so and stay on it
    again = build_tracker("mehr", "more_offers", slots={"offer_search": state.to_slot()})
    dispatcher, events = await search(api, again)
    assert responses(dispatcher) == ["utter_offer_no_more"]
    assert state_of(events) == state


async def test_follow_ups_only_internships_then_closer(api: ExchangeApi) -> None:
    start = SearchState(profession="koch", kind="apprenticeship", place="Bramsche", shown=(1, 2))
    tracker = build_tracker("nur praktikum", "refine_offers", slots={"offer_search": start.to_slot()})
    dispatcher, events = await search(api, tracker)
    assert sent(dispatcher)[0][1]["filters"] == "Koch/Köchin, Praktikum"
    assert [message[1]["title"] for message in sent(dispatcher)[1:-2]] == ["Praktikum in der Küche"]
    assert sent(dispatcher)[1][0] == "utter_offer_card_apply_only"
    internships = state_of(events)
    assert internships is not None
    closer = build_tracker("näher dran", "refine_offers", slots={"offer_search": internships.to_slot()})
    dispatcher, events = await search(api, closer)
    # 16 km to Osnabrück is too far for 10 km: honest answer and what would work instead
    assert sent(dispatcher) == [
        (
            "utter_offer_none",
            {"filters": "Koch/Köchin, Praktikum"},
            [
                {"title": "Bis 25 km (1)", "payload": '/refine_offers{"offer_refinement":"wider"}'},
                {
                    "title": "Alle Angebotsarten (2)",
                    "payload": '/refine_offers{"offer_refinement":"any_kind"}',
                },
                {"title": "Ganze Region (1)", "payload": '/refine_offers{"offer_refinement":"anywhere"}'},
            ],
        )
    ]
    assert state_of(events) == SearchState(
        profession="koch", kind="internship", place="Bramsche", radius_km=10
    )


async def test_from_august_and_similar_occupations(api: ExchangeApi) -> None:
    start = SearchState(profession="koch", kind="apprenticeship", place="Bramsche")
    tracker = build_tracker("ab September", "refine_offers", slots={"offer_search": start.to_slot()})
    dispatcher, events = await search(api, tracker)
    assert responses(dispatcher) == ["utter_offer_none"]
    assert sent(dispatcher)[0][1] == {"filters": "Koch/Köchin, Ausbildung, ab 1. Sept. 2026"}
    later = state_of(events)
    assert later is not None and later.start_from == date(2026, 9, 1)
    related = build_tracker("auch ähnliche berufe", "refine_offers", slots={"offer_search": start.to_slot()})
    dispatcher, events = await search(api, related)
    messages = sent(dispatcher)
    assert messages[0][1]["filters"] == "Koch/Köchin und ähnliche Berufe, Ausbildung"
    assert [message[1]["offer_id"] for message in messages[1:-2]] == [1, 2, 5]
    assert messages[3][1]["notice"].startswith("\n↪ ähnlicher Beruf: Bäcker/in")


async def test_near_me_asks_where_the_pupil_lives_then_searches(api: ExchangeApi) -> None:
    tracker = build_tracker("was gibt es in meiner Nähe", "search_offers")
    dispatcher, events = await search(api, tracker)
    assert dispatcher.messages == []  # offer_place_form asks
    assert events == [
        SlotSet("offer_search", SearchState().to_slot()),
        SlotSet("offer_place_needed", True),
        SlotSet("offer_place", None),
    ]
    after_form = build_tracker(
        "melle",
        "refine_offers",
        slots={"offer_search": SearchState().to_slot(), "offer_place_needed": True, "offer_place": "Melle"},
    )
    dispatcher, events = await search(api, after_form)
    assert sent(dispatcher)[0] == (
        "utter_offer_results_near",
        {"total": 3, "filters": "alle Berufe", "place": "Melle", "radius": 25},
        [],
    )
    assert slot_events(events)["offer_place_needed"] is False
    assert slot_events(events)["offer_place"] is None


async def test_near_me_uses_the_municipality_from_the_check(api: ExchangeApi) -> None:
    tracker = build_tracker(
        "praktikum in meiner nähe", "search_offers", slots={"check_municipality": "osnabrueck"}
    )
    dispatcher, _ = await search(api, tracker)
    assert sent(dispatcher)[0][1]["place"] == "Osnabrück"
    assert [message[1]["offer_id"] for message in sent(dispatcher)[1:-2]] == [3, 6]


async def test_english(api: ExchangeApi) -> None:
    tracker = build_tracker("internships near Georgsmarienhütte", "search_offers", slots={"language": "en"})
    dispatcher, _ = await search(api, tracker)
    messages = sent(dispatcher)
    assert messages[0][1]["filters"] == "all jobs, Internship"
    card = next(message for message in messages if message[1].get("offer_id") == 6)
    assert card[1]["notice"] == "" and card[1]["start"] == "4 May 2026"
    assert card[1]["title"] == "Industrial mechanic"  # not the German "Praktikum Industriemechanik"


async def test_a_word_for_several_occupations_offers_a_choice(api: ExchangeApi) -> None:
    tracker = build_tracker(
        "praktikum als mechaniker in melle", "search_offers", [entity("profession_query", "Mechaniker")]
    )
    dispatcher, events = await search(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_offer_choose_profession",
            {"query": "Mechaniker"},
            [
                {
                    "title": "Industriemechaniker/in",
                    "payload": '/refine_offers{"profession":"industriemechaniker"}',
                },
                {
                    "title": "Zerspanungsmechaniker/in",
                    "payload": '/refine_offers{"profession":"zerspanungsmechaniker"}',
                },
                {
                    "title": "Kfz-Mechatroniker/in",
                    "payload": '/refine_offers{"profession":"kraftfahrzeugmechatroniker"}',
                },
            ],
        )
    ]
    pending = state_of(events)
    assert pending == SearchState(kind="internship", place="Melle")
    chosen = build_tracker(
        '/refine_offers{"profession":"industriemechaniker"}',
        "refine_offers",
        [entity("profession", "industriemechaniker")],
        {"offer_search": pending.to_slot()},
    )
    dispatcher, events = await search(api, chosen)
    assert sent(dispatcher)[0][1]["filters"] == "Industriemechaniker/in, Praktikum"
    assert [message[1]["offer_id"] for message in sent(dispatcher)[1:-1]] == [6]


async def test_nothing_at_all(api: ExchangeApi, exchange: FakeExchange) -> None:
    tracker = build_tracker(
        "praktikum bei der polizei in den sommerferien",
        "search_offers",
        [entity("profession", "polizeikommissaranwaerter")],
    )
    # no police offers, but a summer internship in another occupation
    exchange.offers.append(
        FakeOffer(
            7, "internship", "koch", "Sommerpraktikum Küche", "Demo-Kantine", "melle", date(2026, 7, 20)
        )
    )
    dispatcher, _ = await search(api, tracker)
    assert sent(dispatcher)[0][0] == "utter_offer_none"
    assert sent(dispatcher)[0][2] == [
        {"title": "Alle Berufe (1)", "payload": '/refine_offers{"offer_refinement":"any_profession"}'}
    ]
    exchange.offers = []
    dispatcher, _ = await search(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_offer_none_at_all",
            {"filters": "Polizeikommissaranwärter/in, Praktikum, ab 1. Juli 2026"},
            [],
        )
    ]


async def test_more_without_a_search_asks_what_to_look_for(api: ExchangeApi) -> None:
    dispatcher, events = await search(api, build_tracker("mehr", "more_offers"))
    assert responses(dispatcher) == ["utter_offer_ask_what"]
    assert events == [SlotSet("offer_place_needed", False), SlotSet("offer_place", None)]


async def test_the_api_is_down(api: ExchangeApi, exchange: FakeExchange) -> None:
    exchange.down = True
    dispatcher, events = await search(api, build_tracker("praktikum in melle", "search_offers"))
    assert responses(dispatcher) == ["utter_offer_service_unavailable"]
    assert events == [SlotSet("offer_place_needed", False), SlotSet("offer_place", None)]


async def test_an_unknown_occupation_slug(api: ExchangeApi) -> None:
    tracker = build_tracker("/search_offers", "search_offers", [entity("profession", "astronaut")])
    dispatcher, _ = await search(api, tracker)
    assert responses(dispatcher) == ["utter_profession_not_found"]


# --- details ----------------------------------------------------------------------------------------


async def show(api: ExchangeApi, tracker: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionShowOffer(api).run(dispatcher, tracker, DOMAIN)
    assert_renderable(dispatcher)
    return dispatcher, events


async def test_details_from_a_button(api: ExchangeApi) -> None:
    state = SearchState(profession="koch", shown=(1, 2))
    tracker = build_tracker(
        '/offer_details{"offer_id":"1"}',
        "offer_details",
        [entity("offer_id", "1")],
        {"offer_search": state.to_slot()},
    )
    dispatcher, events = await show(api, tracker)
    [(response, values, _)] = sent(dispatcher)
    assert response == "utter_offer_details"
    assert values["description"] == "Demo: Wir bilden aus."
    assert values["apply"] == "https://beispiel.example/karriere"
    assert values["notice"] == "\n🧪 Demo-Angebot: ausgedacht, kein echter Betrieb"
    assert events == [
        SlotSet("offer_search", SearchState(profession="koch", shown=(1, 2), viewed=1).to_slot())
    ]


async def test_details_typed_after_a_single_result_and_an_offer_that_cannot_be_contacted(
    api: ExchangeApi,
) -> None:
    state = SearchState(kind="internship", shown=(3,))
    dispatcher, _ = await show(
        api, build_tracker("details bitte", "offer_details", slots={"offer_search": state.to_slot()})
    )
    [(response, values, _)] = sent(dispatcher)
    assert response == "utter_offer_details_apply_only"
    assert values["apply"] == "https://beispiel.example/karriere · Frau Beispiel, 0541 123456"


async def test_details_without_knowing_which_offer(api: ExchangeApi) -> None:
    state = SearchState(shown=(1, 2))
    dispatcher, events = await show(
        api, build_tracker("details", "offer_details", slots={"offer_search": state.to_slot()})
    )
    assert responses(dispatcher) == ["utter_offer_pick_one"] and events == []


async def test_details_of_an_offer_that_is_gone(api: ExchangeApi) -> None:
    tracker = build_tracker('/offer_details{"offer_id":"99"}', "offer_details", [entity("offer_id", "99")])
    dispatcher, events = await show(api, tracker)
    assert responses(dispatcher) == ["utter_offer_gone"] and events == []


# --- where do you live? -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "entities", "slot", "said"),
    [
        ("bramshe", [], "Bramsche", []),
        ("49324", [], "Melle", []),
        ("egal", [], "", []),
        ('/refine_offers{"offer_refinement":"anywhere"}', [entity("offer_refinement", "anywhere")], "", []),
        ("Hamburg", [], None, ["utter_offer_place_unknown"]),
        ("da wo ich wohne", [entity("place", "georgsmarienhütte")], "Georgsmarienhütte", []),  # from the NLU
    ],
)
async def test_the_place_form_checks_the_answer(
    api: ExchangeApi, answer: str, entities: list[dict[str, Any]], slot: str | None, said: list[str]
) -> None:
    tracker = build_tracker(
        answer,
        "refine_offers",
        entities,
        {"requested_slot": "offer_place"},
        set_since_message={"offer_place": answer},
        active_loop="offer_place_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateOfferPlaceForm(api).run(dispatcher, tracker, DOMAIN)
    assert_renderable(dispatcher)
    assert responses(dispatcher) == said
    assert slot_events(events)["offer_place"] == slot


async def test_stop_while_asked_for_the_place() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCancelOfferPlace().run(dispatcher, build_tracker("stopp", "stop"), DOMAIN)
    assert responses(dispatcher) == ["utter_offer_search_stopped"]
    assert events == [SlotSet("offer_place_needed", False), SlotSet("offer_place", None)]


async def test_the_help_button_searches_near_the_pupil(api: ExchangeApi) -> None:
    payload = '/search_offers{"offer_refinement":"near_me"}'
    tracker = build_tracker(payload, "search_offers", [entity("offer_refinement", "near_me")])
    dispatcher, events = await search(api, tracker)
    assert dispatcher.messages == []
    assert slot_events(events)["offer_place_needed"] is True


async def test_offers_from_the_check_result_search_where_and_what_the_check_said(
    api: ExchangeApi, exchange: FakeExchange
) -> None:
    """The result's "Angebote dazu" button: the place, radius and kind of the check (slots)."""
    tracker = build_tracker(
        '/search_offers{"profession":"koch","offer_refinement":"check_profile"}',
        "search_offers",
        [entity("profession", "koch"), entity("offer_refinement", "check_profile")],
        slots={"check_municipality": "osnabrueck", "check_radius": "10", "check_looking_for": "internship"},
    )
    _, events = await search(api, tracker)
    state = state_of(events)
    assert state is not None
    assert (state.profession, state.place, state.radius_km, state.kind) == (
        "koch",
        "Osnabrück",
        10,
        "internship",
    )
    # Without the button's marker the same slots only give the place ("in meiner Nähe").
    plain = build_tracker(
        '/search_offers{"profession":"koch"}',
        "search_offers",
        [entity("profession", "koch")],
        slots={"check_municipality": "osnabrueck", "check_radius": "10", "check_looking_for": "internship"},
    )
    _, events = await search(api, plain)
    state = state_of(events)
    assert state is not None and state.kind is None and state.radius_km != 10
    # A radius above what the search offers (the check allows 200 km) becomes the widest search.
    wide = build_tracker(
        "/search_offers",
        "search_offers",
        [entity("profession", "koch"), entity("offer_refinement", "check_profile")],
        slots={"check_municipality": "osnabrueck", "check_radius": "150", "check_looking_for": None},
    )
    _, events = await search(api, wide)
    state = state_of(events)
    assert state is not None and state.radius_km == 100 and state.kind is None
