"""Adds the entity `class_code` when a message holds a class code, and reads a message that is
only a code ("K7M 4QX", "code: k7m4qx") as the intent `join_class`.

A code is random letters and digits, so the intent classifier cannot learn it from examples: the
rules live in nlu/readers/class_code.py (the same as the API's), and this component, placed after
the classifier, sets the intent with full confidence when the whole message is a code. A longer
message with a code ("wir sollen den code K7M4QX eingeben") keeps the classifier's intent, which
the training data of join_class covers.
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

from nlu.readers.class_code import find_class_code, is_only_a_code

ENTITY_CLASS_CODE = "class_code"
JOIN_INTENT = "join_class"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ClassCodeExtractor(GraphComponent, EntityExtractorMixin):
    """Entity `class_code` (upper case, no separator); intent join_class for a bare code."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intent": JOIN_INTENT}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ClassCodeExtractor:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue  # a button's payload carries its entities itself
            mention = find_class_code(text)
            if mention is None:
                continue
            entity = {
                ENTITY_ATTRIBUTE_TYPE: ENTITY_CLASS_CODE,
                ENTITY_ATTRIBUTE_VALUE: mention.code,
                ENTITY_ATTRIBUTE_START: mention.start,
                ENTITY_ATTRIBUTE_END: mention.end,
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            }
            message.set(
                ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name([entity]), add_to_output=True
            )
            if is_only_a_code(text):
                intent = self._config["intent"]
                # the others stay, far enough below that no fallback calls the choice ambiguous
                ranking = [
                    {**item, PREDICTED_CONFIDENCE_KEY: float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0) * 0.5}
                    for item in message.get(INTENT_RANKING_KEY) or []
                    if item.get(INTENT_NAME_KEY) != intent
                ]
                message.set(
                    INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True
                )
                message.set(
                    INTENT_RANKING_KEY,
                    [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, *ranking],
                    add_to_output=True,
                )
        return messages
