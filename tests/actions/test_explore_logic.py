"""actions.explore_logic: what to list after a message, and which responses show it."""

from __future__ import annotations

from typing import Any

import pytest

from actions.api_client import ExploreItem, ExplorePage, LocalizedText, PayRank, ProfessionSummary, TopicName
from actions.explore_logic import (
    ExploreQuery,
    entity_values,
    follow_up_intent,
    next_query,
    occupation_is_subject,
    reply,
)
from tests.actions.test_domain_responses import RESPONSES, variables_used

TOPICS = {"animals": TopicName("animals", LocalizedText(de="Tiere", en="animals"))}


def entity(kind: str, value: str) -> dict[str, Any]:
    return {"entity": kind, "value": value, "extractor": "ExploreEntityExtractor"}


def item(slug: str, name: str, pay: PayRank | None = None) -> ExploreItem:
    return ExploreItem(ProfessionSummary(slug, name, f"{name} (en)", "dual", 36), pay)


def page(count: int, total: int | None = None) -> ExplorePage:
    items = tuple(item(f"beruf-{n}", f"Beruf {n}") for n in range(count))
    return ExplorePage(items=items, total=count if total is None else total)


def test_entity_values_keep_the_first_known_value_of_each_kind() -> None:
    entities = [
        entity("topic", "animals"),
        entity("topic", "wood"),
        entity("certificate", "hauptschule"),
        entity("duration", "24"),
        entity("pay_order", "high"),
        entity("training_type", "dual"),
        {"entity": "profession", "value": "koch"},
    ]
    assert entity_values(entities) == {
        "topic": "animals",
        "certificate": "hauptschule",
        "duration": 24,
        "pay_order": "high",
        "training_type": "dual",
    }


@pytest.mark.parametrize(
    "bad",
    [
        entity("certificate", "diploma"),
        entity("duration", "zwei"),
        entity("duration", "600"),
        entity("topic", "../x"),
    ],
)
def test_unknown_values_are_ignored(bad: dict[str, Any]) -> None:
    assert entity_values([bad]) == {}


def test_a_follow_up_without_topic_refines_the_last_list() -> None:
    previous = ExploreQuery(topic="animals", offset=5)
    query = next_query(previous, [entity("certificate", "hauptschule")], "explore_professions")
    assert query == ExploreQuery(topic="animals", certificate="hauptschule", offset=0)
    query = next_query(query, [entity("training_type", "dual")], "explore_professions")
    assert query == ExploreQuery(topic="animals", certificate="hauptschule", training_type="dual")


def test_a_new_topic_starts_afresh() -> None:
    previous = ExploreQuery(topic="animals", certificate="hauptschule")
    assert next_query(previous, [entity("topic", "wood")], "explore_professions") == ExploreQuery(
        topic="wood"
    )


def test_more_pages_on_and_needs_a_list_before() -> None:
    previous = ExploreQuery(topic="animals")
    assert next_query(previous, [], "more_offers") == ExploreQuery(topic="animals", offset=5)
    assert next_query(None, [], "more_offers").is_empty


def test_the_slot_round_trip_and_broken_slot_values() -> None:
    query = ExploreQuery(topic="animals", duration=24, pay_order="high", offset=10)
    assert ExploreQuery.from_slot(query.to_slot()) == query
    assert ExploreQuery.from_slot(None) is None
    assert ExploreQuery.from_slot("not json") is None
    assert ExploreQuery.from_slot({"topic": 3, "offset": -1}) is None


def test_filters_for_the_api() -> None:
    query = ExploreQuery(
        topic="animals", certificate="none", duration=24, pay_order="high", training_type="dual"
    )
    assert query.filters().params() == {
        "topic": "animals",
        "reachable_with": "none",
        "duration_max": 24,
        "training_type": "dual",
        "sort": "pay",
    }


def test_a_topic_list_with_buttons_and_more() -> None:
    utterances = reply(ExploreQuery(topic="animals"), page(5, total=8), TOPICS, "de")
    assert [u.response for u in utterances] == ["utter_explore_list_topic", "utter_explore_more"]
    header = utterances[0]
    assert header.variables == {"topic": "Tiere"}
    # a list's buttons stay usable after one was pressed (docs/widget_messages.md)
    assert header.buttons[0] == {
        "title": "Beruf 0",
        "payload": '/ask_profession{"profession":"beruf-0"}',
        "keep": True,
    }
    assert len(header.buttons) == 5


def test_the_last_page_offers_the_check_and_english_names() -> None:
    utterances = reply(ExploreQuery(topic="animals", offset=5), page(3, total=8), TOPICS, "en")
    assert [u.response for u in utterances] == ["utter_explore_list_topic", "utter_explore_end"]
    assert utterances[0].variables == {"topic": "animals"}
    assert utterances[0].buttons[0]["title"] == "Beruf 0 (en)"


def test_notes_for_the_filters_on_the_first_page_only() -> None:
    query = ExploreQuery(certificate="hauptschule", training_type="dual", duration=24)
    assert [u.response for u in reply(query, page(2), TOPICS, "de")] == [
        "utter_explore_note_certificate_hauptschule",
        "utter_explore_note_training_type_dual",
        "utter_explore_note_duration",
        "utter_explore_list",
        "utter_explore_end",
    ]
    assert reply(query, page(2), TOPICS, "de")[2].variables == {"years": "2"}
    later = reply(ExploreQuery(certificate="hauptschule", offset=5), page(2, total=7), TOPICS, "de")
    assert [u.response for u in later] == ["utter_explore_list", "utter_explore_end"]


def test_pay_lines_say_where_each_figure_comes_from() -> None:
    items = (
        item("zimmerer", "Zimmerer/-in", PayRank("agreed", 1343, 2024, "https://z")),
        item("friseur", "Friseur/-in", PayRank("minimum", 852, 2026)),
        item("erzieher", "Erzieher/-in", PayRank("unknown", None, None)),
    )
    utterances = reply(ExploreQuery(pay_order="high"), ExplorePage(items, 3), TOPICS, "de")
    assert [(u.response, dict(u.variables)) for u in utterances[:5]] == [
        ("utter_explore_pay_intro", {}),
        (
            "utter_explore_pay_agreed",
            {"name": "Zimmerer/-in", "eur": "1.343", "year": 2024, "source": "https://z"},
        ),
        ("utter_explore_pay_minimum", {"name": "Friseur/-in", "eur": "852", "year": 2026}),
        ("utter_explore_pay_unknown", {"name": "Erzieher/-in"}),
        ("utter_explore_pay_explained", {}),
    ]


def test_nothing_found_nothing_more_and_nothing_asked() -> None:
    assert [u.response for u in reply(ExploreQuery(topic="animals"), page(0), TOPICS, "de")] == [
        "utter_explore_none"
    ]
    more = reply(ExploreQuery(topic="animals", offset=5), page(0), TOPICS, "de")
    assert [u.response for u in more] == ["utter_explore_no_more"]
    assert [u.response for u in reply(ExploreQuery(), page(0), TOPICS, "de")] == ["utter_explore_ask_topic"]


def test_every_response_the_logic_sends_exists_with_its_variables() -> None:
    queries = [
        ExploreQuery(topic="animals", certificate=c, training_type=t, duration=24, pay_order="high")
        for c in ("none", "hauptschule", "realschule", "fachabitur", "abitur")
        for t in ("dual", "school", "civil_service", "dual_study")
    ]
    items = (
        item("a", "A", PayRank("agreed", 1343, 2024, "https://z")),
        item("b", "B", PayRank("minimum", 852, 2026)),
        item("c", "C", PayRank("unknown", None, None)),
    )
    utterances = [u for query in queries for u in reply(query, ExplorePage(items, 9), TOPICS, "de")]
    utterances += reply(ExploreQuery(), page(0), TOPICS, "de")
    utterances += reply(ExploreQuery(topic="x"), page(0), TOPICS, "de")
    utterances += reply(ExploreQuery(topic="x", offset=5), page(0), TOPICS, "de")
    utterances += reply(ExploreQuery(duration=24), page(1), TOPICS, "de")
    for utterance in utterances:
        assert utterance.response in RESPONSES, utterance.response
        for variation in RESPONSES[utterance.response]:
            assert variables_used(variation) <= set(utterance.variables), utterance.response


# --- a search without any criterion while one occupation is the subject ------------------------------

DURATION_SECOND = [
    {"name": "explore_professions", "confidence": 0.99},
    {"name": "ask_duration", "confidence": 0.004},
    {"name": "ask_pay", "confidence": 0.002},
]


def test_a_search_without_criterion_about_the_occupation_in_context_is_its_follow_up() -> None:
    assert follow_up_intent("explore_professions", DURATION_SECOND, [], "tischler", True) == "ask_duration"
    pay_second = [{"name": "explore_professions"}, {"name": "nlu_fallback"}, {"name": "ask_pay"}]
    assert follow_up_intent("explore_professions", pay_second, [], "tischler", True) == "ask_pay"


@pytest.mark.parametrize(
    ("intent", "entities", "profession", "subject"),
    [
        # a real search names a criterion: a superlative, a number, a topic, a certificate, a place
        ("explore_professions", [entity("duration", "24")], "tischler", True),
        ("explore_professions", [entity("pay_order", "high")], "tischler", True),
        ("explore_professions", [entity("topic", "animals")], "tischler", True),
        ("explore_professions", [entity("place", "melle")], "tischler", True),
        # no occupation in context, or a list is the subject now
        ("explore_professions", [], None, True),
        ("explore_professions", [], "", True),
        ("explore_professions", [], "tischler", False),
        # other intents are answered by their own actions
        ("ask_duration", [], "tischler", True),
        ("more_matches", [], "tischler", True),
    ],
)
def test_a_search_stays_a_search(
    intent: str, entities: list[dict[str, Any]], profession: str | None, subject: bool
) -> None:
    assert follow_up_intent(intent, DURATION_SECOND, entities, profession, subject) is None


def test_only_duration_and_pay_questions_are_taken_as_follow_ups() -> None:
    # "welche berufe gibt es" after a profile: the next-best intent is no duration or pay question
    ranking = [{"name": "explore_professions"}, {"name": "ask_profession"}, {"name": "ask_duration"}]
    assert follow_up_intent("explore_professions", ranking, [], "tischler", True) is None
    assert (
        follow_up_intent("explore_professions", [{"name": "explore_professions"}], [], "tischler", True)
        is None
    )


def test_the_subject_is_the_latest_answer_about_occupations() -> None:
    def action(name: str) -> dict[str, Any]:
        return {"event": "action", "name": name}

    def slot(name: str, value: Any) -> dict[str, Any]:
        return {"event": "slot", "name": name, "value": value}

    user = {"event": "user", "text": "x"}
    listed = [action("action_explore_professions"), slot("explore_query", {"topic": "wood"})]
    assert occupation_is_subject([*listed, user, action("action_answer_profession"), user])
    assert not occupation_is_subject([action("action_answer_profession"), user, *listed, user])
    assert not occupation_is_subject(
        [action("action_answer_profession"), action("action_compare_professions"), user]
    )
    assert occupation_is_subject([action("action_listen"), user])
    # a list that an offer search made is a list; offers that the list's action found are offers
    assert not occupation_is_subject(
        [action("action_search_offers"), slot("explore_query", {"topic": "wood"}), user]
    )
    found = [action("action_explore_professions"), slot("offer_search", {"place": "Melle"})]
    assert occupation_is_subject([*listed, user, *found, user])
    # a thank-you, a language switch, a misunderstanding or an offer's details in between change nothing
    for between in ("utter_thanks", "action_switch_language", "action_fallback_search", "action_show_offer"):
        assert not occupation_is_subject([*listed, user, action(between), action("action_listen"), user])
