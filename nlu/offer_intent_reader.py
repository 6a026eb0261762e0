"""Sets the intent `search_offers` (or `refine_offers`) on an offer search the classifier gave to
another intent: a kind of offer and where, without a question ("ausbildung pflege ostercappeln").

The decision is nlu/readers/offer_intent.py (`offer_intent`); this component, placed after the
classifiers and the place extractor and before the FallbackClassifier, applies it: the offer intent
with full confidence first, the classifier's ranking below at half its confidence (so no fallback
calls the choice ambiguous), as nlu.class_code_extractor does for a class code.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.readers.offer_intent import offer_intent
from nlu.readers.places import PLACE_ENTITY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OfferIntentReader(GraphComponent):
    """The offer intent for a search the classifier missed; every other message as it was."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OfferIntentReader:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            top = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not isinstance(text, str):
                continue
            places = any(
                entity.get(ENTITY_ATTRIBUTE_TYPE) == PLACE_ENTITY for entity in message.get(ENTITIES, [])
            )
            intent = offer_intent(text, top, places)
            if intent is None:
                continue
            ranking = [
                {**item, PREDICTED_CONFIDENCE_KEY: float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0) * 0.5}
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY) != intent
            ]
            message.set(INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, *ranking],
                add_to_output=True,
            )
        return messages
