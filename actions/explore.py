"""`action_explore_professions`: occupations by topic, certificate, duration, training type and pay.

The decisions live in `actions.explore_logic`; this class reads the tracker, calls the API and sends
the chosen responses. The query is kept in the slot `explore_query`, so follow-ups refine it and
"mehr" pages on. A message the classifier read as a search but that names no criterion at all,
right after an answer about one occupation ("und wie lange dauert die ausbildung?"), is answered as
the duration or pay question about that occupation (`explore_logic.follow_up_intent`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import latest_answer
from actions.api_client import ApiUnavailableError, ExploreItem, ExplorePage
from actions.explore_logic import (
    PAGE_SIZE,
    ExploreQuery,
    asks_for_offers_of_the_subject,
    follow_up_intent,
    next_query,
    occupation_is_subject,
    offers_label_response,
    offers_near_reply,
    reply,
)
from actions.offer_logic import DEFAULT_RADIUS_KM, DomainTexts, resolve_place
from actions.offers import EXPLORE_SLOT, ActionSearchOffers, ExchangeAction, search_shown_last
from actions.offers_api import OfferQuery, UnknownPlaceError
from actions.profession_logic import normalize_language
from actions.professions import LANGUAGE_SLOT, PROFESSION_SLOT, ActionAnswerProfession, latest_intent, send

logger = logging.getLogger(__name__)


class ActionExploreProfessions(ExchangeAction):
    def name(self) -> str:
        return "action_explore_professions"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        offer_kind: str | None = None,
        handed_over: bool = False,
    ) -> list[dict[str, Any]]:
        """`offer_kind`: the kind of offers an offer search handed over with its field ("nur
        Praktikum"); counted beside the list from now on. `handed_over`: the offer search passed the
        message on; it is not passed back."""
        entities = tracker.latest_message.get("entities") or []
        subject_is_occupation = occupation_is_subject(tracker.events)
        intent = latest_intent(tracker)
        # "mehr" below offers pages them; "weitere berufe" (more_matches) pages the list
        more_offers = intent == "more_offers" and latest_answer(tracker.events) == "offers"
        place_for_subject = asks_for_offers_of_the_subject(
            intent, entities, tracker.get_slot(PROFESSION_SLOT), subject_is_occupation
        )
        if (more_offers or place_for_subject) and not handed_over:
            # "mehr" below offers; "und gibts in Bramsche was" right after an answer about one
            # occupation: its offers there
            logger.info("a follow-up to offers or to one occupation goes to the offer search")
            return await ActionSearchOffers(self.api).run(dispatcher, tracker, domain, handed_over=True)
        follow_up = follow_up_intent(
            latest_intent(tracker),
            tracker.latest_message.get("intent_ranking") or [],
            entities,
            tracker.get_slot(PROFESSION_SLOT),
            subject_is_occupation,
        )
        if follow_up is not None:
            # "und wie lange dauert die ausbildung?" after an answer about one occupation: its duration
            logger.info(
                "a search without any criterion is answered as %s about the occupation in context", follow_up
            )
            return await ActionAnswerProfession(self.api).answer(dispatcher, tracker, domain, follow_up)
        language = normalize_language(tracker.get_slot(LANGUAGE_SLOT))
        previous = ExploreQuery.from_slot(tracker.get_slot(EXPLORE_SLOT))
        query = next_query(previous, entities, latest_intent(tracker))
        if offer_kind is not None:
            query = replace(query, offer_kind=offer_kind)
        search = search_shown_last(tracker)
        if query.topic and query.place is None and search is not None and search.place:
            # "Praktikum in Ostercappeln", then "was mit Holz": the field's offers there
            query = replace(query, place=search.place, offer_kind=query.offer_kind or search.kind)
        try:
            if query.is_empty:
                page = ExplorePage(items=(), total=0)
                topics = {}
            else:
                page = await self.api.explore_professions(
                    query.filters(), limit=PAGE_SIZE, offset=query.offset, pupil_ref=tracker.sender_id
                )
                topics = await self.api.topic_names() if query.topic else {}
        except ApiUnavailableError:
            logger.exception("profession API unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        utterances = reply(query, page, topics, language)
        if (query.place or query.offer_kind) and page.items:
            near = await self._offers_near(query, page.items)
            if near is not None:
                # the offers near the place come before the way on (more, the check)
                place, counts = near
                offers = DomainTexts(domain, language)(offers_label_response(query.offer_kind))
                utterances[-1:-1] = offers_near_reply(replace(query, place=place), counts, language, offers)
        for utterance in utterances:
            send(dispatcher, utterance)
        return [SlotSet(EXPLORE_SLOT, None if query.is_empty else query.to_slot())]

    async def _offers_near(
        self, query: ExploreQuery, items: tuple[ExploreItem, ...]
    ) -> tuple[str | None, list[tuple[ExploreItem, int]]] | None:
        """The place's name (None: the whole region) and how many offers of the query's kind each
        listed occupation has near it; None when that cannot be told (the list is still worth
        showing without it)."""
        try:
            name = None
            if query.place is not None:
                name = resolve_place(query.place, await self.api.municipalities())
                if name is None:
                    return None
            return name, [
                (
                    item,
                    await self.api.count_offers(
                        OfferQuery(
                            profession=item.summary.slug,
                            kind=query.offer_kind,
                            near=name,
                            radius_km=DEFAULT_RADIUS_KM if name is not None else None,
                        )
                    ),
                )
                for item in items
            ]
        except (ApiUnavailableError, UnknownPlaceError):
            logger.exception("offers near %r unavailable; the list goes without them", query.place)
            return None
