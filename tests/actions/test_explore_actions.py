"""action_explore_professions end to end: tracker in, responses and events out, API behind MockTransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import create_http_client
from actions.explore import ActionExploreProfessions
from actions.offer_logic import ListTheField, SearchState
from actions.offers import ActionSearchOffers
from actions.offers_api import ExchangeApi
from tests.actions.exchange_fakes import load_domain
from tests.actions.support import FakeApi, TrackerFactory

DOMAIN = load_domain()
PROFESSIONS = [
    {
        "slug": f"beruf-{n}",
        "name": f"Beruf {n}",
        "name_en": f"Job {n}",
        "training_type": "dual",
        "duration_months": 36,
    }
    for n in range(7)
]
TOPICS = [{"key": "animals", "de": "Tiere", "en": "animals", "count": 7}]
PLACES = [
    {"slug": "melle", "name": "Melle", "kind": "stadt", "postcodes": ["49324"], "lat": 52.2, "lon": 8.3},
    {
        "slug": "bad-iburg",
        "name": "Bad Iburg",
        "kind": "stadt",
        "postcodes": ["49186"],
        "lat": 52.15,
        "lon": 8.05,
    },
]
# offers near Melle per occupation (GET /api/v1/offers?profession=...&near=Melle)
OFFERS_NEAR = {"beruf-0": 4, "beruf-2": 1}
# in the whole region (no `near`); half of them internships (`kind=internship`), rounded down
OFFERS_IN_THE_REGION = {"beruf-0": 10, "beruf-1": 6, "beruf-3": 1}


class ExploreApi:
    """GET /api/v1/professions and /api/v1/topics like the real API, recording the requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/api/v1/topics":
            return httpx.Response(200, json=TOPICS)
        if request.url.path == "/api/v1/municipalities":
            return httpx.Response(200, json=PLACES)
        if request.url.path == "/api/v1/offers":
            params = request.url.params
            counts = {"Melle": OFFERS_NEAR, None: OFFERS_IN_THE_REGION}.get(params.get("near"), {})
            total = counts.get(params["profession"], 0) // (2 if params.get("kind") == "internship" else 1)
            return httpx.Response(200, json={"items": [], "total": total})
        params = request.url.params
        items = PROFESSIONS if params.get("reachable_with") != "none" else []
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
        return httpx.Response(200, json={"items": items[offset : offset + limit], "total": len(items)})

    @property
    def params(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if r.url.path == "/api/v1/professions"]


@pytest.fixture
def explore_api() -> ExploreApi:
    return ExploreApi()


@pytest.fixture
async def api(explore_api: ExploreApi) -> AsyncIterator[ExchangeApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(explore_api.handle))
    async with client:
        yield ExchangeApi(client)


def answered_with(last_answer: str) -> list[dict[str, Any]]:
    """The events of an earlier answer: the action and the slots it set (a list sets its query)."""
    events: list[dict[str, Any]] = [{"event": "action", "name": last_answer}]
    if last_answer == "action_explore_professions":
        events.append({"event": "slot", "name": "explore_query", "value": {"topic": "animals", "offset": 0}})
    return [*events, {"event": "action", "name": "action_listen"}]


def entity(kind: str, value: str) -> dict[str, Any]:
    return {"entity": kind, "value": value, "extractor": "ExploreEntityExtractor"}


async def run(api: ExchangeApi, tracker: Any) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionExploreProfessions(api).run(dispatcher, tracker, DOMAIN)
    return dispatcher, events


async def test_a_topic_lists_five_with_buttons_and_keeps_the_query(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "welche berufe gibt es mit tieren", "explore_professions", [entity("topic", "animals")]
    )
    dispatcher, events = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_list_topic", "utter_explore_more"]
    header = dispatcher.messages[0]
    assert header["topic"] == "Tiere"
    assert [b["payload"] for b in header["buttons"]][:2] == [
        '/ask_profession{"profession":"beruf-0"}',
        '/ask_profession{"profession":"beruf-1"}',
    ]
    assert len(header["buttons"]) == 5
    assert explore_api.params == [{"topic": "animals", "limit": "5", "offset": "0"}]
    assert events == [
        SlotSet(
            "explore_query",
            {
                "topic": "animals",
                "certificate": None,
                "duration": None,
                "pay_order": None,
                "training_type": None,
                "place": None,
                "offer_kind": None,
                "offset": 0,
            },
        )
    ]


async def test_a_follow_up_refines_and_more_pages_on(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    slot = {"explore_query": {"topic": "animals", "offset": 0}}
    refine = make_tracker(
        "und welche davon gehen mit hauptschulabschluss",
        "explore_professions",
        [entity("certificate", "hauptschule")],
        slot,
    )
    dispatcher, events = await run(api, refine)
    assert explore_api.params[-1] == {
        "topic": "animals",
        "reachable_with": "hauptschule",
        "limit": "5",
        "offset": "0",
    }
    assert dispatcher.messages[0]["response"] == "utter_explore_note_certificate_hauptschule"
    more = make_tracker("mehr", "more_offers", [], {"explore_query": events[0]["value"]})
    dispatcher, events = await run(api, more)
    assert explore_api.params[-1]["offset"] == "5"
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_list_topic", "utter_explore_end"]
    assert len(dispatcher.messages[0]["buttons"]) == 2
    assert events[0]["value"]["offset"] == 5


async def test_nothing_asked_asks_for_a_topic_without_calling_the_api(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    dispatcher, events = await run(api, make_tracker("was kann ich werden", "explore_professions"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_ask_topic"]
    assert explore_api.requests == []
    assert events == [SlotSet("explore_query", None)]


async def test_nothing_found(api: ExchangeApi, make_tracker: TrackerFactory) -> None:
    tracker = make_tracker("ohne abschluss", "explore_professions", [entity("certificate", "none")])
    dispatcher, _ = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_none"]


async def test_the_api_down_says_so_and_keeps_the_slot(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    explore_api.down = True
    tracker = make_tracker("berufe mit tieren", "explore_professions", [entity("topic", "animals")])
    dispatcher, events = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_service_unavailable"]
    assert events == []


async def test_a_place_shows_the_offers_near_it_beside_the_list(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "berufe mit tieren in der nähe von melle",
        "explore_professions",
        [entity("topic", "animals"), entity("place", "melle")],
    )
    dispatcher, events = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_explore_list_topic",
        "utter_explore_offers_near",
        "utter_explore_more",
    ]
    near = dispatcher.messages[1]
    assert near["place"] == "Melle"
    assert near["lines"] == "• Beruf 0: 4\n• Beruf 2: 1"
    assert [b["payload"] for b in near["buttons"]] == [
        '/search_offers{"profession": "beruf-0", "place": "Melle"}',
        '/search_offers{"profession": "beruf-2", "place": "Melle"}',
    ]
    offers = [dict(r.url.params) for r in explore_api.requests if r.url.path == "/api/v1/offers"]
    assert [o["profession"] for o in offers] == [f"beruf-{n}" for n in range(5)]
    assert {(o["near"], o["radius_km"]) for o in offers} == {("Melle", "25")}
    assert events[0]["value"]["place"] == "melle"
    # the place stays for a follow-up that narrows the list
    refine = make_tracker(
        "und welche davon mit hauptschulabschluss",
        "explore_professions",
        [entity("certificate", "hauptschule")],
        {"explore_query": events[0]["value"]},
    )
    dispatcher, _ = await run(api, refine)
    assert "utter_explore_offers_near" in [m["response"] for m in dispatcher.messages]


async def test_a_search_for_offers_in_a_field_lists_the_fields_occupations_with_offers_near(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    """ "Ausbildung Kfz in Melle": the exchange is searched by occupation; a search that names only a
    field lists the field's occupations with their offers near the place, not every offer near it."""
    tracker = make_tracker(
        "ausbildung mit tieren in melle",
        "search_offers",
        [entity("topic", "animals"), entity("place", "melle")],
        {"offer_place_needed": None, "offer_search": None},
    )
    dispatcher = CollectingDispatcher()
    events = await ActionSearchOffers(api).run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_explore_list_topic",
        "utter_explore_offers_near",
        "utter_explore_more",
    ]
    assert dispatcher.messages[1]["lines"] == "• Beruf 0: 4\n• Beruf 2: 1"
    offers = [dict(r.url.params) for r in explore_api.requests if r.url.path == "/api/v1/offers"]
    assert [o.get("profession") for o in offers] == [f"beruf-{n}" for n in range(5)]  # never all offers
    assert explore_api.params == [{"topic": "animals", "limit": "5", "offset": "0"}]
    assert events[0]["name"] == "explore_query" and events[0]["value"]["topic"] == "animals"
    assert events[1:] == [SlotSet("offer_place_needed", False), SlotSet("offer_place", None)]


@pytest.mark.parametrize(
    ("intent", "entities", "slots"),
    [
        # an occupation named beside the field: its offers
        ("search_offers", [entity("topic", "animals"), entity("profession", "beruf-0")], {}),
        ("search_offers", [entity("topic", "animals"), entity("profession_query", "mechaniker")], {}),
        # paging the offers shown and the place the form asked for stay offer searches
        ("more_offers", [entity("topic", "animals")], {}),
        ("search_offers", [entity("topic", "animals")], {"offer_place_needed": True, "offer_place": "Melle"}),
    ],
)
async def test_a_search_that_names_an_occupation_or_goes_on_stays_an_offer_search(
    api: ExchangeApi,
    explore_api: ExploreApi,
    make_tracker: TrackerFactory,
    intent: str,
    entities: list[dict[str, Any]],
    slots: dict[str, Any],
) -> None:
    tracker = make_tracker("angebote", intent, entities, slots)
    assert not isinstance(await ActionSearchOffers(api)._plan(tracker, None), ListTheField)


async def test_a_place_alone_right_after_the_list_for_a_field_narrows_that_list(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    """ "berufe mit tieren", then "und in melle?" (read as an offer search): the field's
    occupations with their offers near Melle, not every offer near Melle. After other answers, or
    with more than a place ("nur Praktikum in Melle"), it stays an offer search."""
    listed = {"explore_query": {"topic": "animals", "offset": 0}}

    def after(last_answer: str, text: str = "und in melle?", intent: str = "search_offers") -> Any:
        tracker = make_tracker(text, intent, [entity("place", "melle")], listed)
        tracker.events[:0] = answered_with(last_answer)
        return tracker

    dispatcher = CollectingDispatcher()
    events = await ActionSearchOffers(api).run(dispatcher, after("action_explore_professions"), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_explore_list_topic",
        "utter_explore_offers_near",
        "utter_explore_more",
    ]
    assert events[0]["value"]["topic"] == "animals" and events[0]["value"]["place"] == "melle"
    narrowed = await ActionSearchOffers(api)._plan(
        after("action_explore_professions", intent="refine_offers"), None
    )
    assert narrowed == ListTheField(kind=None)
    # "nur Praktikum in Melle": the list with the internships near Melle
    internships = after("action_explore_professions", text="nur praktikum in melle", intent="refine_offers")
    assert await ActionSearchOffers(api)._plan(internships, None) == ListTheField(kind="internship")
    # the list came from an offer search that handed a field over ("ausbildung kfz in osnabrück")
    handed_over = after("action_search_offers")
    handed_over.events[1:1] = [{"event": "slot", "name": "explore_query", "value": {"topic": "animals"}}]
    assert isinstance(await ActionSearchOffers(api)._plan(handed_over, None), ListTheField)
    for tracker in (
        after("action_search_offers"),
        after("action_answer_profession"),
        after("action_explore_professions", text="nur praktikum ab august in melle"),
        make_tracker("und in melle?", "search_offers", [entity("place", "melle")]),
    ):
        assert not isinstance(await ActionSearchOffers(api)._plan(tracker, None), ListTheField)


async def test_a_kind_of_offer_after_the_list_counts_only_that_kind(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    """ "was mit tieren in melle", then "nur praktikum": the same list with the internships near
    Melle, and buttons that search internships; without a place, the internships in the whole region."""
    listed = make_tracker(
        "was mit tieren in melle",
        "explore_professions",
        [entity("topic", "animals"), entity("place", "melle")],
    )
    _, events = await run(api, listed)
    only = make_tracker("nur praktikum", "refine_offers", [], {"explore_query": events[0]["value"]})
    only.events[:0] = answered_with("action_explore_professions")
    dispatcher = CollectingDispatcher()
    events = await ActionSearchOffers(api).run(dispatcher, only, DOMAIN)
    near = dispatcher.messages[1]
    assert (near["response"], near["offers"], near["place"], near["lines"]) == (
        "utter_explore_offers_near",
        "Praktika",
        "Melle",
        "• Beruf 0: 2",
    )
    assert [b["payload"] for b in near["buttons"]] == [
        '/search_offers{"profession": "beruf-0", "place": "Melle", "offer_kind": "internship"}'
    ]
    counted = [dict(r.url.params) for r in explore_api.requests if r.url.path == "/api/v1/offers"][-5:]
    assert {(o["kind"], o["near"]) for o in counted} == {("internship", "Melle")}
    assert events[0]["value"]["offer_kind"] == "internship" and events[0]["value"]["topic"] == "animals"

    anywhere = make_tracker("nur praktikum", "refine_offers", [], {"explore_query": {"topic": "animals"}})
    anywhere.events[:0] = answered_with("action_explore_professions")
    dispatcher = CollectingDispatcher()
    await ActionSearchOffers(api).run(dispatcher, anywhere, DOMAIN)
    region = dispatcher.messages[1]
    assert (region["response"], region["offers"], region["lines"]) == (
        "utter_explore_offers_region",
        "Praktika",
        "• Beruf 0: 5\n• Beruf 1: 3",
    )
    assert region["buttons"][0]["payload"] == (
        '/search_offers{"profession": "beruf-0", "offer_refinement": "anywhere", "offer_kind": "internship"}'
    )
    counted = [dict(r.url.params) for r in explore_api.requests if r.url.path == "/api/v1/offers"][-5:]
    assert all("near" not in o and o["kind"] == "internship" for o in counted)


@pytest.mark.parametrize(
    ("last_answer", "counted"), [("action_search_offers", True), ("action_answer_profession", False)]
)
async def test_a_field_right_after_offers_somewhere_counts_the_fields_offers_there(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory, last_answer: str, counted: bool
) -> None:
    """ "praktikum in melle" (offers shown), then "was mit tieren": the field's internships near Melle."""
    search = SearchState(place="Melle", kind="internship", shown=(1, 2)).to_slot()
    tracker = make_tracker(
        "was mit tieren", "explore_professions", [entity("topic", "animals")], {"offer_search": search}
    )
    tracker.events[:0] = [
        {"event": "action", "name": last_answer},
        {"event": "action", "name": "action_listen"},
    ]
    dispatcher, events = await run(api, tracker)
    responses = [m["response"] for m in dispatcher.messages]
    if counted:
        assert responses == ["utter_explore_list_topic", "utter_explore_offers_near", "utter_explore_more"]
        assert (dispatcher.messages[1]["offers"], dispatcher.messages[1]["place"]) == ("Praktika", "Melle")
        assert (events[0]["value"]["place"], events[0]["value"]["offer_kind"]) == ("Melle", "internship")
    else:
        assert responses == ["utter_explore_list_topic", "utter_explore_more"]


async def test_follow_ups_go_to_what_the_pupil_saw_whichever_action_made_it(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    """The two actions hand messages to each other; a follow-up goes by the answer the pupil saw
    (the slots the action set), not by the action's name, and is never handed back and forth."""
    listed_query = {"topic": "animals", "place": "melle", "offset": 0}
    field_list: list[dict[str, Any]] = [
        {"event": "action", "name": "action_search_offers"},  # "Ausbildung mit Tieren in Melle"
        {
            "event": "slot",
            "name": "explore_query",
            "value": listed_query,
        },
        {"event": "action", "name": "action_listen"},
    ]
    slots = {"explore_query": listed_query, "profession": "beruf-0"}
    # "mehr" (the rules send it to the offer search, which made the list): the list's next page
    more = make_tracker("mehr", "more_offers", [], slots)
    more.events[:0] = field_list
    dispatcher = CollectingDispatcher()
    await ActionSearchOffers(api).run(dispatcher, more, DOMAIN)
    assert explore_api.params[-1]["offset"] == "5"
    # "und in Bad Iburg?" read as a search of occupations, with an occupation in the slot from
    # before the list: the list near Bad Iburg (it was handed back and forth without end)
    place = make_tracker("und in bad iburg?", "explore_professions", [entity("place", "bad iburg")], slots)
    place.events[:0] = field_list
    dispatcher, _ = await run(api, place)
    assert [m["response"] for m in dispatcher.messages][:2] == [
        "utter_explore_list_topic",
        "utter_explore_offers_none_near",
    ]

    # offers that the list's action found ("und gibts in Melle was" after one occupation), then "mehr"
    # (the rules send it to the list's action): the offers' next page
    shown_search = {"profession": "beruf-0", "place": "Melle", "shown": [1, 2, 3]}
    offers: list[dict[str, Any]] = [
        {"event": "action", "name": "action_explore_professions"},
        {
            "event": "slot",
            "name": "offer_search",
            "value": shown_search,
        },
        {"event": "action", "name": "action_listen"},
    ]
    more = make_tracker(
        "mehr",
        "more_offers",
        [],
        {"offer_search": shown_search, "explore_query": listed_query},
    )
    more.events[:0] = offers
    before = len(explore_api.params)
    dispatcher = CollectingDispatcher()
    await ActionExploreProfessions(api).run(dispatcher, more, DOMAIN)
    searched = [dict(r.url.params) for r in explore_api.requests if r.url.path == "/api/v1/offers"][-1]
    assert (searched["profession"], searched["near"], searched["offset"]) == ("beruf-0", "Melle", "3")
    assert len(explore_api.params) == before  # no list paged
    # "weitere berufe" there pages the list, not the offers
    matches = make_tracker(
        "weitere berufe", "more_matches", [], {"offer_search": shown_search, "explore_query": listed_query}
    )
    matches.events[:0] = offers
    dispatcher = CollectingDispatcher()
    await ActionExploreProfessions(api).run(dispatcher, matches, DOMAIN)
    assert explore_api.params[-1]["offset"] == "5"


async def test_no_offers_near_the_place_says_so(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "was mit tieren in bad iburg",
        "explore_professions",
        [entity("topic", "animals"), entity("place", "bad iburg")],
    )
    dispatcher, _ = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_explore_list_topic",
        "utter_explore_offers_none_near",
        "utter_explore_more",
    ]
    assert dispatcher.messages[1]["place"] == "Bad Iburg"


async def test_a_place_alone_asks_for_what_the_pupil_likes(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("was gibts in melle", "explore_professions", [entity("place", "melle")])
    dispatcher, _ = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_ask_topic"]
    assert explore_api.requests == []


async def test_an_unknown_place_or_offers_down_keeps_the_list(
    api: ExchangeApi, explore_api: ExploreApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "berufe mit tieren in hintertupfingen",
        "explore_professions",
        [entity("topic", "animals"), entity("place", "hintertupfingen")],
    )
    dispatcher, _ = await run(api, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_list_topic", "utter_explore_more"]


# --- "und wie lange dauert die ausbildung?" read as a search, after an answer about one occupation ----


@pytest.fixture
async def profile_api(fake_api: FakeApi) -> AsyncIterator[ExchangeApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake_api.handle))
    async with client:
        yield ExchangeApi(client)


def after_a_profile(make_tracker: TrackerFactory, text: str, ranking: list[str], last_answer: str) -> Any:
    tracker = make_tracker(text, "explore_professions", slots={"profession": "koch"})
    tracker.latest_message["intent_ranking"] = [{"name": name, "confidence": 0.1} for name in ranking]
    tracker.events[:0] = answered_with(last_answer)
    return tracker


async def run_with_domain(
    api: ExchangeApi, tracker: Any
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionExploreProfessions(api).run(dispatcher, tracker, load_domain())
    return dispatcher, events


async def test_a_search_without_criterion_after_a_profile_answers_about_that_occupation(
    profile_api: ExchangeApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    tracker = after_a_profile(
        make_tracker,
        "und wie lange dauert die ausbildung?",
        ["explore_professions", "ask_duration", "ask_pay"],
        "action_answer_profession",
    )
    dispatcher, events = await run_with_domain(profile_api, tracker)
    assert dispatcher.messages[0]["response"] == "utter_profession_duration"
    assert dispatcher.messages[0]["name"] == "Koch/Köchin"
    assert events == []  # the occupation stays the context, no list is stored
    assert fake_api.paths == ["/api/v1/professions/koch"]

    tracker = after_a_profile(
        make_tracker,
        "and how much do they earn?",
        ["explore_professions", "ask_pay"],
        "action_answer_profession",
    )
    dispatcher, _ = await run_with_domain(profile_api, tracker)
    assert dispatcher.messages[0]["response"].startswith("utter_profession_pay")


async def test_after_a_list_the_same_message_stays_a_search(
    profile_api: ExchangeApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    tracker = after_a_profile(
        make_tracker,
        "und wie lange dauert die ausbildung?",
        ["explore_professions", "ask_duration"],
        "action_explore_professions",
    )
    dispatcher, _ = await run_with_domain(profile_api, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_explore_ask_topic"]
    assert fake_api.requests == []
