"""Saved searches in the chat: `action_save_search` ("sag mir Bescheid, wenn es was Neues gibt"),
`action_list_saved_searches` ("meine Suchaufträge"), `action_stop_saved_search` (one tap), and
`announce_pending_alerts`, which `action_session_start` calls so that a pupil on the website sees
the new offers of their saved searches when they come back.

The decisions live in `actions.alerts_logic`; the API calls in `actions.alerts_api`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.alerts_api import (
    AlertsApi,
    SavedSearchExistsError,
    SavedSearchInfo,
    SavedSearchLimitError,
    SavedSearchNotFoundError,
    SavedSearchRejectedError,
    SearchRequest,
    get_alerts_api,
)
from actions.alerts_logic import (
    TELEGRAM_PREFIX,
    delivery_token,
    search_label,
    search_to_save,
    topic_from_entities,
    until_label,
)
from actions.api_client import ApiUnavailableError
from actions.offer_logic import SearchState, facts_from_message
from actions.offers import PROFESSION_SLOT, SEARCH_SLOT, home_place, local_today, texts_for
from actions.offers_api import parse_id
from bot.web_signals import search_saved_marker

logger = logging.getLogger(__name__)

Events = list[dict[str, Any]]
# A pupil reads a handful at a time; the API allows only a few per conversation anyway.
MAX_LISTED = 10


class AlertsAction(Action, ABC):
    """An action that talks to the saved-search API (injected in tests)."""

    def __init__(self, api: AlertsApi | None = None) -> None:
        self._api = api

    @property
    def api(self) -> AlertsApi:
        return self._api or get_alerts_api()

    @abstractmethod
    def name(self) -> str: ...


class ActionSaveSearch(AlertsAction):
    def name(self) -> str:
        return "action_save_search"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        texts = texts_for(tracker, domain)
        try:
            search = await self._search(tracker)
            if search is None:
                dispatcher.utter_message(response="utter_alert_ask_what")
                return []
            saved = await self.api.save_search(
                tracker.sender_id,
                search,
                texts.language,
                delivery_token(tracker.sender_id, tracker.latest_message.get("metadata")),
            )
        except SavedSearchExistsError:
            dispatcher.utter_message(response="utter_alert_exists")
        except SavedSearchLimitError as error:
            dispatcher.utter_message(response="utter_alert_limit", limit=error.limit or "")
        except SavedSearchRejectedError as error:
            if error.problem == "unknown-place":
                dispatcher.utter_message(response="utter_alert_unknown_place")
            else:
                dispatcher.utter_message(response="utter_alert_rejected")
        except ApiUnavailableError:
            logger.exception("save search: API unavailable")
            dispatcher.utter_message(response="utter_alert_service_unavailable")
        else:
            dispatcher.utter_message(response="utter_alert_saved", search=search_label(saved, texts))
            on_telegram = tracker.sender_id.startswith(TELEGRAM_PREFIX)
            dispatcher.utter_message(
                response="utter_alert_saved_telegram" if on_telegram else "utter_alert_saved_web"
            )
            if not on_telegram:
                # the widget offers "Auf diesem Gerät merken": without it, a new tab is a new pupil
                dispatcher.utter_message(json_message=search_saved_marker())
        return []

    async def _search(self, tracker: Tracker) -> SearchRequest | None:
        places = await self.api.municipalities()
        entities = tracker.latest_message.get("entities") or []
        facts = facts_from_message(tracker.latest_message.get("text") or "", entities, places, local_today())
        if facts.profession is None and facts.profession_query:
            # an occupation the extractor did not pin down: the best match, as the offer search does
            candidates = await self.api.search_professions(facts.profession_query, limit=1)
            if candidates:
                facts = replace(facts, profession=candidates[0].slug)
        context = tracker.get_slot(PROFESSION_SLOT)
        return search_to_save(
            facts,
            topic_from_entities(entities),
            SearchState.from_slot(tracker.get_slot(SEARCH_SLOT)),
            context if isinstance(context, str) else None,
            home_place(tracker, places),
        )


def send_search_list(
    dispatcher: CollectingDispatcher, searches: list[SavedSearchInfo], tracker: Tracker, domain: DomainDict
) -> None:
    if not searches:
        dispatcher.utter_message(response="utter_alert_none")
        return
    texts = texts_for(tracker, domain)
    dispatcher.utter_message(response="utter_alert_list_intro", count=len(searches))
    for search in searches[:MAX_LISTED]:
        dispatcher.utter_message(
            response="utter_alert_item",
            search=search_label(search, texts),
            until=until_label(search, texts),
            search_id=search.id,
        )


class ActionListSavedSearches(AlertsAction):
    """ "meine Suchaufträge": every saved search with a stop button."""

    def name(self) -> str:
        return "action_list_saved_searches"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        try:
            searches = await self.api.saved_searches(tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("saved searches: API unavailable")
            dispatcher.utter_message(response="utter_alert_service_unavailable")
            return []
        send_search_list(dispatcher, searches, tracker, domain)
        return []


class ActionStopSavedSearch(AlertsAction):
    """One tap on "Beenden" stops that search. Without an id: the only one, or the list to choose."""

    def name(self) -> str:
        return "action_stop_saved_search"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        entities = tracker.latest_message.get("entities") or []
        wanted = next(
            (parse_id(item.get("value")) for item in entities if item.get("entity") == "saved_search_id"),
            None,
        )
        try:
            if wanted is None:
                searches = await self.api.saved_searches(tracker.sender_id)
                if len(searches) != 1:
                    if searches:
                        dispatcher.utter_message(response="utter_alert_stop_which")
                    send_search_list(dispatcher, searches, tracker, domain)
                    return []
                wanted = searches[0].id
            await self.api.stop_search(wanted, tracker.sender_id)
        except SavedSearchNotFoundError:
            dispatcher.utter_message(response="utter_alert_not_found")
        except ApiUnavailableError:
            logger.exception("stop saved search: API unavailable")
            dispatcher.utter_message(response="utter_alert_service_unavailable")
        else:
            dispatcher.utter_message(response="utter_alert_stopped")
        return []


async def announce_pending_alerts(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, api: AlertsApi | None = None
) -> None:
    """Show the due alerts of this conversation (claimed: the API gives each only once). Never
    fails: without the API, the pupil simply hears about them next time."""
    try:
        alerts = await (api or get_alerts_api()).claim_alerts(tracker.sender_id)
    except ApiUnavailableError:
        logger.warning("pending alerts: API unavailable")
        return
    texts = texts_for(tracker, domain)
    for alert in alerts:
        dispatcher.utter_message(response="utter_alert_new_intro", search=search_label(alert.search, texts))
        for offer in alert.offers:
            dispatcher.utter_message(
                response="utter_alert_new_offer",
                title=offer.display_title(texts.language),
                company=offer.company_name,
                place=offer.place,
                offer_id=offer.id,
            )
        hidden = alert.total - len(alert.offers)
        if hidden > 0:
            dispatcher.utter_message(response="utter_alert_new_more", count=hidden)
