"""The contact flow and the pupil's requests.

`action_prepare_contact` checks the offer and starts contact_form (by setting contact_offer_id),
`action_ask_contact_consent` and `action_ask_contact_confirmed` ask the form's two questions that
need more than a fixed text, `validate_contact_form` checks every answer and handles corrections,
`action_submit_contact` sends the request and `action_cancel_contact` ends the flow on "stopp".
Whatever way the flow ends, every contact slot is cleared: only the API keeps a sent request.

`action_list_contact_requests`, `action_ask_withdraw_contact_request`,
`action_withdraw_contact_request` and `action_keep_contact_request` list and withdraw requests.
The decisions live in `actions.contact_logic`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError
from actions.contact_logic import (
    CONTACT_SLOTS,
    DEFAULT_RETENTION_DAYS,
    FIELD_SLOTS,
    MESSAGE_MAX,
    clean_message,
    clean_name,
    consent_text,
    field_to_correct,
    next_missing,
    offer_slot,
    read_reach,
    request_date,
    sent_values,
    status_label,
    summary_values,
)
from actions.offer_logic import SearchState, offer_from_entities, offer_in_context
from actions.offers import SEARCH_SLOT, ExchangeAction, texts_for
from actions.offers_api import (
    CompanyNotContactableError,
    ContactDraft,
    ContactRejectedError,
    ContactRequestInfo,
    ContactRequestNotFoundError,
    DuplicateContactRequestError,
    OfferClosedError,
    OfferNotFoundError,
    parse_id,
)
from actions.professions import latest_intent

logger = logging.getLogger(__name__)

# Days until the API deletes a request: the API's setting, shared through the environment.
RETENTION_ENV = "BERUFSLOTSE_CONTACT_RETENTION_DAYS"
MAX_LISTED_REQUESTS = 10
FORM_SLOTS = ("contact_consent", "contact_name", "contact_reach", "contact_message", "contact_confirmed")
REQUESTED_SLOT = "requested_slot"
WITHDRAW_SLOT = "contact_withdraw_id"

Events = list[dict[str, Any]]


def retention_days() -> int:
    value = os.environ.get(RETENTION_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_RETENTION_DAYS


def cleared() -> Events:
    """Forget everything the pupil typed into the form and the offer it was about."""
    return [SlotSet(slot, None) for slot in CONTACT_SLOTS]


def offer_of(tracker: Tracker) -> Mapping[str, Any]:
    value = tracker.get_slot("contact_offer")
    return value if isinstance(value, Mapping) else {}


class ActionPrepareContact(ExchangeAction):
    """The pupil tapped "Betrieb kontaktieren": can this company be asked, and not asked before?"""

    def name(self) -> str:
        return "action_prepare_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        state = SearchState.from_slot(tracker.get_slot(SEARCH_SLOT))
        entities = tracker.latest_message.get("entities") or []
        offer_id = offer_from_entities(entities) or offer_in_context(state)
        if offer_id is None:
            dispatcher.utter_message(response="utter_offer_pick_one")
            return cleared()
        try:
            offer = await self.api.get_offer(offer_id)
            if not offer.card.contactable:
                dispatcher.utter_message(
                    response="utter_contact_not_possible",
                    company=offer.card.company_name,
                    apply=offer_slot(offer)["apply"],
                )
                return cleared()
            earlier = await self.api.contact_requests(tracker.sender_id)
        except OfferNotFoundError:
            dispatcher.utter_message(response="utter_offer_gone")
            return cleared()
        except ApiUnavailableError:
            logger.exception("contact: API unavailable")
            dispatcher.utter_message(response="utter_contact_failed")
            return cleared()
        if any(request.offer_id == offer.id for request in earlier):
            dispatcher.utter_message(response="utter_contact_already_sent")
            return cleared()
        # Start from empty form slots, then name the offer: the rules start contact_form on it.
        return [
            *cleared(),
            SlotSet("contact_offer", offer_slot(offer)),
            SlotSet("contact_offer_id", str(offer.id)),
        ]


class ActionAskContactConsent(Action):
    """Says exactly what is sent to whom and why, and keeps those words as the consent text."""

    def name(self) -> str:
        return "action_ask_contact_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = consent_text(offer_of(tracker), retention_days(), texts_for(tracker, domain))
        dispatcher.utter_message(response="utter_ask_contact_consent", consent_text=text)
        return [SlotSet("contact_consent_text", text)]


class ActionAskContactConfirmed(Action):
    """The summary of what will be sent, with buttons to send, change or cancel."""

    def name(self) -> str:
        return "action_ask_contact_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(
            response="utter_ask_contact_confirmed", **summary_values(offer_of(tracker), tracker.slots)
        )
        return []


class ValidateContactForm(FormValidationAction):
    """Checks each answer of contact_form; a "no" to the consent ends the form at once, and a
    correction ("nee die email ist falsch") asks that field again."""

    def name(self) -> str:
        return "validate_contact_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.slots.get("contact_consent") is False:
            return ["contact_consent"]  # nothing else is asked: action_submit_contact says so
        return domain_slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if latest_intent(tracker) == "correct_contact":
            return self.correct(dispatcher, tracker)
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def correct(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        text = tracker.latest_message.get("text") or ""
        field = field_to_correct(text, tracker.latest_message.get("entities") or [])
        slots = dict(tracker.slots)
        changes: dict[str, Any] = {"contact_confirmed": None}
        if field is None:
            dispatcher.utter_message(response="utter_contact_which_field")
        elif field == "reach" and not (found := read_reach(text)).problem:
            # "nee die email ist mia@web.de": take the new address right away.
            changes |= {
                "contact_reach": found.display,
                "contact_email": found.email,
                "contact_phone": found.phone,
            }
        else:
            changes |= dict.fromkeys(FIELD_SLOTS[field])
        slots.update(changes)
        return [
            *(SlotSet(slot, value) for slot, value in changes.items()),
            SlotSet(REQUESTED_SLOT, next_missing(FORM_SLOTS, slots)),
        ]

    async def validate_contact_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"contact_consent": value if isinstance(value, bool) else None}

    async def validate_contact_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"contact_confirmed": value if isinstance(value, bool) else None}

    async def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # emptied (the form starts, or a correction): ask, do not complain
            return {"contact_name": None}
        name = clean_name(str(value))
        if name is None:
            dispatcher.utter_message(response="utter_contact_name_invalid")
        return {"contact_name": name}

    async def validate_contact_reach(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"contact_reach": None}
        reach = read_reach(str(value))
        if reach.problem == "email":
            dispatcher.utter_message(response="utter_contact_email_invalid", value=reach.value)
        elif reach.problem == "phone":
            dispatcher.utter_message(response="utter_contact_phone_invalid", value=reach.value)
        elif reach.problem == "missing":
            dispatcher.utter_message(response="utter_contact_reach_missing")
        if reach.problem:
            return {"contact_reach": None, "contact_email": None, "contact_phone": None}
        return {"contact_reach": reach.display, "contact_email": reach.email, "contact_phone": reach.phone}

    async def validate_contact_message(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"contact_message": None}
        message = clean_message(str(value))
        if message is None:
            dispatcher.utter_message(response="utter_contact_message_too_long", limit=MESSAGE_MAX)
        return {"contact_message": message}


class ActionSubmitContact(ExchangeAction):
    """Runs when contact_form is done: sends the request if the pupil agreed and confirmed."""

    def name(self) -> str:
        return "action_submit_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        offer = offer_of(tracker)
        if tracker.get_slot("contact_consent") is not True:
            dispatcher.utter_message(response="utter_contact_declined")
            return cleared()
        if tracker.get_slot("contact_confirmed") is not True:
            dispatcher.utter_message(response="utter_contact_not_sent")
            return cleared()
        offer_id = parse_id(offer.get("id"))
        if offer_id is None:
            dispatcher.utter_message(response="utter_offer_gone")
            return cleared()
        draft = ContactDraft(
            offer_id=offer_id,
            pupil_ref=tracker.sender_id,
            name=tracker.get_slot("contact_name"),
            email=tracker.get_slot("contact_email"),
            phone=tracker.get_slot("contact_phone"),
            message=tracker.get_slot("contact_message") or None,
            consent_text=str(tracker.get_slot("contact_consent_text") or ""),
        )
        try:
            await self.api.create_contact_request(draft)
        except DuplicateContactRequestError:
            dispatcher.utter_message(response="utter_contact_already_sent")
        except (OfferNotFoundError, OfferClosedError):
            dispatcher.utter_message(response="utter_offer_gone")
        except CompanyNotContactableError:
            dispatcher.utter_message(
                response="utter_contact_not_possible",
                company=str(offer.get("company") or ""),
                apply=str(offer.get("apply") or ""),
            )
        except ContactRejectedError as error:
            logger.warning("contact request refused by the API: %s", error)
            dispatcher.utter_message(response="utter_contact_rejected")
        except ApiUnavailableError:
            logger.exception("contact request: API unavailable")
            dispatcher.utter_message(response="utter_contact_failed")
        else:
            dispatcher.utter_message(
                response="utter_contact_sent", **sent_values(offer, texts_for(tracker, domain))
            )
        return cleared()


class ActionCancelContact(Action):
    """ "stopp" in the middle of the form: nothing is sent, the slots are emptied."""

    def name(self) -> str:
        return "action_cancel_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="utter_contact_cancelled")
        return cleared()


class ActionListContactRequests(ExchangeAction):
    """ "meine Anfragen": every request of this conversation with a button to withdraw it."""

    def name(self) -> str:
        return "action_list_contact_requests"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        try:
            requests = await self.api.contact_requests(tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("contact requests: API unavailable")
            dispatcher.utter_message(response="utter_contact_service_unavailable")
            return []
        send_request_list(dispatcher, requests, tracker, domain)
        return []


def send_request_list(
    dispatcher: CollectingDispatcher, requests: list[ContactRequestInfo], tracker: Tracker, domain: DomainDict
) -> None:
    if not requests:
        dispatcher.utter_message(response="utter_contact_requests_none")
        return
    texts = texts_for(tracker, domain)
    dispatcher.utter_message(response="utter_contact_requests_intro", count=len(requests))
    for request in requests[:MAX_LISTED_REQUESTS]:
        dispatcher.utter_message(
            response="utter_contact_request_item",
            request_id=request.id,
            title=request.offer_title,
            company=request.company_name,
            place=request.place,
            date=request_date(request.created_at, texts),
            status=status_label(request.status, texts),
        )


class ActionAskWithdrawContactRequest(ExchangeAction):
    """ "Zurückziehen" on one request: confirm first. Without a request named, list them."""

    def name(self) -> str:
        return "action_ask_withdraw_contact_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        entities = tracker.latest_message.get("entities") or []
        wanted = next(
            (parse_id(e.get("value")) for e in entities if e.get("entity") == "request_id"),
            None,
        )
        try:
            requests = await self.api.contact_requests(tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("contact requests: API unavailable")
            dispatcher.utter_message(response="utter_contact_service_unavailable")
            return [SlotSet(WITHDRAW_SLOT, None)]
        if wanted is None:
            send_request_list(dispatcher, requests, tracker, domain)
            return [SlotSet(WITHDRAW_SLOT, None)]
        request = next((request for request in requests if request.id == wanted), None)
        if request is None:
            dispatcher.utter_message(response="utter_contact_request_not_found")
            return [SlotSet(WITHDRAW_SLOT, None)]
        dispatcher.utter_message(
            response="utter_ask_withdraw_contact_request",
            title=request.offer_title,
            company=request.company_name,
        )
        return [SlotSet(WITHDRAW_SLOT, str(request.id))]


class ActionWithdrawContactRequest(ExchangeAction):
    """The pupil confirmed: delete the request in the API."""

    def name(self) -> str:
        return "action_withdraw_contact_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        request_id = parse_id(tracker.get_slot(WITHDRAW_SLOT))
        if request_id is None:
            dispatcher.utter_message(response="utter_contact_request_not_found")
            return []
        try:
            await self.api.withdraw_contact_request(request_id, tracker.sender_id)
        except ContactRequestNotFoundError:
            dispatcher.utter_message(response="utter_contact_request_not_found")
        except ApiUnavailableError:
            logger.exception("withdraw contact request: API unavailable")
            dispatcher.utter_message(response="utter_contact_service_unavailable")
            return [SlotSet(WITHDRAW_SLOT, None)]
        else:
            dispatcher.utter_message(response="utter_contact_request_withdrawn")
        return [SlotSet(WITHDRAW_SLOT, None)]


class ActionKeepContactRequest(Action):
    def name(self) -> str:
        return "action_keep_contact_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="utter_contact_request_kept")
        return [SlotSet(WITHDRAW_SLOT, None)]
