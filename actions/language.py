"""`action_switch_language`: switch the conversation between German and English."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language_logic import requested_language
from actions.profession_logic import normalize_language

LANGUAGE_SLOT = "language"


class ActionSwitchLanguage(Action):
    """Sets the `language` slot only. The confirmation `utter_language_switched` follows by rule, so
    Rasa renders it after the slot changed, in the new language."""

    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # The slot mapping skips switch_language messages, so the slot still holds the old language.
        current = normalize_language(tracker.get_slot(LANGUAGE_SLOT))
        target = requested_language(tracker.latest_message.get("text"), current)
        return [SlotSet(LANGUAGE_SLOT, target)]
