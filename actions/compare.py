"""`action_compare_professions`: two occupations side by side.

The decisions live in `actions.compare_logic`; this class reads the tracker, loads both profiles
through the one API client and sends the chosen responses. When only one occupation is known it
asks for the second and keeps the first in the slot `compare_first` (a rule sends the next
occupation named back here).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError, ProfessionDetail, ProfessionNotFoundError
from actions.compare_logic import (
    AskBoth,
    AskSecond,
    ChooseOccupation,
    ComparePair,
    CompareRequest,
    SameTwice,
    choice_reply,
    comparison_utterances,
    resolve_compare,
)
from actions.offer_logic import DomainTexts
from actions.profession_logic import MAX_CHOICES, Utterance, normalize_language
from actions.professions import LANGUAGE_SLOT, PROFESSION_SLOT, ApiAction, send

logger = logging.getLogger(__name__)

COMPARE_FIRST_SLOT = "compare_first"


class ActionCompareProfessions(ApiAction):
    def name(self) -> str:
        return "action_compare_professions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        texts = DomainTexts(domain, normalize_language(tracker.get_slot(LANGUAGE_SLOT)))
        request = resolve_compare(
            tracker.latest_message.get("entities") or [], tracker.get_slot(COMPARE_FIRST_SLOT)
        )
        try:
            return await self._answer(dispatcher, request, texts)
        except ApiUnavailableError:
            logger.exception("profession API unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return [SlotSet(COMPARE_FIRST_SLOT, None)]

    async def _answer(
        self, dispatcher: CollectingDispatcher, request: CompareRequest, texts: DomainTexts
    ) -> list[dict[str, Any]]:
        language = texts.language
        if isinstance(request, ComparePair):
            # Load both profiles before sending anything, so a failing API never leaves half an answer.
            first, second = await self._load(request.first), await self._load(request.second)
            if first is None or second is None:
                dispatcher.utter_message(response="utter_profession_not_found")
                known = first or second
                return [SlotSet(COMPARE_FIRST_SLOT, known.slug if known else None)]
            for utterance in comparison_utterances(first, second, texts):
                send(dispatcher, utterance)
            return [SlotSet(COMPARE_FIRST_SLOT, None), SlotSet(PROFESSION_SLOT, first.slug)]
        if isinstance(request, SameTwice):
            profile = await self._load(request.slug)
            if profile is None:
                dispatcher.utter_message(response="utter_profession_not_found")
                return [SlotSet(COMPARE_FIRST_SLOT, None)]
            send(dispatcher, Utterance("utter_compare_same", {"name": profile.display_name(language)}))
            return [SlotSet(COMPARE_FIRST_SLOT, profile.slug)]
        if isinstance(request, AskSecond):
            profile = await self._load(request.first)
            if profile is None:
                dispatcher.utter_message(response="utter_profession_not_found")
                return [SlotSet(COMPARE_FIRST_SLOT, None)]
            send(dispatcher, Utterance("utter_compare_ask_second", {"name": profile.display_name(language)}))
            return [SlotSet(COMPARE_FIRST_SLOT, profile.slug)]
        if isinstance(request, ChooseOccupation):
            candidates = await self.api.search_professions(request.query, limit=MAX_CHOICES)
            others = [candidate for candidate in candidates if candidate.slug != request.first]
            if len(others) == 1:
                pair = (
                    ComparePair(request.first, others[0].slug) if request.first else AskSecond(others[0].slug)
                )
                return await self._answer(dispatcher, pair, texts)
            send(dispatcher, choice_reply(request.query, request.first, others, language))
            return [SlotSet(COMPARE_FIRST_SLOT, request.first)]
        assert isinstance(request, AskBoth)
        dispatcher.utter_message(response="utter_compare_ask_both")
        return [SlotSet(COMPARE_FIRST_SLOT, None)]

    async def _load(self, slug: str) -> ProfessionDetail | None:
        try:
            return await self.api.get_profession(slug)
        except ProfessionNotFoundError:
            return None
