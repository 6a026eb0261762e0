"""Class codes in the chat: the reader (pure) and the component (through Rasa's graph)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.class_code_extractor import ClassCodeExtractor
from nlu.readers import class_code
from tests.nlu.rasa_graph import ComponentFactory


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("K7M4QX", "K7M4QX"),
        ("k7m 4qx", "K7M4QX"),
        ("K7M-4QX", "K7M4QX"),
        ("mein code ist k7m4qx", "K7M4QX"),
        ("wir sollen den Code AB23CD eingeben", "AB23CD"),
    ],
)
def test_finds_a_code(text: str, code: str) -> None:
    mention = class_code.find_class_code(text)
    assert mention is not None and mention.code == code


@pytest.mark.parametrize(
    "text",
    [
        "schule",
        "ich bin 15",
        "ich wohne in 49074 osnabrück",
        "K7M4Q0",  # 0 is not in the alphabet
        "ABCDEF",  # no digit: a word, not a code
        "223344",  # no letter
        "K7M4QX oder AB23CD",  # two different codes: ask again
        "was verdient ein mechatroniker",
    ],
)
def test_finds_no_code(text: str) -> None:
    assert class_code.find_class_code(text) is None


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("K7M 4QX", True),
        ("code: k7m4qx", True),
        ("mein klassencode ist K7M-4QX", True),
        ("the code is K7M4QX", True),
        ("K7M4QX was verdient ein koch", False),
    ],
)
def test_only_a_code(text: str, only: bool) -> None:
    assert class_code.is_only_a_code(text) is only


def test_the_reader_and_the_api_make_and_read_codes_by_the_same_rules() -> None:
    codes = pytest.importorskip("api.classes.codes", reason="the API runs on the services' Python")
    assert class_code.ALPHABET == codes.ALPHABET
    for _ in range(200):
        made = codes.new_code()
        mention = class_code.find_class_code(f"code {made[:3].lower()} {made[3:].lower()}")
        assert mention is not None and mention.code == made


@pytest.fixture
def extractor(create_component: ComponentFactory) -> ClassCodeExtractor:
    component = create_component(ClassCodeExtractor)
    assert isinstance(component, ClassCodeExtractor)
    return component


def message(text: str, intent: str = "nlu_fallback", confidence: float = 0.4) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [
                {"name": intent, "confidence": confidence},
                {"name": "greet", "confidence": 0.3},
            ],
        }
    )


def test_a_bare_code_becomes_join_class(extractor: ClassCodeExtractor) -> None:
    [processed] = extractor.process([message("k7m 4qx", "greet", 0.95)])
    assert processed.get("intent") == {"name": "join_class", "confidence": 1.0}
    ranking = processed.get("intent_ranking")
    assert ranking[0] == {"name": "join_class", "confidence": 1.0}
    assert all(item["confidence"] <= 0.5 for item in ranking[1:])
    [entity] = processed.get("entities")
    assert entity["entity"] == "class_code" and entity["value"] == "K7M4QX"
    assert entity["extractor"] == "ClassCodeExtractor"


def test_a_code_inside_a_question_keeps_the_intent(extractor: ClassCodeExtractor) -> None:
    [processed] = extractor.process([message("K7M4QX und was verdient ein koch", "ask_pay", 0.9)])
    assert processed.get("intent")["name"] == "ask_pay"
    assert [entity["value"] for entity in processed.get("entities")] == ["K7M4QX"]


def test_no_code_no_change(extractor: ClassCodeExtractor) -> None:
    [processed] = extractor.process([message("hallo", "greet", 0.9)])
    assert processed.get("intent")["name"] == "greet" and not processed.get("entities")


def test_payloads_are_left_alone(extractor: ClassCodeExtractor) -> None:
    [processed] = extractor.process([message('/join_class{"class_code":"K7M4QX"}', "join_class", 1.0)])
    assert not processed.get("entities")
