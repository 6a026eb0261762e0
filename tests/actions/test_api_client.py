"""The typed API client against an httpx.MockTransport (no live services)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from actions.api_client import (
    DEFAULT_API_URL,
    ApiUnavailableError,
    BerufslotseApi,
    ProfessionNotFoundError,
    create_http_client,
)
from tests.actions.support import FakeApi


async def test_search_sends_query_and_limit_and_parses_scores(api: BerufslotseApi, fake_api: FakeApi) -> None:
    hits = await api.search_professions("mechaniker", limit=6)
    assert fake_api.paths == ["/api/v1/professions?q=mechaniker&limit=6"]
    assert [(hit.slug, hit.score) for hit in hits] == [
        ("industriemechaniker", 0.8),
        ("zerspanungsmechaniker", 0.8),
        ("kraftfahrzeugmechatroniker", 0.6),
    ]
    assert hits[0].display_name("en") == "Industrial mechanic"


async def test_search_without_hits(api: BerufslotseApi) -> None:
    assert await api.search_professions("gibtsnicht") == []


async def test_get_profession_parses_the_whole_profile(api: BerufslotseApi) -> None:
    koch = await api.get_profession("koch")
    assert koch.slug == "koch"
    assert koch.display_name("de") == "Koch/Köchin"
    assert koch.text_in("en").tasks == ("cut vegetables", "cook sauces", "plate dishes")
    assert koch.certificate_required.code == "none"
    assert koch.pay.start_year == 2026
    assert [row.eur for row in koch.pay.minimum] == [724, 854, 977, 1014]
    assert koch.pay.note is None
    assert [related.slug for related in koch.related] == ["baecker", "konditor"]


async def test_unknown_slug_is_not_found(api: BerufslotseApi) -> None:
    with pytest.raises(ProfessionNotFoundError) as error:
        await api.get_profession("astronaut")
    assert error.value.slug == "astronaut"


async def test_malformed_slug_never_reaches_the_api(api: BerufslotseApi, fake_api: FakeApi) -> None:
    with pytest.raises(ProfessionNotFoundError):
        await api.get_profession("../admin")
    assert fake_api.requests == []


async def test_unreachable_api(api: BerufslotseApi, fake_api: FakeApi) -> None:
    fake_api.down = True
    with pytest.raises(ApiUnavailableError):
        await api.search_professions("koch")
    with pytest.raises(ApiUnavailableError):
        await api.get_profession("koch")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, json={"title": "Internal Server Error"}),
        httpx.Response(503, text="maintenance"),
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json={"slug": "koch"}),
    ],
)
async def test_server_errors_and_broken_payloads_are_unavailable(response: httpx.Response) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return response

    async with create_http_client("http://api.test", httpx.MockTransport(handler)) as client:
        api = BerufslotseApi(client)
        with pytest.raises(ApiUnavailableError):
            await api.get_profession("koch")
        with pytest.raises(ApiUnavailableError):
            await api.search_professions("koch")


async def test_timeout_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    async with create_http_client("http://api.test", httpx.MockTransport(handler)) as client:
        with pytest.raises(ApiUnavailableError):
            await BerufslotseApi(client).get_profession("koch")


async def test_client_defaults() -> None:
    async with create_http_client(DEFAULT_API_URL) as client:
        assert str(client.base_url) == "http://127.0.0.1:8000"
        timeout: Any = client.timeout
        assert timeout.connect == 2.0
        assert timeout.read == 5.0


async def test_each_request_finds_the_async_library_without_searching_for_a_module() -> None:
    """httpcore imports sniffio on every request to tell asyncio from trio; when sniffio is missing,
    that import fails and Python searches every folder of sys.path again, each time (8 % of the
    action server's CPU under load, issue 16). With sniffio installed the import is a lookup."""
    import importlib
    import sys

    from httpcore._synchronization import current_async_library

    searches: list[str] = []

    class Recorder:
        @staticmethod
        def find_spec(name: str, *args: Any, **kwargs: Any) -> None:
            searches.append(name)
            return None

    assert current_async_library() == "asyncio"  # the first call may import sniffio
    sys.meta_path.insert(0, Recorder)
    try:
        for _ in range(3):
            assert current_async_library() == "asyncio"
    finally:
        sys.meta_path.remove(Recorder)
    assert "sniffio" not in searches, searches
    assert importlib.util.find_spec("sniffio") is not None
