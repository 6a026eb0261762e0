"""`action_join_class` (a pupil joins their class by its code) and `action_teacher_info` (what
Berufslotse offers teachers, with the address of the advisor pages).

The code comes from the entity `class_code` (nlu.class_code_extractor, or the payload the web widget
and the Telegram bridge send for a link); the action never reads the text itself. Nothing about
the pupil is sent but the conversation's pseudonym.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError
from actions.classes_api import ClassCodeUnknownError, ClassesApi, ClassSessionEndedError, get_classes_api
from actions.classes_logic import advisor_page_url, class_code_from_entities, topic_of_turn

logger = logging.getLogger(__name__)


class ActionJoinClass(Action):
    def __init__(self, api: ClassesApi | None = None) -> None:
        self._api = api

    def name(self) -> str:
        return "action_join_class"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        code = class_code_from_entities(tracker.latest_message.get("entities") or [])
        if code is None:
            dispatcher.utter_message(response="utter_class_ask_code")
            return []
        api = self._api or get_classes_api()
        try:
            joined = await api.join_class(tracker.sender_id, code)
        except ClassCodeUnknownError:
            dispatcher.utter_message(response="utter_class_code_unknown")
            return []
        except ClassSessionEndedError:
            dispatcher.utter_message(response="utter_class_ended")
            return []
        except ApiUnavailableError:
            logger.exception("could not join a class")
            dispatcher.utter_message(response="utter_class_join_failed")
            return []
        dispatcher.utter_message(response="utter_class_joined", class_name=joined.name)
        return [SlotSet("class_code", joined.code), SlotSet("class_name", joined.name)]


class ActionTeacherInfo(Action):
    def name(self) -> str:
        return "action_teacher_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_teacher_info", advisor_url=advisor_page_url())
        return []


async def record_class_activity(
    action_name: str, tracker: dict[str, Any], api: ClassesApi | None = None
) -> None:
    """After an action ran for a pupil in a class (slot class_code set): count its topic for the
    class overview. Never fails the action: the overview can miss a count, the pupil's answer not."""
    slots = tracker.get("slots") or {}
    if not slots.get("class_code"):
        return
    intent = ((tracker.get("latest_message") or {}).get("intent") or {}).get("name")
    topic = topic_of_turn(action_name, intent if isinstance(intent, str) else None)
    if topic is None:
        return
    try:
        await (api or get_classes_api()).record_class_activity(str(tracker.get("sender_id", "")), topic)
    except ApiUnavailableError:
        logger.warning("could not count a class topic")
