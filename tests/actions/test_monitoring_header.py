"""The actions name the conversation on the lookups and searches the district's monitoring counts
(header X-Berufslotse-Pupil, with the service token), and only there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import PUPIL_HEADER
from actions.offers import ActionSearchOffers
from actions.offers_api import ExchangeApi, create_http_client
from tests.actions.exchange_fakes import SERVICE_TOKEN, FakeExchange, build_tracker, entity, load_domain

DOMAIN = load_domain()


@pytest.fixture
def exchange(profiles: dict[str, dict[str, Any]], search_results: dict[str, dict[str, Any]]) -> FakeExchange:
    return FakeExchange(profiles=profiles, search_results=search_results)


@pytest.fixture
async def api(exchange: FakeExchange) -> AsyncIterator[ExchangeApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(exchange.handle))
    async with client:
        yield ExchangeApi(client, service_token=SERVICE_TOKEN)


async def test_the_search_names_the_conversation_and_nothing_else_does(
    api: ExchangeApi, exchange: FakeExchange
) -> None:
    tracker = build_tracker(
        "Ausbildung als Koch in Bramsche",
        "search_offers",
        [entity("profession", "koch")],
        {"profession": "koch"},
        sender_id="web-0123456789abcdef",
    )
    await ActionSearchOffers(api, today=lambda: date(2026, 3, 2)).run(CollectingDispatcher(), tracker, DOMAIN)
    searches = [request for request in exchange.requests if request.url.path == "/api/v1/offers"]
    assert searches, "the action searched"
    first = searches[0]
    assert first.headers[PUPIL_HEADER] == "web-0123456789abcdef"
    assert first.headers["authorization"] == f"Bearer {SERVICE_TOKEN}"
    others = [request for request in exchange.requests if request.url.path != "/api/v1/offers"]
    assert all(PUPIL_HEADER not in request.headers for request in others)


async def test_without_a_conversation_no_header_and_no_token_go_out(
    api: ExchangeApi, exchange: FakeExchange
) -> None:
    await api.get_profession("koch")
    assert all(PUPIL_HEADER not in request.headers for request in exchange.requests)
    assert all("authorization" not in request.headers for request in exchange.requests)
    await api.get_profession("koch", pupil_ref="web-0123456789abcdef")
    assert exchange.requests[-1].headers[PUPIL_HEADER] == "web-0123456789abcdef"
