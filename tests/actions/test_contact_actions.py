"""The contact flow and the pupil's requests: tracker in, responses and events out, the API behind
httpx.MockTransport (tests/actions/exchange_fakes.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import (
    ActionAskContactConfirmed,
    ActionAskContactConsent,
    ActionAskWithdrawContactRequest,
    ActionCancelContact,
    ActionKeepContactRequest,
    ActionListContactRequests,
    ActionPrepareContact,
    ActionSubmitContact,
    ActionWithdrawContactRequest,
    ValidateContactForm,
)
from actions.contact_logic import CONTACT_SLOTS
from actions.offer_logic import SearchState
from actions.offers_api import ExchangeApi, create_http_client
from tests.actions.exchange_fakes import (
    SERVICE_TOKEN,
    FakeExchange,
    build_tracker,
    entity,
    load_domain,
    responses,
    sent,
    slot_events,
)
from tests.actions.test_offer_actions import assert_renderable

DOMAIN = load_domain()
PUPIL = "pupil-1"
CLEARED = [SlotSet(slot, None) for slot in CONTACT_SLOTS]
OFFER_SLOT = {
    "id": 1,
    "title": "Ausbildung Koch/Köchin",
    "company": "Muster-Gasthaus Demo GmbH",
    "place": "Bramsche",
    "is_demo": True,
    "apply": "https://beispiel.example/karriere",
}
FILLED = {
    "contact_offer_id": "1",
    "contact_offer": OFFER_SLOT,
    "contact_consent_text": "Ich kann Muster-Gasthaus Demo GmbH bitten ... Bist du einverstanden?",
    "contact_consent": True,
    "contact_name": "Mia",
    "contact_reach": "mia@example.de",
    "contact_email": "mia@example.de",
    "contact_phone": None,
    "contact_message": "",
    "contact_confirmed": True,
}


@pytest.fixture
def exchange() -> FakeExchange:
    return FakeExchange()


@pytest.fixture
async def api(exchange: FakeExchange) -> AsyncIterator[ExchangeApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(exchange.handle))
    async with client:
        yield ExchangeApi(client, service_token=SERVICE_TOKEN)


async def run(action: Action, tracker: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    assert_renderable(dispatcher)
    return dispatcher, events


# --- starting ---------------------------------------------------------------------------------------


async def test_a_contactable_offer_starts_the_form_with_empty_fields(api: ExchangeApi) -> None:
    tracker = build_tracker(
        '/request_contact{"offer_id":"1"}',
        "request_contact",
        [entity("offer_id", "1")],
        {"contact_name": "Old Name"},
    )
    dispatcher, events = await run(ActionPrepareContact(api), tracker)
    assert dispatcher.messages == []
    assert events == [*CLEARED, SlotSet("contact_offer", OFFER_SLOT), SlotSet("contact_offer_id", "1")]


async def test_typed_request_means_the_offer_looked_at_last(api: ExchangeApi) -> None:
    state = SearchState(shown=(1, 2), viewed=2)
    tracker = build_tracker(
        "betrieb kontaktieren", "request_contact", slots={"offer_search": state.to_slot()}
    )
    _, events = await run(ActionPrepareContact(api), tracker)
    assert slot_events(events)["contact_offer_id"] == "2"


@pytest.mark.parametrize(
    ("offer_id", "said", "variables"),
    [
        (
            "3",
            "utter_contact_not_possible",
            {
                "company": "Probe-Kantine Demo",
                "apply": "https://beispiel.example/karriere · Frau Beispiel, 0541 123456",
            },
        ),
        ("99", "utter_offer_gone", {}),
    ],
)
async def test_offers_that_cannot_be_asked(
    api: ExchangeApi, offer_id: str, said: str, variables: dict[str, str]
) -> None:
    tracker = build_tracker(
        f'/request_contact{{"offer_id":"{offer_id}"}}', "request_contact", [entity("offer_id", offer_id)]
    )
    dispatcher, events = await run(ActionPrepareContact(api), tracker)
    assert sent(dispatcher) == [(said, variables, [])]
    assert events == CLEARED


async def test_an_offer_asked_about_before(api: ExchangeApi, exchange: FakeExchange) -> None:
    exchange.contact_requests.append(
        {"id": 1, "offer_id": 1, "pupil_ref": PUPIL, "email": "a@b.de", "consent_text": "ok"}
    )
    tracker = build_tracker('/request_contact{"offer_id":"1"}', "request_contact", [entity("offer_id", "1")])
    dispatcher, events = await run(ActionPrepareContact(api), tracker)
    assert responses(dispatcher) == ["utter_contact_already_sent"] and events == CLEARED


async def test_the_consent_is_shown_and_kept_word_for_word() -> None:
    tracker = build_tracker("ja", "request_contact", slots={"contact_offer": OFFER_SLOT})
    dispatcher, events = await run(ActionAskContactConsent(), tracker)
    [(response, variables, _)] = sent(dispatcher)
    assert response == "utter_ask_contact_consent"
    text = variables["consent_text"]
    assert "Muster-Gasthaus Demo GmbH" in text and "Achtung: Das ist ein Demo-Angebot" in text
    assert events == [SlotSet("contact_consent_text", text)]


async def test_the_summary_before_sending() -> None:
    tracker = build_tracker(
        "x", "affirm", slots={**FILLED, "contact_confirmed": None, "contact_message": "Ab 14 Uhr"}
    )
    dispatcher, _ = await run(ActionAskContactConfirmed(), tracker)
    [(response, variables, _)] = sent(dispatcher)
    assert (response, variables) == (
        "utter_ask_contact_confirmed",
        {
            "company": "Muster-Gasthaus Demo GmbH",
            "title": "Ausbildung Koch/Köchin",
            "name": "Mia",
            "reach": "mia@example.de",
            "message": "Ab 14 Uhr",
        },
    )


# --- the form's answers -----------------------------------------------------------------------------


async def validate(
    text: str,
    intent: str,
    requested: str,
    filled: Mapping[str, Any],
    *,
    so_far: Mapping[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> tuple[CollectingDispatcher, dict[str, Any]]:
    tracker = build_tracker(
        text,
        intent,
        entities or [],
        {**(so_far or {}), "requested_slot": requested},
        set_since_message=filled,
        active_loop="contact_form",
    )
    dispatcher, events = await run(ValidateContactForm(), tracker)
    return dispatcher, slot_events(events)


BEFORE_NAME = {"contact_offer": OFFER_SLOT, "contact_consent": True}


async def test_a_name_is_cleaned_up() -> None:
    dispatcher, slots = await validate(
        "ich heiße mia", "nlu_fallback", "contact_name", {"contact_name": "ich heiße mia"}, so_far=BEFORE_NAME
    )
    assert dispatcher.messages == [] and slots["contact_name"] == "Mia"


async def test_no_name_is_asked_again() -> None:
    dispatcher, slots = await validate(
        "nein", "nlu_fallback", "contact_name", {"contact_name": "nein"}, so_far=BEFORE_NAME
    )
    assert responses(dispatcher) == ["utter_contact_name_invalid"] and slots["contact_name"] is None


@pytest.mark.parametrize(
    ("typed", "said", "reach", "email", "phone"),
    [
        ("mia@example.de", [], "mia@example.de", "mia@example.de", None),
        ("0171 2345678", [], "0171 2345678", None, "0171 2345678"),
        ("mia@gmail", ["utter_contact_email_invalid"], None, None, None),
        ("0171 23", ["utter_contact_phone_invalid"], None, None, None),
        ("weiß ich nicht", ["utter_contact_reach_missing"], None, None, None),
    ],
)
async def test_email_or_phone(
    typed: str, said: list[str], reach: str | None, email: str | None, phone: str | None
) -> None:
    so_far = {**BEFORE_NAME, "contact_name": "Mia"}
    dispatcher, slots = await validate(
        typed, "nlu_fallback", "contact_reach", {"contact_reach": typed}, so_far=so_far
    )
    assert responses(dispatcher) == said
    assert (slots["contact_reach"], slots["contact_email"], slots["contact_phone"]) == (reach, email, phone)


async def test_no_message_is_fine() -> None:
    so_far = {**BEFORE_NAME, "contact_name": "Mia", "contact_reach": "mia@example.de"}
    dispatcher, slots = await validate(
        "nein danke", "deny", "contact_message", {"contact_message": ""}, so_far=so_far
    )
    assert dispatcher.messages == [] and slots["contact_message"] == ""


async def test_no_consent_ends_the_form_at_once() -> None:
    dispatcher, slots = await validate(
        "nein", "deny", "contact_consent", {"contact_consent": False}, so_far={"contact_offer": OFFER_SLOT}
    )
    assert dispatcher.messages == []
    assert slots == {"contact_consent": False, "requested_slot": None}


AT_SUMMARY = {key: value for key, value in FILLED.items() if key != "contact_confirmed"} | {
    "contact_confirmed": None
}


async def test_the_email_is_wrong_so_it_is_asked_again() -> None:
    dispatcher, slots = await validate(
        "nee die email ist falsch", "correct_contact", "contact_confirmed", {}, so_far=AT_SUMMARY
    )
    assert dispatcher.messages == []
    assert slots == {
        "contact_confirmed": None,
        "contact_reach": None,
        "contact_email": None,
        "contact_phone": None,
        "requested_slot": "contact_reach",
    }


async def test_a_correction_with_the_new_address_takes_it_at_once() -> None:
    _dispatcher, slots = await validate(
        "nee die email ist mia.b@example.de", "correct_contact", "contact_confirmed", {}, so_far=AT_SUMMARY
    )
    assert slots == {
        "contact_confirmed": None,
        "contact_reach": "mia.b@example.de",
        "contact_email": "mia.b@example.de",
        "contact_phone": None,
        "requested_slot": "contact_confirmed",
    }


async def test_change_the_name_by_button() -> None:
    _, slots = await validate(
        '/correct_contact{"contact_field":"name"}',
        "correct_contact",
        "contact_confirmed",
        {},
        so_far=AT_SUMMARY,
        entities=[entity("contact_field", "name")],
    )
    assert slots == {"contact_confirmed": None, "contact_name": None, "requested_slot": "contact_name"}


async def test_a_correction_without_a_field_asks_which() -> None:
    dispatcher, slots = await validate(
        "ich will was ändern", "correct_contact", "contact_confirmed", {}, so_far=AT_SUMMARY
    )
    assert responses(dispatcher) == ["utter_contact_which_field"]
    assert slots == {"contact_confirmed": None, "requested_slot": "contact_confirmed"}


# --- sending ------------------------------------------------------------------------------------------


async def submit(
    api: ExchangeApi, slots: Mapping[str, Any]
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    tracker = build_tracker("ja", "affirm", slots=slots, sender_id=PUPIL)
    return await run(ActionSubmitContact(api), tracker)


async def test_send_exactly_what_was_agreed(api: ExchangeApi, exchange: FakeExchange) -> None:
    dispatcher, events = await submit(api, FILLED)
    [post] = [request for request in exchange.requests if request.method == "POST"]
    assert post.url.path == "/api/v1/contact-requests"
    assert post.headers["authorization"] == f"Bearer {SERVICE_TOKEN}"
    assert json.loads(post.content) == {
        "offer_id": 1,
        "pupil_ref": PUPIL,
        "name": "Mia",
        "email": "mia@example.de",
        "phone": None,
        "message": None,
        "consent_text": FILLED["contact_consent_text"],
    }
    assert sent(dispatcher) == [
        (
            "utter_contact_sent",
            {
                "company": "Muster-Gasthaus Demo GmbH",
                "notice": " Weil das ein Demo-Angebot war, antwortet dir niemand Echtes.",
            },
            [],
        )
    ]
    assert events == CLEARED


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"contact_consent": False}, "utter_contact_declined"),
        ({"contact_confirmed": False}, "utter_contact_not_sent"),
    ],
)
async def test_nothing_is_sent_without_consent_and_confirmation(
    api: ExchangeApi, exchange: FakeExchange, changes: dict[str, Any], said: str
) -> None:
    dispatcher, events = await submit(api, {**FILLED, **changes})
    assert responses(dispatcher) == [said] and events == CLEARED
    assert exchange.requests == []


async def test_sent_twice(api: ExchangeApi, exchange: FakeExchange) -> None:
    await submit(api, FILLED)
    dispatcher, events = await submit(api, FILLED)
    assert responses(dispatcher) == ["utter_contact_already_sent"] and events == CLEARED
    assert len(exchange.contact_requests) == 1


async def test_the_api_is_down_when_sending(api: ExchangeApi, exchange: FakeExchange) -> None:
    exchange.down = True
    dispatcher, events = await submit(api, FILLED)
    assert responses(dispatcher) == ["utter_contact_failed"] and events == CLEARED


async def test_stop_clears_everything() -> None:
    dispatcher, events = await run(ActionCancelContact(), build_tracker("stopp", "stop", slots=FILLED))
    assert responses(dispatcher) == ["utter_contact_cancelled"] and events == CLEARED


# --- "meine Anfragen" --------------------------------------------------------------------------------


async def test_no_requests_yet(api: ExchangeApi) -> None:
    dispatcher, _ = await run(
        ActionListContactRequests(api), build_tracker("meine anfragen", "list_contact_requests")
    )
    assert responses(dispatcher) == ["utter_contact_requests_none"]


async def test_list_and_withdraw(api: ExchangeApi, exchange: FakeExchange) -> None:
    await submit(api, FILLED)
    exchange.contact_requests.append(
        {"id": 9, "offer_id": 2, "pupil_ref": "someone-else", "email": "x@y.de", "consent_text": "ok"}
    )
    tracker = build_tracker("meine anfragen", "list_contact_requests", sender_id=PUPIL)
    dispatcher, _ = await run(ActionListContactRequests(api), tracker)
    assert sent(dispatcher) == [
        ("utter_contact_requests_intro", {"count": 1}, []),
        (
            "utter_contact_request_item",
            {
                "request_id": 1,
                "title": "Ausbildung Koch/Köchin",
                "company": "Muster-Gasthaus Demo GmbH",
                "place": "Bramsche",
                "date": "3. März 2026",
                "status": "noch nicht gelesen",
            },
            [],
        ),
    ]
    ask = build_tracker(
        '/withdraw_contact_request{"request_id":"1"}',
        "withdraw_contact_request",
        [entity("request_id", "1")],
        sender_id=PUPIL,
    )
    dispatcher, events = await run(ActionAskWithdrawContactRequest(api), ask)
    assert sent(dispatcher) == [
        (
            "utter_ask_withdraw_contact_request",
            {"title": "Ausbildung Koch/Köchin", "company": "Muster-Gasthaus Demo GmbH"},
            [],
        )
    ]
    assert events == [SlotSet("contact_withdraw_id", "1")]
    confirm = build_tracker("ja", "affirm", slots={"contact_withdraw_id": "1"}, sender_id=PUPIL)
    dispatcher, events = await run(ActionWithdrawContactRequest(api), confirm)
    assert responses(dispatcher) == ["utter_contact_request_withdrawn"]
    assert events == [SlotSet("contact_withdraw_id", None)]
    assert [item["id"] for item in exchange.contact_requests] == [9]
    assert "/api/v1/contact-requests/1?pupil_ref=pupil-1" in exchange.paths


async def test_someone_elses_request_cannot_be_withdrawn(api: ExchangeApi, exchange: FakeExchange) -> None:
    exchange.contact_requests.append(
        {"id": 9, "offer_id": 2, "pupil_ref": "someone-else", "email": "x@y.de", "consent_text": "ok"}
    )
    ask = build_tracker(
        '/withdraw_contact_request{"request_id":"9"}',
        "withdraw_contact_request",
        [entity("request_id", "9")],
        sender_id=PUPIL,
    )
    dispatcher, events = await run(ActionAskWithdrawContactRequest(api), ask)
    assert responses(dispatcher) == ["utter_contact_request_not_found"]
    assert events == [SlotSet("contact_withdraw_id", None)]
    confirm = build_tracker("ja", "affirm", slots={"contact_withdraw_id": "9"}, sender_id=PUPIL)
    dispatcher, _ = await run(ActionWithdrawContactRequest(api), confirm)
    assert responses(dispatcher) == ["utter_contact_request_not_found"]
    assert len(exchange.contact_requests) == 1


async def test_keep_the_request() -> None:
    dispatcher, events = await run(
        ActionKeepContactRequest(), build_tracker("nein", "deny", slots={"contact_withdraw_id": "1"})
    )
    assert responses(dispatcher) == ["utter_contact_request_kept"]
    assert events == [SlotSet("contact_withdraw_id", None)]


async def test_typed_withdraw_lists_the_requests(api: ExchangeApi) -> None:
    tracker = build_tracker("anfrage zurückziehen", "withdraw_contact_request", sender_id=PUPIL)
    dispatcher, events = await run(ActionAskWithdrawContactRequest(api), tracker)
    assert responses(dispatcher) == ["utter_contact_requests_none"]
    assert events == [SlotSet("contact_withdraw_id", None)]


async def test_the_form_starts_quietly_although_the_fields_were_emptied() -> None:
    # action_prepare_contact empties every field; the form then validates them once before asking.
    emptied = dict.fromkeys(("contact_consent", "contact_name", "contact_reach", "contact_message"))
    dispatcher, slots = await validate(
        '/request_contact{"offer_id":"1"}', "request_contact", "contact_consent", emptied,
        so_far={"contact_offer": OFFER_SLOT},
    )  # fmt: skip
    assert dispatcher.messages == []
    assert slots == {
        "contact_consent": None,
        "contact_name": None,
        "contact_reach": None,
        "contact_message": None,
    }
