"""`action_fallback_search`: the answer to a message no intent is sure about; `action_show_rule`:
the answer behind a rule-of-training button it offered.

It asks the API's knowledge search with the pupil's words and offers up to three hits as buttons;
without hits it shows the help menu; the second misunderstanding in a row gets a way out instead.
The decisions live in `actions.fallback_logic`.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError, KnowledgeHit
from actions.fallback_logic import (
    MAX_HITS,
    MISUNDERSTANDINGS_BEFORE_WAY_OUT,
    RULE_ENTITY,
    fallback_reply,
    misunderstandings_in_a_row,
    rule_reply,
)
from actions.profession_logic import normalize_language
from actions.professions import LANGUAGE_SLOT, ApiAction, send

logger = logging.getLogger(__name__)


class ActionFallbackSearch(ApiAction):
    def name(self) -> str:
        return "action_fallback_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = normalize_language(tracker.get_slot(LANGUAGE_SLOT))
        misunderstood = misunderstandings_in_a_row(tracker.events)
        text = tracker.latest_message.get("text") or ""
        hits: list[KnowledgeHit] = []
        # A button payload ("/...") is no text to search; the way out needs no search either.
        if misunderstood < MISUNDERSTANDINGS_BEFORE_WAY_OUT and text.strip() and not text.startswith("/"):
            try:
                hits = await self.api.search_knowledge(text, language, limit=MAX_HITS + 2)
            except ApiUnavailableError:
                logger.exception("knowledge search unavailable; showing the help menu")
        send(dispatcher, fallback_reply(hits, misunderstood, language))
        return []


class ActionShowRule(Action):
    """`/rules{"rule": "<key>"}` (a button of action_fallback_search): the rule's answer."""

    def name(self) -> str:
        return "action_show_rule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send(dispatcher, rule_reply(next(tracker.get_latest_entity_values(RULE_ENTITY), None)))
        return []
