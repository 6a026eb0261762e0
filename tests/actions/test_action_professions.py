"""action_answer_profession end to end: tracker in, responses and events out, API mocked."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import BerufslotseApi
from actions.professions import ActionAnswerProfession
from tests.actions.exchange_fakes import load_domain
from tests.actions.support import FakeApi, TrackerFactory

DOMAIN: Any = load_domain()  # the button titles of the next steps come from its responses


def steps(slug: str, *titles_and_payloads: tuple[str, str]) -> list[dict[str, str]]:
    """The next-step buttons an answer ends with (payloads with `{slug}` filled in)."""
    return [
        {"title": title, "payload": payload.replace("{slug}", slug)} for title, payload in titles_and_payloads
    ]


OFFERS = ("Angebote in meiner Nähe", '/search_offers{"profession":"{slug}","offer_refinement":"near_me"}')
TASKS = ("Was macht man da?", '/ask_tasks{"profession":"{slug}"}')
PAY = ("Was verdient man?", '/ask_pay{"profession":"{slug}"}')
CERTIFICATE = ("Welcher Schulabschluss?", '/ask_certificate{"profession":"{slug}"}')
SUBJECTS = ("Welche Schulfächer helfen?", '/ask_subjects{"profession":"{slug}"}')


def profession(slug: str) -> dict[str, Any]:
    return {
        "entity": "profession",
        "value": slug,
        "start": 0,
        "end": len(slug),
        "extractor": "OccupationEntityExtractor",
    }


def sent(dispatcher: CollectingDispatcher) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(response name, template variables, buttons) of every message, in order."""
    standard = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
    return [
        (
            message["response"],
            {key: value for key, value in message.items() if key not in standard},
            message["buttons"],
        )
        for message in dispatcher.messages
    ]


async def run(api: BerufslotseApi, tracker: Any) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerProfession(api).run(dispatcher, tracker, DOMAIN)
    return dispatcher, events


async def test_pay_question_with_an_occupation(api: BerufslotseApi, make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        "was verdient man als koch", "ask_pay", [profession("koch")], {"profession": "koch"}
    )
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_pay_minimum",
            {
                "name": "Koch/Köchin",
                "start_year": 2026,
                "pay_first": "724",
                "pay_last": "977",
                "last_year": 3,
            },
            [],
        ),
        (
            "utter_profession_pay_agreed",
            {
                "name": "Koch/Köchin",
                "agreed_year": 2023,
                "agreed_pay": "1.012",
                "region": "in Westdeutschland",
                "source": "-",
            },
            steps("koch", OFFERS, TASKS),  # a pay answer leads on to offers and to the job itself
        ),
    ]
    assert events == [SlotSet("profession", "koch")]


async def test_follow_up_answers_about_the_profession_slot(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("und wie lange?", "ask_duration", slots={"profession": "koch"})
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_duration",
            {"name": "Koch/Köchin", "duration": "3", "months": 36, "training_type": "duale Ausbildung"},
            steps("koch", PAY, CERTIFICATE),
        )
    ]
    assert events == []
    assert fake_api.paths == ["/api/v1/professions/koch"]


async def test_overview_in_english_offers_follow_up_buttons_from_the_domain(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("what does a cook do", "ask_profession", [profession("koch")], {"language": "en"})
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_overview",
            {
                "name": "Cook",
                "description": "You cook meals in restaurants and canteens.",
                "duration": "3",
                "training_type": "dual apprenticeship",
            },
            [],
        ),
        ("utter_profession_next_steps", {"name": "Cook", "slug": "koch"}, []),
    ]
    assert events == [SlotSet("profession", "koch")]


async def test_ambiguous_word_offers_a_choice_for_the_same_question(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    query = {"entity": "profession_query", "value": "Mechaniker", "start": 19, "end": 29}
    tracker = make_tracker("was verdient ein Mechaniker", "ask_pay", [query], {"profession": "koch"})
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_choose",
            {"query": "Mechaniker"},
            [
                {
                    "title": "Industriemechaniker/in",
                    "payload": '/ask_pay{"profession":"industriemechaniker"}',
                },
                {
                    "title": "Zerspanungsmechaniker/in",
                    "payload": '/ask_pay{"profession":"zerspanungsmechaniker"}',
                },
                {
                    "title": "Kfz-Mechatroniker/in",
                    "payload": '/ask_pay{"profession":"kraftfahrzeugmechatroniker"}',
                },
            ],
        )
    ]
    assert events == []
    assert fake_api.paths == ["/api/v1/professions?q=Mechaniker&limit=6"]


@pytest.mark.parametrize(("earlier", "offered"), [("profession_query", True), ("profession", False)])
async def test_a_question_typed_after_a_choice_offers_the_choice_again(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory, earlier: str, offered: bool
) -> None:
    """ "was macht ein Mechaniker" (a choice of occupations), then "und was verdient man da" typed
    instead of a tap: the same choice, with buttons for the pay. After a message that named one
    occupation there is nothing to choose (its slot answers follow-ups)."""
    mention = {"entity": earlier, "value": "Mechaniker", "start": 13, "end": 23}
    tracker = make_tracker("und was verdient man da", "ask_pay")
    tracker.events[:0] = [
        {"event": "user", "text": "was macht ein Mechaniker", "parse_data": {"entities": [mention]}},
        {"event": "action", "name": "action_answer_profession"},
        {"event": "action", "name": "action_listen"},
    ]
    dispatcher, events = await run(api, tracker)
    if offered:
        [(response, variables, buttons)] = sent(dispatcher)
        assert (response, variables) == ("utter_profession_choose", {"query": "Mechaniker"})
        assert buttons[0]["payload"] == '/ask_pay{"profession":"industriemechaniker"}'
    else:
        assert [message[0] for message in sent(dispatcher)] == ["utter_ask_which_profession"]
    assert events == []


async def test_everyday_name_answers_its_first_choice_and_offers_the_others(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    """The NLU sends `profession` (first choice) and `profession_query` on the same span."""
    first = {"entity": "profession", "value": "industriemechaniker", "start": 4, "end": 14}
    word = {"entity": "profession_query", "value": "Mechaniker", "start": 4, "end": 14}
    tracker = make_tracker("ist Mechaniker schwer", "ask_certificate", [first, word])
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_certificate_open",
            {"name": "Industriemechaniker/in", "typical": "Realschulabschluss"},
            steps("industriemechaniker", SUBJECTS, OFFERS),
        ),
        (
            "utter_profession_also",
            {"query": "Mechaniker"},
            [
                {
                    "title": "Zerspanungsmechaniker/in",
                    "payload": '/ask_certificate{"profession":"zerspanungsmechaniker"}',
                },
                {
                    "title": "Kfz-Mechatroniker/in",
                    "payload": '/ask_certificate{"profession":"kraftfahrzeugmechatroniker"}',
                },
            ],
        ),
    ]
    assert events == [SlotSet("profession", "industriemechaniker")]
    assert fake_api.paths == [
        "/api/v1/professions/industriemechaniker",
        "/api/v1/professions?q=Mechaniker&limit=6",
    ]


async def test_everyday_name_is_answered_even_when_the_search_for_the_others_fails(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    fake_api.failing_paths.add("/api/v1/professions")
    first = {"entity": "profession", "value": "industriemechaniker", "start": 4, "end": 14}
    word = {"entity": "profession_query", "value": "Mechaniker", "start": 4, "end": 14}
    tracker = make_tracker("ist Mechaniker schwer", "ask_certificate", [first, word])
    dispatcher, events = await run(api, tracker)
    assert [response for response, _, _ in sent(dispatcher)] == ["utter_profession_certificate_open"]
    assert events == [SlotSet("profession", "industriemechaniker")]


async def test_ambiguous_word_with_a_single_candidate_is_answered(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    query = {"entity": "profession_query", "value": "industriemechaniker", "start": 0, "end": 19}
    tracker = make_tracker("industriemechaniker schulabschluss", "ask_certificate", [query])
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_certificate_open",
            {"name": "Industriemechaniker/in", "typical": "Realschulabschluss"},
            steps("industriemechaniker", SUBJECTS, OFFERS),
        )
    ]
    assert events == [SlotSet("profession", "industriemechaniker")]


async def test_typo_gets_did_you_mean_buttons(api: BerufslotseApi, make_tracker: TrackerFactory) -> None:
    tracker = make_tracker("mechatronikr?", "ask_profession")
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_did_you_mean",
            {"query": "mechatronikr"},
            [
                {"title": "Mechatroniker/in", "payload": '/ask_profession{"profession":"mechatroniker"}'},
                {
                    "title": "Kfz-Mechatroniker/in",
                    "payload": '/ask_profession{"profession":"kraftfahrzeugmechatroniker"}',
                },
            ],
        )
    ]
    assert events == []


async def test_unknown_occupation_is_admitted_even_with_context(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("was verdient ein astronaut", "ask_pay", slots={"profession": "koch"})
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [("utter_profession_unknown", {"query": "astronaut"}, [])]
    assert events == []


async def test_question_without_any_occupation_asks_which(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("wie lange dauert die ausbildung", "ask_duration")
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [("utter_ask_which_profession", {}, [])]
    assert events == []
    assert fake_api.requests == []


async def test_an_abbreviation_alone_offers_the_occupations_it_stands_for(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    dispatcher, events = await run(api, make_tracker("KFZ?", "ask_profession"))
    assert sent(dispatcher) == [
        (
            "utter_profession_choose",
            {"query": "kfz"},
            [
                {
                    "title": "Kfz-Mechatroniker/in",
                    "payload": '/ask_profession{"profession":"kraftfahrzeugmechatroniker"}',
                },
                {"title": "Mechatroniker/in", "payload": '/ask_profession{"profession":"mechatroniker"}'},
            ],
        )
    ]
    assert events == []


async def test_an_abbreviation_with_one_close_match_is_answered(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    dispatcher, events = await run(api, make_tracker("imk", "ask_certificate"))
    assert [name for name, _, _ in sent(dispatcher)] == ["utter_profession_certificate_open"]
    assert events == [SlotSet("profession", "industriemechaniker")]


async def test_a_short_word_that_finds_nothing_still_asks_which(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    dispatcher, events = await run(api, make_tracker("why?", "ask_profession"))
    assert sent(dispatcher) == [("utter_ask_which_profession", {}, [])]
    assert events == []
    assert len(fake_api.requests) == 1  # searched once, nothing close enough


async def test_button_payload_switches_the_context(api: BerufslotseApi, make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        '/ask_subjects{"profession":"koch"}', "ask_subjects", [profession("koch")], {"profession": "erzieher"}
    )
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [
        (
            "utter_profession_subjects",
            {"name": "Koch/Köchin", "subjects": "Hauswirtschaft, Biologie"},
            steps("koch", CERTIFICATE, OFFERS),
        )
    ]
    assert events == [SlotSet("profession", "koch")]


async def test_two_occupations_in_one_message_are_both_answered(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "koch oder erzieher was verdient man", "ask_pay", [profession("koch"), profession("erzieher")]
    )
    dispatcher, events = await run(api, tracker)
    assert [response for response, _, _ in sent(dispatcher)] == [
        "utter_profession_pay_minimum",
        "utter_profession_pay_agreed",
        "utter_profession_pay_note",
    ]
    assert events == [SlotSet("profession", "koch")]


async def test_stale_slot_is_cleared(api: BerufslotseApi, make_tracker: TrackerFactory) -> None:
    tracker = make_tracker("und was verdient man da", "ask_pay", slots={"profession": "abgeschafft"})
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [("utter_profession_not_found", {}, [])]
    assert events == [SlotSet("profession", None)]


async def test_unknown_slug_in_a_button_does_not_become_context(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker('/ask_pay{"profession":"abgeschafft"}', "ask_pay", [profession("abgeschafft")])
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [("utter_profession_not_found", {}, [])]
    assert events == [SlotSet("profession", None)]


async def test_api_down_gives_a_friendly_answer(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    fake_api.down = True
    for tracker in (
        make_tracker("was verdient ein koch", "ask_pay", [profession("koch")]),
        make_tracker(
            "was macht ein mechaniker",
            "ask_profession",
            [{"entity": "profession_query", "value": "mechaniker"}],
        ),
        make_tracker("astronaut?", "ask_profession"),
    ):
        dispatcher, events = await run(api, tracker)
        assert sent(dispatcher) == [("utter_service_unavailable", {}, [])]
        assert events == []


async def test_profile_missing_among_several_is_reported_once(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "abgeschafft oder koch", "ask_duration", [profession("abgeschafft"), profession("koch")]
    )
    dispatcher, events = await run(api, tracker)
    assert [response for response, _, _ in sent(dispatcher)] == [
        "utter_profession_not_found",
        "utter_profession_duration",
    ]
    assert events == [SlotSet("profession", "koch")]


async def test_api_failing_midway_sends_no_half_answer(
    api: BerufslotseApi, fake_api: FakeApi, make_tracker: TrackerFactory
) -> None:
    fake_api.failing_paths.add("/api/v1/professions/erzieher")
    tracker = make_tracker("koch oder erzieher", "ask_pay", [profession("koch"), profession("erzieher")])
    dispatcher, events = await run(api, tracker)
    assert sent(dispatcher) == [("utter_service_unavailable", {}, [])]
    assert events == []


async def test_every_aspect_answer_ends_with_next_steps_in_the_conversations_language(
    api: BerufslotseApi, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("what does a cook earn", "ask_pay", [profession("koch")], {"language": "en"})
    dispatcher, _ = await run(api, tracker)
    *earlier, (_, _, last) = sent(dispatcher)
    assert all(buttons == [] for _, _, buttons in earlier)  # only the last message leads on
    assert last == [
        {
            "title": "Offers near me",
            "payload": '/search_offers{"profession":"koch","offer_refinement":"near_me"}',
        },
        {"title": "What do you do in this job?", "payload": '/ask_tasks{"profession":"koch"}'},
    ]
    for intent in ("ask_tasks", "ask_workplaces", "ask_duration", "ask_certificate", "ask_subjects"):
        dispatcher, _ = await run(api, make_tracker("und?", intent, [profession("koch")]))
        assert len(sent(dispatcher)[-1][2]) >= 1, intent
