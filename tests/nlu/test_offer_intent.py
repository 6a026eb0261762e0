"""nlu/readers/offer_intent.py (which messages are offer searches the classifier missed) and the
component that applies it (nlu/offer_intent_reader.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.offer_intent_reader import OfferIntentReader
from nlu.readers.offer_intent import OVERRIDABLE, REFINE_OFFERS, SEARCH_OFFERS, offer_intent
from tests.nlu.rasa_graph import execution_context


@pytest.mark.parametrize(
    ("text", "top", "place", "expected"),
    [
        # a kind of offer and where, no question: a search, whatever the classifier thought
        ("ausbildung pflege ostercappeln", "rules", True, SEARCH_OFFERS),
        ("Praktikum 9. Klasse Merzen", "rules", True, SEARCH_OFFERS),
        ("lehrstelle im umkreis von 20 km", "explore_professions", False, SEARCH_OFFERS),
        ("any internships near me", "ask_workplaces", False, SEARCH_OFFERS),
        ("schülerpraktikum im kindergarten in der nähe", "explore_professions", False, SEARCH_OFFERS),
        ("was für ausbildungsplätze gibt es in melle", "ask_profession", True, SEARCH_OFFERS),
        ("wer bietet ein praktikum als tischler in bramsche an", "ask_tasks", True, SEARCH_OFFERS),
        ("ich brauch nen praktikumsplatz in belm", "rules", True, SEARCH_OFFERS),
        # a follow-up: a change to the last search
        ("und praktika in bramsche?", "explore_professions", True, REFINE_OFFERS),
        ("lieber ausbildung in melle", "rules", True, REFINE_OFFERS),
        ("what about internships in melle", "ask_related", True, REFINE_OFFERS),
        # words that only change a search, and a follow-up with another place or start
        ("näher dran bitte", "explore_professions", False, REFINE_OFFERS),
        ("geht auch weiter weg", "rules", False, REFINE_OFFERS),
        ("max 15 km", "ask_workplaces", False, REFINE_OFFERS),
        ("egal wo", "smalltalk", False, REFINE_OFFERS),
        ("und was ist mit georgsmarienhütte", "explore_professions", True, REFINE_OFFERS),
        ("lieber ab september", "explore_professions", False, REFINE_OFFERS),
        ("auch ähnliche berufe", "ask_related", False, None),  # after a profile: related occupations
        ("und ohne abi?", "explore_professions", False, None),  # narrows a list of occupations
        ("georgsmarienhütte", "smalltalk", True, None),  # a place alone: no follow-up
        ("max 15 km", "check_answer", False, None),  # the check's radius question
        ("praktikum in melle", "check_answer", True, None),  # the check's questions keep their answers
        # a question about training stays with the classifier
        ("wie lange dauert die ausbildung in melle", "ask_profession", True, None),
        ("was muss ich beim praktikum in bramsche beachten", "rules", True, None),
        ("how much do apprentices earn in osnabrück", "rules", True, None),
        ("brauch ich für die ausbildung in melle ein abi", "rules", True, None),
        # no kind of offer, or no place
        ("berufe mit tieren in melle", "explore_professions", True, None),
        ("ausbildung als koch", "ask_profession", False, None),
        ("praktikum in der 9. klasse", "rules", False, None),
        # intents that are not taken over: offers, saved searches, the check, deletion ...
        ("benachrichtige mich bei neuen praktika in melle", "save_search", True, None),
        ("ausbildung in melle", "search_offers", True, None),
        ("lösch meine praktikumssuche in melle", "delete_my_data", True, None),
        ("ausbildung in melle", None, True, None),
        # a button payload is never read as words
        ('/search_offers{"place": "melle"}', "rules", True, None),
    ],
)
def test_offer_intent(text: str, top: str | None, place: bool, expected: str | None) -> None:
    assert offer_intent(text, top, place) == expected


def test_only_the_intents_that_share_the_words_are_taken_over() -> None:
    assert not OVERRIDABLE & {
        "search_offers", "refine_offers", "more_offers", "offer_details", "save_search",
        "request_contact", "delete_my_data", "handoff", "start_check", "switch_language", "stop",
        "check_answer", "affirm", "deny",
    }  # fmt: skip
    for intent in OVERRIDABLE:
        assert offer_intent("ausbildung in melle", intent, True) == SEARCH_OFFERS


def _message(text: str, intent: str, confidence: float, places: tuple[str, ...] = ()) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "search_offers", "confidence": 0.2}]
    entities: list[dict[str, Any]] = [{"entity": "place", "value": place} for place in places]
    return Message(
        {
            TEXT: text,
            INTENT: {"name": intent, "confidence": confidence},
            INTENT_RANKING_KEY: ranking,
            ENTITIES: entities,
        }
    )


@pytest.fixture
def reader(tmp_path: Any) -> OfferIntentReader:
    resource = Resource("offer_intent")
    context = execution_context(OfferIntentReader, resource.name)
    return OfferIntentReader.create({}, LocalModelStorage.create(tmp_path), resource, context)


def test_the_component_sets_the_intent_and_keeps_the_ranking_below(reader: OfferIntentReader) -> None:
    searched, asked = reader.process(
        [
            _message("ausbildung pflege ostercappeln", "rules", 0.99, places=("ostercappeln",)),
            _message("wie lange dauert die ausbildung in melle", "ask_profession", 0.9, places=("melle",)),
        ]
    )
    assert searched.get(INTENT) == {"name": "search_offers", "confidence": 1.0}
    assert searched.get(INTENT_RANKING_KEY) == [
        {"name": "search_offers", "confidence": 1.0},
        {"name": "rules", "confidence": 0.495},
    ]
    assert asked.get(INTENT) == {"name": "ask_profession", "confidence": 0.9}  # a question: as it was


def test_a_place_needs_its_entity_or_words_that_say_where(reader: OfferIntentReader) -> None:
    (message,) = reader.process([_message("ausbildung ostercappeln", "rules", 0.99)])  # no place entity
    assert message.get(INTENT)["name"] == "rules"
