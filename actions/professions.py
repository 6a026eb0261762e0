"""`action_answer_profession`: answers every ask_* question about an occupation.

The decisions live in `actions.profession_logic`; this class only reads the tracker, calls the API
and sends the chosen responses.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import (
    ApiUnavailableError,
    BerufslotseApi,
    Language,
    ProfessionDetail,
    ProfessionNotFoundError,
    get_api,
)
from actions.offer_logic import DomainTexts
from actions.profession_logic import (
    MAX_CHOICES,
    AmbiguousMention,
    Aspect,
    FromContext,
    KnownProfessions,
    NoProfession,
    ProfessionRequest,
    UnknownMention,
    Utterance,
    abbreviation_like,
    also_reply,
    answer_utterances,
    aspect_for_intent,
    choice_reply,
    close_matches,
    normalize_language,
    pending_choice,
    question_intent,
    resolve_request,
    unknown_mention_reply,
    with_next_steps,
)

logger = logging.getLogger(__name__)

PROFESSION_SLOT = "profession"
LANGUAGE_SLOT = "language"


def latest_intent(tracker: Tracker) -> str | None:
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return name if isinstance(name, str) else None


def send(dispatcher: CollectingDispatcher, utterance: Utterance) -> None:
    dispatcher.utter_message(
        response=utterance.response,
        buttons=list(utterance.buttons) or None,
        json_message=dict(utterance.custom) if utterance.custom else None,
        **dict(utterance.variables),
    )


class ApiAction(Action, ABC):
    """An action that talks to the API through the one client (injected in tests). Abstract, so
    that the action server does not register it."""

    def __init__(self, api: BerufslotseApi | None = None) -> None:
        self._api = api

    @property
    def api(self) -> BerufslotseApi:
        return self._api or get_api()

    @abstractmethod
    def name(self) -> str: ...


class ActionAnswerProfession(ApiAction):
    def name(self) -> str:
        return "action_answer_profession"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return await self.answer(dispatcher, tracker, domain, latest_intent(tracker))

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, intent: str | None
    ) -> list[dict[str, Any]]:
        """The answer to the latest message read as the question `intent` (an ask_* intent); another
        action hands a follow-up about the occupation in context over through this."""
        language = normalize_language(tracker.get_slot(LANGUAGE_SLOT))
        request = resolve_request(
            tracker.latest_message.get("entities") or [],
            tracker.latest_message.get("text"),
            tracker.get_slot(PROFESSION_SLOT),
        )
        if isinstance(request, NoProfession) and (query := pending_choice(tracker.events)) is not None:
            request = AmbiguousMention(query)  # asked again, for this question
        try:
            titles = DomainTexts(domain, language)
            return await self._answer(
                dispatcher,
                request,
                intent,
                language,
                titles,
                tracker.sender_id,
                tracker.latest_message.get("text"),
            )
        except ApiUnavailableError:
            logger.exception("profession API unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return []

    async def _answer(
        self,
        dispatcher: CollectingDispatcher,
        request: ProfessionRequest,
        intent: str | None,
        language: Language,
        titles: Callable[[str], str],
        pupil_ref: str | None = None,
        text: str | None = None,
    ) -> list[dict[str, Any]]:
        aspect = aspect_for_intent(intent)
        if isinstance(request, KnownProfessions):
            # Load every profile before sending anything, so a failing API never leaves half an answer.
            profiles = [await self._load(slug, pupil_ref) for slug in request.slugs]
            found = [profile for profile in profiles if profile is not None]
            if len(found) < len(profiles):
                dispatcher.utter_message(response="utter_profession_not_found")
            for profile in found:
                self._send_answer(dispatcher, aspect, profile, language, titles)
            if request.also and found:
                await self._offer_others(dispatcher, request.also, request.slugs, intent, language)
            # A slug without a profile (an edited button, a stale model) must not stay as context.
            return [SlotSet(PROFESSION_SLOT, found[0].slug if found else None)]
        if isinstance(request, FromContext):
            context = await self._load(request.slug)
            if context is None:
                dispatcher.utter_message(response="utter_profession_not_found")
                return [SlotSet(PROFESSION_SLOT, None)]
            self._send_answer(dispatcher, aspect, context, language, titles)
            return []
        if isinstance(request, AmbiguousMention):
            candidates = await self.api.search_professions(request.query, limit=MAX_CHOICES)
            if len(candidates) == 1:
                return await self._answer(
                    dispatcher, KnownProfessions((candidates[0].slug,)), intent, language, titles
                )
            send(dispatcher, choice_reply(request.query, candidates, question_intent(intent), language))
            return []
        if isinstance(request, UnknownMention):
            hits = await self.api.search_professions(request.query, limit=MAX_CHOICES)
            send(dispatcher, unknown_mention_reply(request.query, hits, question_intent(intent), language))
            return []
        if abbreviation := abbreviation_like(text or ""):
            # "kfz": the occupations it abbreviates, when the search finds close ones
            matches = close_matches(await self.api.search_professions(abbreviation, limit=MAX_CHOICES))
            if len(matches) == 1:
                return await self._answer(
                    dispatcher, KnownProfessions((matches[0].slug,)), intent, language, titles
                )
            if matches:
                send(dispatcher, choice_reply(abbreviation, matches, question_intent(intent), language))
                return []
        dispatcher.utter_message(response="utter_ask_which_profession")
        return []

    async def _offer_others(
        self,
        dispatcher: CollectingDispatcher,
        query: str,
        answered: tuple[str, ...],
        intent: str | None,
        language: Language,
    ) -> None:
        """The other occupations an everyday name may mean, after the answer about its first choice;
        the answer stands without them when the API fails now."""
        try:
            candidates = await self.api.search_professions(query, limit=MAX_CHOICES)
        except ApiUnavailableError:
            logger.exception("profession API unavailable while offering the other candidates")
            return
        also = also_reply(query, answered, candidates, question_intent(intent), language)
        if also is not None:
            send(dispatcher, also)

    async def _load(self, slug: str, pupil_ref: str | None = None) -> ProfessionDetail | None:
        try:
            return await self.api.get_profession(slug, pupil_ref=pupil_ref)
        except ProfessionNotFoundError:
            return None

    @staticmethod
    def _send_answer(
        dispatcher: CollectingDispatcher,
        aspect: Aspect,
        profile: ProfessionDetail,
        language: Language,
        titles: Callable[[str], str],
    ) -> None:
        answer = answer_utterances(aspect, profile, language)
        for utterance in with_next_steps(answer, aspect, profile.slug, titles):
            send(dispatcher, utterance)
