from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.loader import KNOWLEDGE_DIR, KnowledgeError, knowledge_hash
from nlu.explore_extractor import ExploreEntityExtractor, ExploreMatcherNotTrained
from tests.nlu.rasa_graph import execution_context

RESOURCE = Resource("train_ExploreEntityExtractor0")


def _create(storage: ModelStorage, config: dict[str, Any] | None = None) -> ExploreEntityExtractor:
    merged = {**ExploreEntityExtractor.get_default_config(), **(config or {})}
    context = execution_context(ExploreEntityExtractor, RESOURCE.name)
    return ExploreEntityExtractor.create(merged, storage, RESOURCE, context)


def _load(storage: ModelStorage) -> ExploreEntityExtractor:
    config = ExploreEntityExtractor.get_default_config()
    context = execution_context(ExploreEntityExtractor, RESOURCE.name)
    return ExploreEntityExtractor.load(config, storage, RESOURCE, context)


def _entities(
    extractor: ExploreEntityExtractor, text: str, before: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    message = Message({TEXT: text, ENTITIES: before or []})
    extractor.process([message])
    return list(message.get(ENTITIES, []))


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> ExploreEntityExtractor:
    """Trained, persisted and loaded again, as Rasa does with a model."""
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("explore_model"))
    assert _create(storage).train(TrainingData()) == RESOURCE
    return _load(storage)


def test_a_topic_and_a_certificate_become_entities(extractor: ExploreEntityExtractor) -> None:
    assert _entities(extractor, "Berufe mit Tieren ohne Abschluss") == [
        {
            "entity": "topic",
            "value": "animals",
            "start": 11,
            "end": 17,
            "text": "Tieren",
            "confidence": 1.0,
            "extractor": "ExploreEntityExtractor",
        },
        {
            "entity": "certificate",
            "value": "none",
            "start": 18,
            "end": 32,
            "text": "ohne Abschluss",
            "confidence": 1.0,
            "extractor": "ExploreEntityExtractor",
        },
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("welche ausbildungen dauern nur 2 jahre", [("duration", "24")]),
        ("was ist die best bezahlte ausbildung", [("pay_order", "high")]),
        ("und welche davon gehen mit hauptschulabschluss", [("certificate", "hauptschule")]),
        ("nur duale", [("training_type", "dual")]),
        (
            "jobs with computers for someone with A levels",
            [("topic", "computers_it"), ("certificate", "abitur")],
        ),
        # inflected and teen forms of topic words, and cues as pupils type them
        ("irgendwas mit flugzeugen", [("topic", "aviation")]),
        ("ich zock den ganzen tag", [("topic", "gaming_apps")]),
        ("ich backe gern", [("topic", "baking_sweets")]),
        ("ich fahr gern", [("topic", "driving_transport")]),
        ("ich will zur see fahren", [("topic", "ships_sea"), ("topic", "driving_transport")]),
        ("welche ausbildungen sind gut für abiturienten", [("certificate", "abitur")]),
        ("welche ausbildung ist am kürzesten", [("duration", "24")]),
        ("in welcher ausbildung verdient man am meisten", [("pay_order", "high")]),
        ("wo verdient man viel", [("pay_order", "high")]),
        ("wie viel verdient man im ersten jahr", []),
        ("which apprenticeships pay well", [("pay_order", "high")]),
    ],
)
def test_cues(extractor: ExploreEntityExtractor, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(entity["entity"], entity["value"]) for entity in _entities(extractor, text)] == expected


def test_a_topic_word_inside_a_found_occupation_is_left_out(extractor: ExploreEntityExtractor) -> None:
    occupation = {"entity": "profession", "value": "koch", "start": 16, "end": 20, "text": "Koch"}
    assert _entities(extractor, "was verdient ein Koch", [occupation]) == [occupation]
    assert [entity["value"] for entity in _entities(extractor, "was verdient ein Koch")] == ["food_cooking"]


def test_using_it_untrained_fails_loudly(tmp_path: Path) -> None:
    storage = LocalModelStorage.create(tmp_path)
    with pytest.raises(ExploreMatcherNotTrained):
        _create(storage).process([Message({TEXT: "tiere"})])
    with pytest.raises(ExploreMatcherNotTrained):
        _load(storage)


def test_the_fingerprint_follows_the_knowledge_files(tmp_path: Path) -> None:
    assert ExploreEntityExtractor.fingerprint_addon({}) == knowledge_hash()
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    config = {"knowledge_dir": str(copy)}
    assert ExploreEntityExtractor.fingerprint_addon(config) == knowledge_hash()
    topics = copy / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("hund, ", ""), encoding="utf-8")
    assert ExploreEntityExtractor.fingerprint_addon(config) != knowledge_hash()


def test_training_refuses_broken_topics(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (copy / "topics.yaml").write_text("animals: {}\n", encoding="utf-8")
    storage = LocalModelStorage.create(tmp_path / "model")
    with pytest.raises(KnowledgeError):
        _create(storage, {"knowledge_dir": str(copy)}).train(TrainingData())
