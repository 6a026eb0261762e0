from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.loader import knowledge_hash, load_municipalities
from nlu.place_extractor import PlaceEntityExtractor, PlaceFeaturizer, PlaceResolverNotTrained
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


# ------------------------------------------------------------------------------------------------
# PlaceFeaturizer: the same mentions as a sparse feature for the intent classifier

FEATURIZER_RESOURCE = Resource("train_PlaceFeaturizer0")


@pytest.fixture(scope="module")
def featurizer(tmp_path_factory: pytest.TempPathFactory) -> PlaceFeaturizer:
    """Trained, persisted and loaded again, as Rasa does with a model."""
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("place_featurizer_model"))
    context = execution_context(PlaceFeaturizer, FEATURIZER_RESOURCE.name)
    config = PlaceFeaturizer.get_default_config()
    trained = PlaceFeaturizer.create(config, storage, FEATURIZER_RESOURCE, context)
    assert trained.train(TrainingData()) == FEATURIZER_RESOURCE
    return PlaceFeaturizer.load(config, storage, FEATURIZER_RESOURCE, context)


def _tokenized(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message({TEXT: text}) for text in texts]
    tokenizer.process(messages)
    return messages


def _place_features(message: Message) -> tuple[list[float], list[float]]:
    """(per token, sentence) of the featurizer's one column."""
    features = {f.type: f for f in message.features if f.origin == PlaceFeaturizer.FEATURE_ORIGIN}
    assert set(features) == {FEATURE_TYPE_SEQUENCE, FEATURE_TYPE_SENTENCE}
    sequence = np.asarray(features[FEATURE_TYPE_SEQUENCE].features.todense())
    sentence = np.asarray(features[FEATURE_TYPE_SENTENCE].features.todense())
    assert sequence.shape[1] == sentence.shape[1] == 1
    return sequence[:, 0].tolist(), sentence[0].tolist()


@pytest.mark.parametrize(
    ("text", "tokens", "sentence"),
    [
        ("lehrstelle maurer badbergen", [0, 0, 1], [1]),
        ("praktikum in der nähe von bad iburg bitte", [0, 0, 0, 0, 0, 1, 1, 0], [1]),
        ("ausbildung 49324", [0, 1], [1]),  # a postcode of Melle
        ("ausbildung gmhütte oder melle", [0, 1, 0, 1], [1]),
        ("was verdient ein maurer", [0, 0, 0, 0], [0]),
    ],
)
def test_the_tokens_of_a_place_and_the_sentence_carry_the_feature(
    featurizer: PlaceFeaturizer, text: str, tokens: list[int], sentence: list[int]
) -> None:
    (message,) = featurizer.process(_tokenized(text))
    assert _place_features(message) == (tokens, sentence)


def test_every_municipality_is_marked_in_the_training_examples(featurizer: PlaceFeaturizer) -> None:
    """Training examples are featurised from their text: places are not annotated in bot/data."""
    places = load_municipalities()
    data = TrainingData(training_examples=_tokenized(*(f"ausbildung in {place.name}" for place in places)))
    featurizer.process_training_data(data)
    for place, example in zip(places, data.training_examples, strict=True):
        tokens, sentence = _place_features(example)
        assert sentence == [1] and tokens[:2] == [0, 0] and all(tokens[2:]), place.name


def test_a_message_without_tokens_gets_no_features(featurizer: PlaceFeaturizer) -> None:
    untokenized = Message({TEXT: "ausbildung in melle"})
    without_text = Message({"intent": "greet"})
    featurizer.process([untokenized])
    featurizer.process_training_data(TrainingData(training_examples=[without_text]))
    assert untokenized.features == [] and without_text.features == []


def test_the_featurizer_untrained_fails_loudly(tmp_path: Path) -> None:
    storage = LocalModelStorage.create(tmp_path)
    context = execution_context(PlaceFeaturizer, FEATURIZER_RESOURCE.name)
    featurizer = PlaceFeaturizer.create({}, storage, FEATURIZER_RESOURCE, context)
    with pytest.raises(PlaceResolverNotTrained):
        featurizer.process(_tokenized("melle"))
    with pytest.raises(PlaceResolverNotTrained):
        PlaceFeaturizer.load({}, storage, FEATURIZER_RESOURCE, context)
    assert PlaceFeaturizer.fingerprint_addon({}) == knowledge_hash()
