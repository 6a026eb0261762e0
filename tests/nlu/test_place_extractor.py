from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.loader import knowledge_hash, load_municipalities
from nlu.place_extractor import PlaceEntityExtractor, PlaceResolverNotTrained
from tests.nlu.rasa_graph import execution_context

RESOURCE = Resource("train_PlaceEntityExtractor0")


def _create(storage: ModelStorage) -> PlaceEntityExtractor:
    context = execution_context(PlaceEntityExtractor, RESOURCE.name)
    return PlaceEntityExtractor.create(PlaceEntityExtractor.get_default_config(), storage, RESOURCE, context)


def _load(storage: ModelStorage) -> PlaceEntityExtractor:
    context = execution_context(PlaceEntityExtractor, RESOURCE.name)
    return PlaceEntityExtractor.load(PlaceEntityExtractor.get_default_config(), storage, RESOURCE, context)


def _entities(extractor: PlaceEntityExtractor, text: str) -> list[dict[str, Any]]:
    message = Message({TEXT: text})
    extractor.process([message])
    return list(message.get(ENTITIES, []))


def _places(extractor: PlaceEntityExtractor, text: str) -> list[str]:
    return [entity["value"] for entity in _entities(extractor, text) if entity["entity"] == "place"]


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> PlaceEntityExtractor:
    """Trained, persisted and loaded again, as Rasa does with a model."""
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("place_model"))
    assert _create(storage).train(TrainingData()) == RESOURCE
    return _load(storage)


def test_a_place_in_a_question_becomes_an_entity(extractor: PlaceEntityExtractor) -> None:
    assert _entities(extractor, "berufe mit tieren in der nähe von melle") == [
        {
            "entity": "place",
            "value": "melle",
            "start": 34,
            "end": 39,
            "text": "melle",
            "confidence": 1.0,
            "extractor": "PlaceEntityExtractor",
        }
    ]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("ausbildung in Bad Iburg", ["bad iburg"]),
        ("was gibt es in gmhütte", ["georgsmarienhütte"]),  # the everyday short form
        ("praktikum in Quakenbrück", ["quakenbrück"]),
        ("jobs in osnabrueck", ["osnabrück"]),  # umlaut written out
        ("lehrstellen in bramshe", ["bramsche"]),  # a typo
        ("praktikum in 49565", ["bramsche"]),  # a postcode
        ("in osnabrück oder melle", ["osnabrück", "melle"]),
        ("im landkreis osnabrück", []),  # the district is no municipality
        ("welche berufe gibt es mit tieren", []),
        ('/refine_offers{"offer_refinement":"wider"}', []),
    ],
)
def test_places(extractor: PlaceEntityExtractor, text: str, places: list[str]) -> None:
    assert _places(extractor, text) == places


def test_every_value_is_a_municipality_name_in_lower_case(extractor: PlaceEntityExtractor) -> None:
    names = {place.name.lower() for place in load_municipalities()}
    for place in load_municipalities():
        assert _places(extractor, f"ausbildung in {place.name}") == [place.name.lower()], place.name
    assert set(_places(extractor, "melle bramsche")) <= names


def test_other_entities_are_kept(extractor: PlaceEntityExtractor) -> None:
    topic = {"entity": "topic", "value": "animals", "start": 11, "end": 17, "text": "tieren"}
    message = Message({TEXT: "berufe mit tieren in melle", ENTITIES: [topic]})
    extractor.process([message])
    assert [entity["entity"] for entity in message.get(ENTITIES)] == ["topic", "place"]


def test_using_it_untrained_fails_loudly(tmp_path: Path) -> None:
    storage = LocalModelStorage.create(tmp_path)
    with pytest.raises(PlaceResolverNotTrained):
        _create(storage).process([Message({TEXT: "melle"})])
    with pytest.raises(PlaceResolverNotTrained):
        _load(storage)


def test_the_fingerprint_follows_the_knowledge_files() -> None:
    assert PlaceEntityExtractor.fingerprint_addon({}) == knowledge_hash()
