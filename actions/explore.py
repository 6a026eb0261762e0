"""`action_explore_professions`: occupations by topic, certificate, duration, training type and pay.

The decisions live in `actions.explore_logic`; this class reads the tracker, calls the API and sends
the chosen responses. The query is kept in the slot `explore_query`, so follow-ups refine it and
"mehr" pages on.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError, ExplorePage
from actions.explore_logic import PAGE_SIZE, ExploreQuery, next_query, reply
from actions.profession_logic import normalize_language
from actions.professions import LANGUAGE_SLOT, ApiAction, latest_intent, send

logger = logging.getLogger(__name__)

EXPLORE_SLOT = "explore_query"


class ActionExploreProfessions(ApiAction):
    def name(self) -> str:
        return "action_explore_professions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = normalize_language(tracker.get_slot(LANGUAGE_SLOT))
        previous = ExploreQuery.from_slot(tracker.get_slot(EXPLORE_SLOT))
        query = next_query(previous, tracker.latest_message.get("entities") or [], latest_intent(tracker))
        try:
            if query.is_empty:
                page = ExplorePage(items=(), total=0)
                topics = {}
            else:
                page = await self.api.explore_professions(
                    query.filters(), limit=PAGE_SIZE, offset=query.offset
                )
                topics = await self.api.topic_names() if query.topic else {}
        except ApiUnavailableError:
            logger.exception("profession API unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        for utterance in reply(query, page, topics, language):
            send(dispatcher, utterance)
        return [SlotSet(EXPLORE_SLOT, None if query.is_empty else query.to_slot())]
