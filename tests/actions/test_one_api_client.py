"""actions/ has one API client: one settings object, one transport, one retry and error rule.

The profession, check and exchange clients are three sets of calls on `BerufslotseApi`; every
request goes through `BerufslotseApi._send` and, on the action server, through one
`httpx.AsyncClient`."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from actions import api_client, check_api, offers_api
from actions.api_client import ApiSettings, ApiUnavailableError, BerufslotseApi, create_http_client
from actions.check_api import CheckApi
from actions.offers_api import ExchangeApi, OfferQuery

Call = Callable[[httpx.AsyncClient], Awaitable[object]]

READS: dict[str, Call] = {
    "profession": lambda client: BerufslotseApi(client).get_profession("koch"),
    "check": lambda client: CheckApi(client, service_token="t").check_items("quick"),
    "exchange": lambda client: ExchangeApi(client, service_token="t").search_offers(OfferQuery()),
}
WRITES: dict[str, Call] = {
    "check": lambda client: CheckApi(client, service_token="t").score({"r01": 5}),
    "exchange": lambda client: ExchangeApi(client, service_token="t").create_contact_request(
        offers_api.ContactDraft(
            offer_id=1,
            pupil_ref="p",
            name="A",
            email="a@example.org",
            phone=None,
            message=None,
            consent_text="ok",
        )
    ),
}


def _failing(seen: list[str], answer: httpx.Response) -> httpx.MockTransport:
    """The first request meets a kept-alive connection the server has closed; later ones `answer`."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) == 1:
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return answer

    return httpx.MockTransport(handle)


def test_no_client_has_a_request_method_of_its_own() -> None:
    assert CheckApi._send is BerufslotseApi._send and ExchangeApi._send is BerufslotseApi._send
    assert CheckApi._json is BerufslotseApi._json and ExchangeApi._json is BerufslotseApi._json
    for module in (api_client, check_api, offers_api):
        source = Path(inspect.getfile(module)).read_text(encoding="utf-8")
        requests = source.count("self._client.")
        assert requests == (1 if module is api_client else 0), module.__name__


@pytest.mark.parametrize("client_name", sorted(READS))
async def test_every_read_is_retried_once_and_a_server_error_is_unavailable(client_name: str) -> None:
    seen: list[str] = []
    transport = _failing(seen, httpx.Response(503, json={"title": "down"}))
    async with create_http_client("http://api.test", transport) as client:
        with pytest.raises(ApiUnavailableError, match="answered 503"):
            await READS[client_name](client)
    assert seen == ["GET", "GET"]


@pytest.mark.parametrize("client_name", sorted(WRITES))
async def test_a_write_is_never_sent_twice(client_name: str) -> None:
    seen: list[str] = []
    transport = _failing(seen, httpx.Response(200, json={}))
    async with create_http_client("http://api.test", transport) as client:
        with pytest.raises(ApiUnavailableError, match="failed: RemoteProtocolError"):
            await WRITES[client_name](client)
    assert seen == ["POST"]


@pytest.mark.parametrize("client_name", sorted(READS))
async def test_a_wrong_token_is_unavailable_everywhere(client_name: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(401, json={"title": "no"}))
    async with create_http_client("http://api.test", transport) as client:
        with pytest.raises(ApiUnavailableError, match="answered 401"):
            await READS[client_name](client)


async def test_the_action_server_uses_one_connection_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    for module, name in (
        (api_client, "_shared_client"),
        (api_client, "_shared_api"),
        (check_api, "_shared_check_api"),
        (offers_api, "_shared_exchange"),
    ):
        monkeypatch.setattr(module, name, None)
    pool = api_client.shared_http_client()
    try:
        clients = [api_client.get_api(), check_api.get_check_api(), offers_api.get_exchange_api()]
        assert all(client._client is pool for client in clients)
    finally:
        await pool.aclose()


def test_one_settings_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(api_client.API_URL_ENV, raising=False)
    monkeypatch.delenv(api_client.PUBLIC_API_URL_ENV, raising=False)
    monkeypatch.setenv(api_client.SERVICE_TOKEN_ENV, "secret")
    settings = ApiSettings.from_env()
    assert settings == ApiSettings("http://127.0.0.1:8000", "http://127.0.0.1:8000", "secret")
    assert check_api.service_token_from_env() == settings.service_token
    assert check_api.public_api_url() == settings.public_url == api_client.api_base_url()
