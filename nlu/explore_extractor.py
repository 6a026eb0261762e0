"""Finds what a pupil explores occupations by: topics and the cues that narrow a list.

Built from knowledge/topics.yaml and knowledge/explore.yaml (`knowledge.explore.ExploreMatcher`); the
matcher's state is stored in the model, so a trained model needs no knowledge files. The hash of the
knowledge files is the component's `fingerprint_addon`: an edit to a topic retrains it.

Entities (see docs/contracts.md):
- `topic`: a topic key of knowledge/schema.py TOPIC_KEYS ("mit Tieren" -> animals)
- `certificate`: none | hauptschule | realschule | fachabitur | abitur ("mit Hauptschulabschluss")
- `duration`: months as text, "24" | "36" | "42" ("nur 2 Jahre")
- `pay_order`: "high" ("am besten bezahlt")
- `training_type`: dual | school | civil_service | dual_study ("nur duale")
A topic word inside an occupation the occupation extractor found before ("Koch" in "was verdient
ein Koch") is the occupation, not a topic: that cue is left out.
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

from knowledge.explore import TOPIC, Cue, ExploreMatcher
from knowledge.loader import KNOWLEDGE_DIR, knowledge_hash, load_explore_vocab, load_topics, load_vocab

OCCUPATION_ENTITIES = frozenset({"profession", "profession_query"})


class ExploreMatcherNotTrained(RasaException):
    """The component was used without a matcher, i.e. before `train` or from a broken model."""


def _knowledge_dir(config: dict[str, Any]) -> Path:
    return Path(config.get("knowledge_dir") or KNOWLEDGE_DIR)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ExploreEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `topic`, `certificate`, `duration`, `pay_order` and `training_type` entities."""

    MATCHER_FILE = "explore_matcher.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # folder with topics.yaml, explore.yaml and vocab.yaml; null: the installed knowledge package
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
    ) -> ExploreEntityExtractor:
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: ExploreMatcher | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = matcher

    def train(self, training_data: TrainingData) -> Resource:
        """Build the matcher from the knowledge files (raises `KnowledgeError` when they are invalid)."""
        directory = _knowledge_dir(self._config)
        vocab = load_vocab(directory / "vocab.yaml")
        topics = load_topics(directory / "topics.yaml")
        explore = load_explore_vocab(directory / "explore.yaml", vocab=vocab)
        self._matcher = ExploreMatcher.from_knowledge(topics, explore)
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
    ) -> ExploreEntityExtractor:
        """Restore the matcher stored by `train`; a model without one is broken, so this fails loudly."""
        try:
            with model_storage.read_from(resource) as model_dir:
                data = json.loads((model_dir / cls.MATCHER_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            raise ExploreMatcherNotTrained(
                f"{cls.__name__} found no explore matcher in the model ({error}); train the model again."
            ) from error
        return cls(config, model_storage, resource, ExploreMatcher.from_dict(data))

    def _require_matcher(self) -> ExploreMatcher:
        if self._matcher is None:
            raise ExploreMatcherNotTrained(f"{type(self).__name__} is used before it was trained.")
        return self._matcher

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends one entity per cue to each message."""
        matcher = self._require_matcher()
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            existing = message.get(ENTITIES, [])
            occupations = [
                (entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
                for entity in existing
                if entity.get(ENTITY_ATTRIBUTE_TYPE) in OCCUPATION_ENTITIES
            ]
            entities = [
                self._entity(cue)
                for cue in matcher.find(text)
                if not (
                    cue.kind == TOPIC
                    and any(cue.start < end and start < cue.end for start, end in occupations)
                )
            ]
            message.set(ENTITIES, existing + self.add_extractor_name(entities), add_to_output=True)
        return messages

    @staticmethod
    def _entity(cue: Cue) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: cue.kind,
            ENTITY_ATTRIBUTE_VALUE: cue.value,
            ENTITY_ATTRIBUTE_START: cue.start,
            ENTITY_ATTRIBUTE_END: cue.end,
            ENTITY_ATTRIBUTE_TEXT: cue.text,
            ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
        }
