"""`action_delete_my_data`: delete everything about the pupil, after they said yes.

The API deletes the check result and the contact requests; then the action sends the deletion
marker (bot/erasure.py), on which Rasa's tracker store deletes the conversation itself when the
turn ends, and the web widget forgets it. If the API cannot be reached nothing is deleted, the
pupil is told so, and the conversation goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError
from actions.check_api import CheckApi, get_check_api
from bot.erasure import deletion_marker

logger = logging.getLogger(__name__)


class ActionDeleteMyData(Action):
    def __init__(self, api: CheckApi | None = None) -> None:
        self._api = api

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        api = self._api or get_check_api()
        try:
            await api.delete_conversation(tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("could not delete a conversation's records")
            dispatcher.utter_message(response="utter_delete_data_failed")
            return []
        dispatcher.utter_message(response="utter_data_deleted")
        dispatcher.utter_message(json_message=deletion_marker())
        return []
