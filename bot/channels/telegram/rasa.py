"""Talking to Rasa's REST channel: POST {rasa_url}/webhooks/rest/webhook.

Request: `{"sender": <pseudonym>, "message": <text or /intent{...}>, "metadata": {...}}`.
Answer: a list of `{"recipient_id", "text"?, "buttons"?, "image"?, "custom"?}`; Rasa's REST channel
sends a text and an image of one response as two entries.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
BUTTON_STYLES = frozenset({"scale", "link", "primary"})


class RasaUnavailableError(Exception):
    """Rasa could not be reached or did not answer usefully; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RasaButton:
    title: str
    payload: str | None = None
    url: str | None = None
    style: str | None = None  # "scale", "link" or "primary" (docs/widget_messages.md)


@dataclass(frozen=True)
class RasaReply:
    text: str | None = None
    image: str | None = None
    buttons: tuple[RasaButton, ...] = ()
    custom: Mapping[str, Any] | None = field(default=None)


def _parse_button(raw: object) -> RasaButton | None:
    if not isinstance(raw, dict):
        return None
    title = raw.get("title")
    payload = raw.get("payload")
    url = raw.get("url")
    if not isinstance(title, str) or not title.strip():
        return None
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return RasaButton(title=title, url=url)
    if isinstance(payload, str) and payload:
        style = raw.get("style")
        return RasaButton(title=title, payload=payload, style=style if style in BUTTON_STYLES else None)
    return None


def parse_replies(body: object) -> list[RasaReply]:
    """The usable replies in Rasa's answer; entries of an unknown shape are skipped."""
    if not isinstance(body, list):
        raise RasaUnavailableError("answer is not a list")
    replies: list[RasaReply] = []
    for entry in body:
        if not isinstance(entry, dict):
            continue
        text = entry.get("text")
        image = entry.get("image")
        custom = entry.get("custom")
        buttons = tuple(
            button for button in map(_parse_button, entry.get("buttons") or []) if button is not None
        )
        reply = RasaReply(
            text=text if isinstance(text, str) and text.strip() else None,
            image=image if isinstance(image, str) and image else None,
            buttons=buttons,
            custom=custom if isinstance(custom, dict) else None,
        )
        if reply.text or reply.image or reply.buttons or reply.custom:
            replies.append(reply)
    return replies


class RasaClient:
    """One message in, Rasa's replies out; every failure becomes `RasaUnavailableError`.

    A refused connection is retried (the message never reached Rasa, so nothing happens twice);
    a timeout or a server error is not, because Rasa may already have acted on the message.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float,
        connect_retries: int = 2,
        backoff_seconds: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 5.0)),
            transport=transport,
            verify=verify,
        )
        self._connect_retries = connect_retries
        self._backoff_seconds = backoff_seconds

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, sender_id: str, message: str, metadata: Mapping[str, Any]) -> list[RasaReply]:
        body = {"sender": sender_id, "message": message, "metadata": dict(metadata)}
        delay = self._backoff_seconds
        for attempt in range(self._connect_retries + 1):
            try:
                response = await self._client.post(REST_WEBHOOK_PATH, json=body)
                break
            except httpx.ConnectError as exc:
                if attempt == self._connect_retries:
                    raise RasaUnavailableError("connection refused") from exc
                await asyncio.sleep(delay)
                delay *= 2
            except httpx.TimeoutException as exc:
                raise RasaUnavailableError(f"timeout ({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise RasaUnavailableError(f"transport error ({type(exc).__name__})") from exc
        if response.status_code != httpx.codes.OK:
            raise RasaUnavailableError(f"HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise RasaUnavailableError("answer is not JSON") from exc
        return parse_replies(payload)
