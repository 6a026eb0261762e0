"""Searching the region's offers in the chat: `action_search_offers`, `action_show_offer`,
`action_cancel_offer_place` and `validate_offer_place_form`.

The decisions live in `actions.offer_logic`; these classes read the tracker, call the API and send
the chosen responses.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import latest_answer, listed_field
from actions.api_client import ApiUnavailableError, ProfessionNotFoundError, is_valid_slug
from actions.offer_logic import (
    MAX_RADIUS_KM,
    AskPlace,
    CheckProfile,
    ChooseProfession,
    DomainTexts,
    ListTheField,
    NothingToContinue,
    RunSearch,
    SearchState,
    SearchStep,
    alternative_buttons,
    alternatives,
    asks_for_check_profile,
    card_utterance,
    demo_note,
    describe_filters,
    details_utterance,
    facts_from_message,
    footer_utterance,
    lists_the_field,
    offer_from_entities,
    offer_in_context,
    place_from_entities,
    plan_more,
    plan_new_search,
    plan_refinement,
    profession_choice_buttons,
    resolve_place,
    results_intro,
    resume_with_place,
    with_check_profile,
)
from actions.offers_api import (
    ExchangeApi,
    OfferNotFoundError,
    OfferResults,
    Place,
    UnknownPlaceError,
    UnknownProfessionFilterError,
    get_exchange_api,
)
from actions.profession_logic import MAX_CHOICES, normalize_language, pending_choice
from actions.professions import latest_intent, send
from nlu.readers.offer_text import is_anywhere

logger = logging.getLogger(__name__)

SEARCH_SLOT = "offer_search"
PLACE_NEEDED_SLOT = "offer_place_needed"
PLACE_SLOT = "offer_place"
PROFESSION_SLOT = "profession"
EXPLORE_SLOT = "explore_query"  # the query of action_explore_professions (actions/explore.py)
LANGUAGE_SLOT = "language"
# Where the pupil lives when the career-choice check asked it (a municipality slug, or "none").
HOME_SLOTS = ("check_municipality",)
CHECK_RADIUS_SLOT = "check_radius"
CHECK_LOOKING_FOR_SLOT = "check_looking_for"
# The kinds the check asks for (actions/check_logic.py LOOKING_FOR).
CHECK_KINDS = ("apprenticeship", "dual_study", "internship")
LOCAL_ZONE = ZoneInfo("Europe/Berlin")

Events = list[dict[str, Any]]


def local_today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def texts_for(tracker: Tracker, domain: DomainDict) -> DomainTexts:
    return DomainTexts(domain, normalize_language(tracker.get_slot(LANGUAGE_SLOT)))


def home_place(tracker: Tracker, places: tuple[Place, ...]) -> str | None:
    """The pupil's municipality if the conversation already knows it (from the check)."""
    for slot in HOME_SLOTS:
        value = tracker.get_slot(slot)
        if isinstance(value, str):
            for place in places:
                if value in (place.slug, place.name):
                    return place.name
    return None


def search_shown_last(tracker: Tracker) -> SearchState | None:
    """The offer search whose results were the latest answer, if they were."""
    if latest_answer(tracker.events) != "offers":
        return None
    return SearchState.from_slot(tracker.get_slot(SEARCH_SLOT))


def field_listed_last(tracker: Tracker) -> bool:
    """Whether the latest answer was the list for a field (by either action)."""
    return listed_field(tracker.events, tracker.get_slot(EXPLORE_SLOT))


def check_profile(tracker: Tracker, places: tuple[Place, ...]) -> CheckProfile:
    """The place, radius and kind the pupil gave in the career-choice check (slots)."""
    radius = tracker.get_slot(CHECK_RADIUS_SLOT)
    kind = tracker.get_slot(CHECK_LOOKING_FOR_SLOT)
    try:
        radius_km = int(radius) if radius is not None else None
    except (TypeError, ValueError):
        radius_km = None
    return CheckProfile(
        place=home_place(tracker, places),
        # The check allows up to 200 km; the offer search goes up to MAX_RADIUS_KM (the whole region).
        radius_km=min(radius_km, MAX_RADIUS_KM) if radius_km is not None and radius_km > 0 else None,
        kind=kind if isinstance(kind, str) and kind in CHECK_KINDS else None,
    )


class ExchangeAction(Action, ABC):
    """An action that talks to the exchange API (injected in tests). Abstract, so that the action
    server does not register it."""

    def __init__(self, api: ExchangeApi | None = None) -> None:
        self._api = api

    @property
    def api(self) -> ExchangeApi:
        return self._api or get_exchange_api()

    @abstractmethod
    def name(self) -> str: ...


class ActionSearchOffers(ExchangeAction):
    """New searches, follow-ups and the next page; also runs after the pupil said where they live."""

    def __init__(self, api: ExchangeApi | None = None, today: Callable[[], date] = local_today) -> None:
        super().__init__(api)
        self._today = today

    def name(self) -> str:
        return "action_search_offers"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        handed_over: bool = False,
    ) -> Events:
        """`handed_over`: action_explore_professions passed the message on; it is not passed back."""
        texts = texts_for(tracker, domain)
        previous = SearchState.from_slot(tracker.get_slot(SEARCH_SLOT))
        try:
            step = await self._plan(tracker, previous, lists=not handed_over)
            if isinstance(step, ListTheField):
                # imported here: actions.explore builds on ExchangeAction of this module
                from actions.explore import ActionExploreProfessions

                listed = await ActionExploreProfessions(self.api).run(
                    dispatcher, tracker, domain, step.kind, handed_over=True
                )
                return [*listed, SlotSet(PLACE_NEEDED_SLOT, False), SlotSet(PLACE_SLOT, None)]
            return await self._take(step, dispatcher, texts, previous, tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("offer search: API unavailable")
            dispatcher.utter_message(response="utter_offer_service_unavailable")
            return [SlotSet(PLACE_NEEDED_SLOT, False), SlotSet(PLACE_SLOT, None)]

    async def _plan(
        self, tracker: Tracker, previous: SearchState | None, lists: bool = True
    ) -> SearchStep | ListTheField:
        """The next step; `lists=False`: never the list for a field."""
        if tracker.get_slot(PLACE_NEEDED_SLOT) is True:
            # offer_place_form has just asked where the pupil lives ("" means the whole region).
            place = tracker.get_slot(PLACE_SLOT)
            return resume_with_place(previous, place if isinstance(place, str) else None)
        places = await self.api.municipalities()
        intent = latest_intent(tracker)
        if intent == "more_offers":
            if lists and latest_answer(tracker.events) == "list":
                return ListTheField()  # "mehr" below a list that an offer search made: its next page
            return plan_more(previous)
        entities = tracker.latest_message.get("entities") or []
        facts = facts_from_message(
            tracker.latest_message.get("text") or "",
            entities,
            places,
            self._today(),
        )
        if asks_for_check_profile(entities):
            facts = with_check_profile(facts, check_profile(tracker, places))
        elif lists and (field := lists_the_field(facts, entities, field_listed_last(tracker))) is not None:
            return field
        context = tracker.get_slot(PROFESSION_SLOT)
        if not (facts.profession or facts.profession_query or facts.any_profession or is_valid_slug(context)):
            # "gibts das auch in bramsche" right after "Meinst du ...?": which one, for the offers
            facts = replace(facts, profession_query=pending_choice(tracker.events))
        home = home_place(tracker, places)
        if intent == "refine_offers":
            return plan_refinement(previous, facts, context, home)
        return plan_new_search(previous, facts, context, home)

    async def _take(
        self,
        step: SearchStep,
        dispatcher: CollectingDispatcher,
        texts: DomainTexts,
        previous: SearchState | None,
        pupil_ref: str | None = None,
    ) -> Events:
        done: Events = [SlotSet(PLACE_NEEDED_SLOT, False), SlotSet(PLACE_SLOT, None)]
        if isinstance(step, NothingToContinue):
            dispatcher.utter_message(response="utter_offer_ask_what")
            return done
        if isinstance(step, AskPlace):
            # offer_place_form asks (rules: action_search_offers + offer_place_needed -> the form).
            return [
                SlotSet(SEARCH_SLOT, step.state.to_slot()),
                SlotSet(PLACE_NEEDED_SLOT, True),
                SlotSet(PLACE_SLOT, None),  # so that the form asks
            ]
        if isinstance(step, ChooseProfession):
            candidates = await self.api.search_professions(step.query, limit=MAX_CHOICES)
            if len(candidates) > 1:
                choices = [(hit.slug, hit.display_name(texts.language)) for hit in candidates]
                dispatcher.utter_message(
                    response="utter_offer_choose_profession",
                    buttons=list(profession_choice_buttons(choices)),
                    query=step.query,
                )
                return [SlotSet(SEARCH_SLOT, step.state.to_slot()), *done]
            only = candidates[0].slug if candidates else None
            step = RunSearch(replace(step.state, profession=only))
        state = step.state
        shown = await self._search(state, dispatcher, texts, pupil_ref)
        if shown is None:  # nothing more on a later page: stay where we were
            return [SlotSet(SEARCH_SLOT, (previous or state).to_slot()), *done]
        return [SlotSet(SEARCH_SLOT, replace(state, shown=shown).to_slot()), *done]

    async def _search(
        self, state: SearchState, dispatcher: CollectingDispatcher, texts: DomainTexts, pupil_ref: str | None
    ) -> tuple[int, ...] | None:
        """Send the results (or the honest answer with alternatives); the ids shown, None when a
        later page is empty."""
        try:
            results = await self.api.search_offers(state.query(), pupil_ref=pupil_ref)
            name = await self._profession_name(state, results, texts)
        except (UnknownProfessionFilterError, ProfessionNotFoundError):
            dispatcher.utter_message(response="utter_profession_not_found")
            return ()
        except UnknownPlaceError:
            dispatcher.utter_message(response="utter_offer_place_unknown", value=state.place or "")
            return ()
        filters = describe_filters(state, name, texts)
        if results.items:
            send(dispatcher, results_intro(state, results.total, len(results.items), filters))
            for card in results.items:
                send(dispatcher, card_utterance(card, texts, demo=False))
            if (note := demo_note(results.items)) is not None:
                send(dispatcher, note)
            send(dispatcher, footer_utterance(state, results.total, texts, results.items))
            return tuple(card.id for card in results.items)
        if state.offset > 0:
            dispatcher.utter_message(response="utter_offer_no_more")
            return None
        options = alternatives(state)
        counts = await asyncio.gather(*(self.api.count_offers(option.state.query()) for option in options))
        buttons = alternative_buttons(list(zip(options, counts, strict=True)), texts)
        if buttons:
            dispatcher.utter_message(response="utter_offer_none", buttons=list(buttons), filters=filters)
        else:
            dispatcher.utter_message(response="utter_offer_none_at_all", filters=filters)
        return ()

    async def _profession_name(
        self, state: SearchState, results: OfferResults, texts: DomainTexts
    ) -> str | None:
        if not state.profession:
            return None
        for card in results.items:
            if card.profession == state.profession:
                return card.profession_display_name(texts.language)
        profile = await self.api.get_profession(state.profession)
        return profile.display_name(texts.language)


class ActionShowOffer(ExchangeAction):
    """The details of one offer: the button's id, or the offer the pupil looked at last."""

    def name(self) -> str:
        return "action_show_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        state = SearchState.from_slot(tracker.get_slot(SEARCH_SLOT))
        offer_id = offer_from_entities(tracker.latest_message.get("entities") or []) or offer_in_context(
            state
        )
        if offer_id is None:
            dispatcher.utter_message(response="utter_offer_pick_one")
            return []
        try:
            offer = await self.api.get_offer(offer_id)
        except OfferNotFoundError:
            dispatcher.utter_message(response="utter_offer_gone")
            return []
        except ApiUnavailableError:
            logger.exception("offer details: API unavailable")
            dispatcher.utter_message(response="utter_offer_service_unavailable")
            return []
        send(dispatcher, details_utterance(offer, texts_for(tracker, domain)))
        return [SlotSet(SEARCH_SLOT, replace(state or SearchState(), viewed=offer.id).to_slot())]


class ActionCancelOfferPlace(Action):
    """ "stopp" while asked where the pupil lives."""

    def name(self) -> str:
        return "action_cancel_offer_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="utter_offer_search_stopped")
        return [SlotSet(PLACE_NEEDED_SLOT, False), SlotSet(PLACE_SLOT, None)]


class ValidateOfferPlaceForm(FormValidationAction):
    """Turns the answer to "where do you live?" into a municipality of the region ("" = anywhere)."""

    def __init__(self, api: ExchangeApi | None = None) -> None:
        self._api = api

    @property
    def api(self) -> ExchangeApi:
        return self._api or get_exchange_api()

    def name(self) -> str:
        return "validate_offer_place_form"

    async def validate_offer_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        entities = tracker.latest_message.get("entities") or []
        if any(e.get("entity") == "offer_refinement" and e.get("value") == "anywhere" for e in entities):
            return {PLACE_SLOT: ""}
        text = str(value or "")
        if is_anywhere(text):
            return {PLACE_SLOT: ""}
        try:
            places = await self.api.municipalities()
        except ApiUnavailableError:
            logger.exception("municipalities: API unavailable")
            return {PLACE_SLOT: ""}  # the search that follows says that the API is away
        found = place_from_entities(entities, places) or resolve_place(text, places)
        if found is None:
            dispatcher.utter_message(response="utter_offer_place_unknown", value=text.strip()[:60])
            return {PLACE_SLOT: None}
        return {PLACE_SLOT: found}
