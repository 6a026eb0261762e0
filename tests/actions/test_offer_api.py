"""The typed exchange client against httpx.MockTransport: what it sends, what it makes of answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date

import httpx
import pytest

from actions.api_client import ApiUnavailableError
from actions.offers_api import (
    DEFAULT_SERVICE_TOKEN,
    SERVICE_TOKEN_ENV,
    CompanyNotContactableError,
    ContactDraft,
    ContactRejectedError,
    ContactRequestNotFoundError,
    DuplicateContactRequestError,
    ExchangeApi,
    OfferClosedError,
    OfferNotFoundError,
    OfferQuery,
    UnknownPlaceError,
    UnknownProfessionFilterError,
    create_http_client,
    parse_id,
)
from tests.actions.exchange_fakes import SERVICE_TOKEN, FakeExchange, problem

DRAFT = ContactDraft(
    offer_id=1, pupil_ref="p", name="Mia", email="mia@example.de", phone=None, message=None, consent_text="ok"
)


@pytest.fixture
def exchange() -> FakeExchange:
    return FakeExchange()


@pytest.fixture
async def api(exchange: FakeExchange) -> AsyncIterator[ExchangeApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(exchange.handle))
    async with client:
        yield ExchangeApi(client, service_token=SERVICE_TOKEN)


def answering(response: httpx.Response) -> Callable[[], ExchangeApi]:
    def build() -> ExchangeApi:
        client = create_http_client("http://api.test", httpx.MockTransport(lambda request: response))
        return ExchangeApi(client, service_token=SERVICE_TOKEN)

    return build


async def test_search_sends_the_filters_and_parses_cards(api: ExchangeApi, exchange: FakeExchange) -> None:
    query = OfferQuery(
        profession="koch",
        kind="apprenticeship",
        near="Bramsche",
        radius_km=10,
        start_from=date(2026, 8, 1),
        include_related=True,
        limit=3,
    )
    page = await api.search_offers(query)
    assert exchange.paths == [
        "/api/v1/offers?profession=koch&kind=apprenticeship&near=Bramsche&radius_km=10&start_from=2026-08-01"
        "&include_related=true&limit=3&offset=0"
    ]
    assert page.total == 3
    first = page.items[0]
    assert (first.id, first.place, first.distance_km, first.start_date, first.is_demo) == (
        1,
        "Bramsche",
        0.0,
        date(2026, 8, 1),
        True,
    )
    assert page.items[-1].related and page.items[-1].profession_display_name("en") == "Baker"


def test_parameters_left_out() -> None:
    # a radius without a place, related occupations without an occupation: not sent
    assert OfferQuery(radius_km=10, include_related=True).params() == {"limit": 20, "offset": 0}


async def test_count(api: ExchangeApi, exchange: FakeExchange) -> None:
    assert await api.count_offers(OfferQuery(profession="koch", offset=6)) == 4
    assert exchange.paths == ["/api/v1/offers?profession=koch&limit=1&offset=0"]


async def test_search_problems(api: ExchangeApi) -> None:
    with pytest.raises(UnknownPlaceError):
        await api.search_offers(OfferQuery(near="Hamburg"))
    with pytest.raises(UnknownProfessionFilterError):
        await api.search_offers(OfferQuery(profession="astronaut"))


async def test_one_offer(api: ExchangeApi, exchange: FakeExchange) -> None:
    offer = await api.get_offer(3)
    assert (offer.apply_url, offer.apply_contact, offer.card.contactable) == (
        "https://beispiel.example/karriere",
        "Frau Beispiel, 0541 123456",
        False,
    )
    with pytest.raises(OfferNotFoundError):
        await api.get_offer(99)
    with pytest.raises(OfferNotFoundError):
        await api.get_offer(0)  # never sent
    assert exchange.paths == ["/api/v1/offers/3", "/api/v1/offers/99"]


async def test_municipalities_are_read_once(api: ExchangeApi, exchange: FakeExchange) -> None:
    first = await api.municipalities()
    second = await api.municipalities()
    assert (
        first is second and first[0].name == "Bramsche" and first[1].postcodes == ("49324", "49326", "49328")
    )
    assert exchange.paths == ["/api/v1/municipalities"]


async def test_contact_requests_carry_the_service_token(api: ExchangeApi, exchange: FakeExchange) -> None:
    created = await api.create_contact_request(DRAFT)
    assert (created.id, created.offer_title, created.status) == (1, "Ausbildung Koch/Köchin", "new")
    assert [request.offer_id for request in await api.contact_requests("p")] == [1]
    assert await api.contact_requests("someone-else") == []
    await api.withdraw_contact_request(1, "p")
    with pytest.raises(ContactRequestNotFoundError):
        await api.withdraw_contact_request(1, "p")
    assert all(request.headers["authorization"] == f"Bearer {SERVICE_TOKEN}" for request in exchange.requests)


async def test_offer_searches_do_not_send_the_token(api: ExchangeApi, exchange: FakeExchange) -> None:
    await api.search_offers(OfferQuery())
    assert "authorization" not in exchange.requests[0].headers


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (problem(409, "duplicate-contact-request", request_id=4), DuplicateContactRequestError),
        (problem(409, "offer-closed"), OfferClosedError),
        (problem(409, "company-not-contactable"), CompanyNotContactableError),
        (problem(404, "offer-not-found"), OfferNotFoundError),
        (problem(422, "contact-request-rejected", errors=[{"field": "email"}]), ContactRejectedError),
        (problem(401, "unauthorized"), ApiUnavailableError),
        (httpx.Response(500, text="boom"), ApiUnavailableError),
        (httpx.Response(201, json={"id": 1}), ApiUnavailableError),
    ],
)
async def test_contact_problems(response: httpx.Response, error: type[Exception]) -> None:
    api = answering(response)()
    with pytest.raises(error) as raised:
        await api.create_contact_request(DRAFT)
    if isinstance(raised.value, DuplicateContactRequestError):
        assert raised.value.request_id == 4
    if isinstance(raised.value, ContactRejectedError):
        assert raised.value.fields == ("email",)


async def test_unreachable(api: ExchangeApi, exchange: FakeExchange) -> None:
    exchange.down = True
    with pytest.raises(ApiUnavailableError):
        await api.search_offers(OfferQuery())
    with pytest.raises(ApiUnavailableError):
        await api.municipalities()


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_http_client("http://api.test")
    monkeypatch.setenv(SERVICE_TOKEN_ENV, "from-env")
    assert ExchangeApi(client)._service_token == "from-env"
    monkeypatch.delenv(SERVICE_TOKEN_ENV)
    assert ExchangeApi(client)._service_token == DEFAULT_SERVICE_TOKEN


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("17", 17),
        (17, 17),
        (17.0, 17),
        (" 5 ", 5),
        ("0", None),
        ("-3", None),
        (True, None),
        ("x", None),
        (2**31, None),
        (None, None),
    ],
)
def test_ids_from_entities_and_slots(value: object, parsed: int | None) -> None:
    assert parse_id(value) == parsed


def flaky(fail_first: int) -> tuple[list[str], httpx.MockTransport]:
    """A transport whose first requests hit a kept-alive connection the server has closed."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) <= fail_first:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if request.method == "POST":
            return problem(409, "offer-closed")
        return httpx.Response(200, json=[])

    return seen, httpx.MockTransport(handle)


async def test_a_closed_keep_alive_connection_is_retried_for_reads_only() -> None:
    seen, transport = flaky(fail_first=1)
    async with create_http_client("http://api.test", transport) as client:
        assert await ExchangeApi(client, service_token=SERVICE_TOKEN).contact_requests("p") == []
    assert seen == ["GET", "GET"]
    seen, transport = flaky(fail_first=1)
    async with create_http_client("http://api.test", transport) as client:
        with pytest.raises(ApiUnavailableError):
            await ExchangeApi(client, service_token=SERVICE_TOKEN).create_contact_request(DRAFT)
    assert seen == ["POST"]  # never sent twice: the company would get two emails
