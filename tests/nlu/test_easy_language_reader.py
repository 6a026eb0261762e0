"""A typed request for easy German becomes the same switch as the widget's menu (issue 15)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.easy_language_reader import EasyLanguageReader
from nlu.readers.easy_language import easy_language_request
from tests.nlu.rasa_graph import ComponentFactory


@pytest.mark.parametrize(
    "text",
    [
        "kannst du in einfacher sprache schreiben",
        "bitte leichte Sprache",
        "Einfache Sprache",
        "erklär das bitte einfacher",
        "kannst du einfacher schreiben?",
        "schreib mal einfacher pls",
        "geht das auch in einfachem deutsch",
        "easy german please",
        "can you use simple language",
        "ich verstehe leider nicht so gut deutsch",
        "sorry ich kann kaum deutsch",
        "mein deutsch ist noch nicht so gut, geht das leichter?",
        "kannst du das einfach erklären",
        "ich kann kein deutsch",
        "ich versteh das nicht so gut deutsch. kannst du einfach schreiben?",
    ],
)
def test_asks_for_easy_german(text: str) -> None:
    assert easy_language_request(text) is True


@pytest.mark.parametrize(
    "text",
    ["wieder normale sprache bitte", "nicht mehr einfache sprache", "normal german again please"],
)
def test_asks_for_normal_german_again(text: str) -> None:
    assert easy_language_request(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "ist die ausbildung einfach?",
        "was ist einfacher, koch oder bäcker",
        "ich will was einfaches machen",
        "schreib einfach deutsch",  # "just write German": a language switch, not easy German
        "welche sprache spricht man im hotel",
        "simple question: what does a cook earn",
        "english please",
        "kannst du mir einfach sagen was ein koch verdient",  # "just tell me"
        "ich kann gut deutsch und englisch",
        "muss ich gut deutsch können für die ausbildung",
        "ich kann nicht gut deutsch schreiben, ist das schlimm für die bewerbung",
        "kann ich mit wenig deutsch eine ausbildung machen",
        "ich spreche kaum deutsch, welche berufe gehen da",
        "kannst du mir das nicht einfach sagen",
        "das kann man leicht sagen",
        "kannst du das nicht einfach schreiben",
    ],
)
def test_other_messages_are_left_alone(text: str) -> None:
    assert easy_language_request(text) is None


@pytest.fixture
def reader(create_component: ComponentFactory) -> EasyLanguageReader:
    component = create_component(EasyLanguageReader)
    assert isinstance(component, EasyLanguageReader)
    return component


def message(text: str, intent: str = "smalltalk", confidence: float = 0.6) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "help", "confidence": 0.3}]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})


def test_a_request_becomes_switch_language_with_the_entity(reader: EasyLanguageReader) -> None:
    [processed] = reader.process([message("kannst du bitte in einfacher sprache schreiben")])
    assert processed.get("intent") == {"name": "switch_language", "confidence": 1.0}
    ranking = [item["name"] for item in processed.get("intent_ranking")]
    assert ranking == ["switch_language", "smalltalk", "help"]
    [entity] = processed.get("entities")
    assert (entity["entity"], entity["value"]) == ("easy_language", "true")


def test_normal_again_sets_false(reader: EasyLanguageReader) -> None:
    [processed] = reader.process([message("wieder normale sprache")])
    assert [(e["entity"], e["value"]) for e in processed.get("entities")] == [("easy_language", "false")]


def test_other_messages_and_payloads_keep_their_intent(reader: EasyLanguageReader) -> None:
    [question, payload] = reader.process(
        [message("ist die ausbildung zum koch einfach", "ask_profession", 0.8), message("/help", "help", 1.0)]
    )
    assert question.get("intent")["name"] == "ask_profession"
    assert not question.get("entities")
    assert payload.get("intent")["name"] == "help"
