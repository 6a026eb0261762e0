"""Reads a typed request for easy German ("bitte in einfacher Sprache") as the intent
`switch_language` with the entity `easy_language` ("true" or "false"), the same as the widget's
menu switch sends as a payload.

The request is rare and its words are few and fixed, so the rules live in
nlu/readers/easy_language.py instead of training examples; this component, placed after the
classifier, sets the intent with full confidence when a message is such a request.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.readers.easy_language import easy_language_request

ENTITY_EASY_LANGUAGE = "easy_language"
SWITCH_INTENT = "switch_language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EasyLanguageReader(GraphComponent, EntityExtractorMixin):
    """Intent switch_language and entity easy_language for a typed easy-German request."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EasyLanguageReader:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue  # a button's payload carries its entities itself
            easy = easy_language_request(text)
            if easy is None:
                continue
            entity = {
                ENTITY_ATTRIBUTE_TYPE: ENTITY_EASY_LANGUAGE,
                ENTITY_ATTRIBUTE_VALUE: "true" if easy else "false",
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            }
            message.set(
                ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name([entity]), add_to_output=True
            )
            # the others stay, far enough below that no fallback calls the choice ambiguous
            ranking = [
                {**item, PREDICTED_CONFIDENCE_KEY: float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0) * 0.5}
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY) != SWITCH_INTENT
            ]
            top = {INTENT_NAME_KEY: SWITCH_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        return messages
