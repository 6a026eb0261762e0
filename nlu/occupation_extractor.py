"""Finds the occupations a message talks about, using the names and synonyms in knowledge/.

Training builds an `OccupationMatcher` from the job profiles and stores its state as JSON in the
model, so a trained model needs neither the knowledge files nor a database to recognise
occupations. `fingerprint_addon` returns the hash of the knowledge files: any edit to a profile makes
`rasa train` run this component again instead of reusing the cached result.

Entities (see docs/contracts.md):
- `profession`: a mention that fits exactly one occupation; the value is its slug.
- `profession_query`: a mention that fits several ("Mechaniker", "Kauffrau"); the value is the text
  as typed, for the bot to offer a choice.
- both on the same span for an everyday name with a clear first choice ("Kellner", "Busfahrerin",
  "Technischer Zeichner"; `Mention.first_choice`): `profession` is the first choice, the bot answers
  about it, and `profession_query` keeps the word so that the bot can offer the other candidates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
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
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.loader import KNOWLEDGE_DIR, knowledge_hash, load_professions, load_vocab
from knowledge.matching import Mention, OccupationMatcher

ENTITY_PROFESSION = "profession"
ENTITY_PROFESSION_QUERY = "profession_query"


class OccupationMatcherNotTrained(RasaException):
    """The component was used without a matcher, i.e. before `train` or from a broken model."""


def _knowledge_dir(config: dict[str, Any]) -> Path:
    return Path(config.get("knowledge_dir") or KNOWLEDGE_DIR)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class OccupationEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `profession` and `profession_query` entities for the occupations named in a message."""

    MATCHER_FILE = "occupation_matcher.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # folder with professions/ and vocab.yaml; null: the installed knowledge package
            "knowledge_dir": None,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The knowledge base is not a graph input; its hash makes Rasa retrain after an edit."""
        return knowledge_hash(_knowledge_dir(config))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OccupationEntityExtractor:
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: OccupationMatcher | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = matcher

    def train(self, training_data: TrainingData) -> Resource:
        """Build the matcher from the knowledge base (the NLU examples are not needed) and persist it.

        Raises `KnowledgeError` when a profile is invalid: a model must not be
        trained on a knowledge base that `python -m knowledge.validate` rejects.
        """
        directory = _knowledge_dir(self._config)
        professions = load_professions(directory / "professions", vocab=load_vocab(directory / "vocab.yaml"))
        self._matcher = OccupationMatcher.from_professions(professions)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            state = json.dumps(self._require_matcher().to_dict(), ensure_ascii=False)
            (model_dir / self.MATCHER_FILE).write_text(state, encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> OccupationEntityExtractor:
        """Restore the matcher stored by `train`; a model without one is broken, so this fails loudly."""
        try:
            with model_storage.read_from(resource) as model_dir:
                data = json.loads((model_dir / cls.MATCHER_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            raise OccupationMatcherNotTrained(
                f"{cls.__name__} found no occupation matcher in the model ({error}); train the model again."
            ) from error
        return cls(config, model_storage, resource, OccupationMatcher.from_dict(data))

    def _require_matcher(self) -> OccupationMatcher:
        if self._matcher is None:
            raise OccupationMatcherNotTrained(f"{type(self).__name__} is used before it was trained.")
        return self._matcher

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends one entity per occupation mention to each message."""
        matcher = self._require_matcher()
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            entities = [
                entity for mention in matcher.find_mentions(text) for entity in self._entities(mention)
            ]
            message.set(
                ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True
            )
        return messages

    @classmethod
    def _entities(cls, mention: Mention) -> list[dict[str, Any]]:
        if mention.slug is not None:
            return [cls._entity(mention, ENTITY_PROFESSION, mention.slug)]
        query = cls._entity(mention, ENTITY_PROFESSION_QUERY, mention.text)
        if mention.first_choice is not None:
            return [cls._entity(mention, ENTITY_PROFESSION, mention.first_choice), query]
        return [query]

    @staticmethod
    def _entity(mention: Mention, entity_type: str, value: str) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: entity_type,
            ENTITY_ATTRIBUTE_VALUE: value,
            ENTITY_ATTRIBUTE_START: mention.start,
            ENTITY_ATTRIBUTE_END: mention.end,
            ENTITY_ATTRIBUTE_TEXT: mention.text,
            ENTITY_ATTRIBUTE_CONFIDENCE: mention.score,
        }
