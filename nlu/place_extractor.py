"""Finds the municipalities of the district a pupil names: entity `place`, and the same mentions as
features for the intent classifier.

Built on the one place resolver of nlu.readers.places (names, short forms, typos, postcodes, the
district's municipalities and Samtgemeinden from knowledge/sources). The municipalities are stored
in the model, so a trained model needs no knowledge files; the hash of the knowledge files is the
component's `fingerprint_addon`, so an edit to the list retrains it.

Entity (see nlu/README.md):
- `place`: the municipality's name in lower case ("in der Nähe von Melle" -> "melle",
  "gmhütte" -> "georgsmarienhütte", "49565" -> "bramsche"). One entity per place named.

Feature (`PlaceFeaturizer`, before DIET): the tokens of a place mention and the sentence carry one
sparse feature "a place of the district". Counted words alone cannot know that "Voltlage" or
"49324" is a place, so "Lehrstelle Maurer Badbergen" could look like a question about the occupation;
with the feature, a place counts the same whichever of the district's 34 municipalities it is.
Training examples get it from their text (places are not annotated), messages the same way.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TEXT,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    FEATURE_TYPE_SENTENCE,
    FEATURE_TYPE_SEQUENCE,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self

from knowledge.loader import KNOWLEDGE_DIR, MUNICIPALITIES_FILE, knowledge_hash, load_municipalities
from knowledge.schema import Municipality
from nlu.readers.places import PLACE_ENTITY, PlaceMention, PlaceResolver, entity_value


class PlaceResolverNotTrained(RasaException):
    """The component was used without its places, i.e. before `train` or from a broken model."""


def _knowledge_dir(config: dict[str, Any]) -> Path:
    return Path(config.get("knowledge_dir") or KNOWLEDGE_DIR)


class _PlacesComponent(GraphComponent):
    """A component that reads the district's municipalities from knowledge/ when it is trained and
    keeps them in the model (the entity extractor and the featurizer below)."""

    PLACES_FILE = "places.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # folder with sources/<municipalities csv>; null: the installed knowledge package
            "knowledge_dir": None,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The knowledge files are not a graph input; their hash makes Rasa retrain after an edit."""
        return knowledge_hash(_knowledge_dir(config))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        places: list[Municipality] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._places = places
        self._resolver = PlaceResolver(places) if places is not None else None

    def train(self, training_data: TrainingData) -> Resource:
        """Read the municipalities from knowledge/ (raises `KnowledgeError` when the file is invalid)."""
        places = load_municipalities(_knowledge_dir(self._config) / "sources" / MUNICIPALITIES_FILE)
        self._places = places
        self._resolver = PlaceResolver(places)
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self._places is None:
            raise PlaceResolverNotTrained(f"{type(self).__name__} has no places to store.")
        with self._model_storage.write_to(self._resource) as model_dir:
            state = json.dumps([dataclasses.asdict(place) for place in self._places], ensure_ascii=False)
            (model_dir / self.PLACES_FILE).write_text(state, encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        """Restore the places stored by `train`; a model without them is broken, so this fails loudly."""
        try:
            with model_storage.read_from(resource) as model_dir:
                rows = json.loads((model_dir / cls.PLACES_FILE).read_text(encoding="utf-8"))
            places = [Municipality(**{**row, "postcodes": tuple(row["postcodes"])}) for row in rows]
        except (ValueError, OSError, TypeError, KeyError) as error:
            raise PlaceResolverNotTrained(
                f"{cls.__name__} found no places in the model ({error}); train the model again."
            ) from error
        return cls(config, model_storage, resource, places)

    def _require_resolver(self) -> PlaceResolver[Municipality]:
        if self._resolver is None:
            raise PlaceResolverNotTrained(f"{type(self).__name__} is used before it was trained.")
        return self._resolver


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PlaceEntityExtractor(_PlacesComponent, EntityExtractorMixin):
    """Adds one `place` entity per municipality of the district a message names."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends one `place` entity per municipality named to each message."""
        resolver = self._require_resolver()
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            entities = [self._entity(mention) for mention in resolver.mentions(text)]
            if entities:
                existing = message.get(ENTITIES, [])
                message.set(ENTITIES, existing + self.add_extractor_name(entities), add_to_output=True)
        return messages

    @staticmethod
    def _entity(mention: PlaceMention[Municipality]) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: PLACE_ENTITY,
            ENTITY_ATTRIBUTE_VALUE: entity_value(mention.place.name),
            ENTITY_ATTRIBUTE_START: mention.start,
            ENTITY_ATTRIBUTE_END: mention.end,
            ENTITY_ATTRIBUTE_TEXT: mention.text,
            ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
        }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class PlaceFeaturizer(_PlacesComponent):
    """One sparse feature, "a place of the district", on the tokens of each place mention and on the
    sentence (the same mentions as the entities of `PlaceEntityExtractor`)."""

    FEATURE_ORIGIN = "PlaceFeaturizer"

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        resolver = self._require_resolver()
        for example in training_data.training_examples:
            self._featurize(resolver, example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        resolver = self._require_resolver()
        for message in messages:
            self._featurize(resolver, message)
        return messages

    def _featurize(self, resolver: PlaceResolver[Municipality], message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT], [])
        if not isinstance(text, str) or not text or not tokens:
            return  # no text (an intent-only example of a story, a response): nothing to mark
        sequence = np.zeros((len(tokens), 1))
        for mention in resolver.mentions(text):
            for index, token in enumerate(tokens):
                if token.start < mention.end and token.end > mention.start:
                    sequence[index, 0] = 1.0
        sentence = sequence.max(axis=0, keepdims=True)
        for kind, matrix in ((FEATURE_TYPE_SEQUENCE, sequence), (FEATURE_TYPE_SENTENCE, sentence)):
            message.add_features(Features(scipy.sparse.coo_matrix(matrix), kind, TEXT, self.FEATURE_ORIGIN))
