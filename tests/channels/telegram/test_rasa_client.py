"""The REST channel client: replies parsed, every failure a RasaUnavailableError, safe retries."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.channels.telegram.rasa import RasaClient, RasaReply, RasaUnavailableError


def client(handler: httpx.MockTransport) -> RasaClient:
    return RasaClient(
        "http://rasa.test", timeout_seconds=1, connect_retries=2, backoff_seconds=0, transport=handler
    )


async def test_sends_sender_message_and_metadata() -> None:
    seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook"
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=[{"recipient_id": "tg-x", "text": "Hallo!"}])

    rasa = client(httpx.MockTransport(handle))
    replies = await rasa.send("tg-x", "hi", {"channel": "telegram", "language_code": "de"})
    await rasa.aclose()
    assert replies == [RasaReply(text="Hallo!")]
    assert seen == [
        {"sender": "tg-x", "message": "hi", "metadata": {"channel": "telegram", "language_code": "de"}}
    ]


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(500, text="boom"), "HTTP 500"),
        (httpx.Response(503), "HTTP 503"),
        (httpx.Response(200, text="<html>"), "answer is not JSON"),
        (httpx.Response(200, json={"text": "not a list"}), "answer is not a list"),
    ],
)
async def test_bad_answers_mean_unavailable(response: httpx.Response, reason: str) -> None:
    rasa = client(httpx.MockTransport(lambda request: response))
    with pytest.raises(RasaUnavailableError) as raised:
        await rasa.send("tg-x", "hi", {})
    await rasa.aclose()
    assert raised.value.reason == reason


async def test_a_refused_connection_is_retried_a_timeout_is_not() -> None:
    attempts: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append("connect")
        raise httpx.ConnectError("refused", request=request)

    rasa = client(httpx.MockTransport(refuse))
    with pytest.raises(RasaUnavailableError, match="connection refused"):
        await rasa.send("tg-x", "hi", {})
    assert attempts == ["connect"] * 3

    def time_out(request: httpx.Request) -> httpx.Response:
        attempts.append("timeout")
        raise httpx.ReadTimeout("slow", request=request)

    rasa = client(httpx.MockTransport(time_out))
    with pytest.raises(RasaUnavailableError, match="timeout"):
        await rasa.send("tg-x", "hi", {})
    await rasa.aclose()
    assert attempts.count("timeout") == 1
