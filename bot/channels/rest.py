"""Rasa's REST channel with limits at the edge (POST /webhooks/rest/webhook, as before).

Registered in bot/credentials.yml instead of Rasa's own `rest:`. Before a message reaches Rasa:
- the body must be a JSON object of at most `max_body_bytes`; `sender` a plain id; `message` a
  string; `metadata` only the keys the channels send (docs/contracts.md), short strings. Anything
  else is a 4xx with a short JSON reason (a client bug, not something a pupil typed);
- a message that is too long, empty or unreadable (control characters, lone surrogates) is
  answered kindly in the pupil's language (texts in `refusals.yml`) and never reaches NLU;
- a typed `/intent{...}` passes only when it is a known intent with short plain entity values
  (bot/channels/message_limits.py); otherwise its words go to NLU as ordinary text.
When Rasa has no answer (it failed, or the action server or the API is down), or the conversations'
database is down (bot/tracker_store.py), the pupil hears a kind "try again in a moment" instead of
silence. Logs name the reason, never the message, the
sender id or the metadata.
"""

from __future__ import annotations

import json
import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.domain import Domain
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.message_limits import MAX_MESSAGE_CHARS, PayloadPolicy, Refusal, as_pupil_text, refusal_for
from bot.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)

REFUSALS_PATH = Path(__file__).with_name("refusals.yml")
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
# The widget's ids ("web-<hex>"), the bridge's pseudonyms, test names ("e2e-test_x[de]").
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:\[\]-]+$")
# Button payloads that are answered by silence on purpose (Telegram's /neustart sends /restart).
SILENT_PAYLOADS = frozenset({"/restart", "/session_start"})
# The metadata the channels send (docs/contracts.md, "Metadata the channels send").
METADATA_KEYS = frozenset(
    {"channel", "language", "language_code", "easy_language", "start_parameter", "delivery_token"}
)


@dataclass(frozen=True)
class RestLimits:
    max_body_bytes: int = 16 * 1024
    max_message_chars: int = MAX_MESSAGE_CHARS
    max_sender_chars: int = 128
    max_metadata_value_chars: int = 64


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class BadRequest:
    """A request no channel of ours sends; `reason` is safe to log and to answer."""

    status: int
    reason: str


def parse_rest_request(body: bytes, limits: RestLimits) -> RestMessage | BadRequest:
    """The request's sender, message and metadata, or why it is refused."""
    if len(body) > limits.max_body_bytes:
        return BadRequest(413, "body_too_large")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return BadRequest(400, "body_not_json")
    if not isinstance(data, dict):
        return BadRequest(400, "body_not_an_object")
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender or len(sender) > limits.max_sender_chars:
        return BadRequest(400, "sender_invalid")
    if not SENDER_ID.match(sender):
        return BadRequest(400, "sender_invalid")
    message = data.get("message")
    if not isinstance(message, str):
        return BadRequest(400, "message_not_a_string")
    metadata = data.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return BadRequest(400, "metadata_not_an_object")
    if not set(metadata) <= METADATA_KEYS:
        return BadRequest(400, "metadata_unknown_key")
    for value in metadata.values():
        if not isinstance(value, str) or len(value) > limits.max_metadata_value_chars:
            return BadRequest(400, "metadata_value_invalid")
    return RestMessage(sender=sender, text=message, metadata=metadata)


def policy_from_domain(domain: Domain) -> PayloadPolicy:
    """Known intents and entities; entities that fill a categorical slot, only with its values."""
    entity_values: dict[str, set[str]] = {}
    for slot in domain.slots:
        if slot.type_name != "categorical":
            continue
        values = {str(value) for value in getattr(slot, "values", []) if str(value) != "__other__"}
        for mapping in slot.mappings:
            entity = mapping.get("entity")
            if mapping.get("type") == "from_entity" and isinstance(entity, str):
                entity_values[entity] = entity_values.get(entity, values) & values
    return PayloadPolicy(
        intents=frozenset(domain.intents),
        entities=frozenset(domain.entities),
        entity_values={name: frozenset(values) for name, values in entity_values.items()},
    )


@lru_cache
def refusal_texts() -> dict[str, dict[str, str]]:
    raw = yaml.safe_load(REFUSALS_PATH.read_text(encoding="utf-8"))
    return {language: {str(key): str(text) for key, text in raw[language].items()} for language in LANGUAGES}


def refusal_text(refusal: Refusal, language: str, limits: RestLimits) -> str:
    table = refusal_texts()[language if language in LANGUAGES else DEFAULT_LANGUAGE]
    return table[refusal.value].format(max_chars=limits.max_message_chars)


def language_of(slot_value: object, metadata: Mapping[str, str]) -> str:
    """The pupil's language: the conversation's `language` slot, else what the channel reports."""
    if slot_value in LANGUAGES:
        return str(slot_value)
    reported = metadata.get("language") or metadata.get("language_code") or ""
    primary = reported.lower().split("-")[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


class GuardedRestInput(RestInput):
    """Rasa's REST channel (same name, same path) that checks every request before Rasa sees it."""

    def __init__(self, limits: RestLimits | None = None) -> None:
        self.limits = limits or RestLimits()
        self._policy: tuple[int, PayloadPolicy] | None = None

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        return cls(RestLimits(**(credentials or {})))

    def payload_policy(self, domain: Domain | None) -> PayloadPolicy:
        if domain is None:
            return PayloadPolicy()
        if self._policy is None or self._policy[0] != id(domain):
            self._policy = (id(domain), policy_from_domain(domain))
        return self._policy[1]

    async def refusal_language(self, request: Request, message: RestMessage) -> str:
        agent = getattr(request.app.ctx, "agent", None)
        slot_value: object = None
        try:
            tracker = await agent.tracker_store.retrieve(message.sender) if agent else None
            slot_value = tracker.get_slot("language") if tracker else None
        except Exception as error:  # the tracker store is down: answer in the channel's language
            logger.warning("Could not read the conversation's language (%s)", type(error).__name__)
        return language_of(slot_value, message.metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        limits = self.limits

        @webhook.listener("before_server_start")
        async def limit_request_size(app: Any, _loop: Any) -> None:
            # Sanic stops reading a body beyond this; the handler's own check answers just below it.
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, 4 * limits.max_body_bytes)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed = parse_rest_request(request.body or b"", limits)
            if isinstance(parsed, BadRequest):
                logger.info("Refused a request: %s", parsed.reason)
                return response.json({"error": parsed.reason}, status=parsed.status)
            refusal = refusal_for(parsed.text, limits.max_message_chars)
            agent = getattr(request.app.ctx, "agent", None)
            text = parsed.text
            if refusal is None:
                text = as_pupil_text(parsed.text, self.payload_policy(getattr(agent, "domain", None)))
                refusal = refusal_for(text, limits.max_message_chars)
            if refusal is not None:
                logger.info("Answered a message without Rasa: %s", refusal.value)
                language = await self.refusal_language(request, parsed)
                answer = {"recipient_id": parsed.sender, "text": refusal_text(refusal, language, limits)}
                return response.json([answer])
            collector = CollectingOutputChannel()
            failed = False
            store_down = False
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        parsed.sender,
                        input_channel=self.name(),
                        metadata=parsed.metadata,
                    )
                )
            except CancelledError:
                logger.error("Handling a message timed out")
                failed = True
            except TrackerStoreUnavailable:
                # whatever Rasa said was not saved: the pupil hears "back in a moment", not half a turn
                failed = store_down = True
            except Exception as error:
                logger.error("Handling a message failed (%s)", type(error).__name__)
                failed = True
            if store_down or (not collector.messages and (failed or text not in SILENT_PAYLOADS)):
                # Rasa said nothing: it failed, or an action it needed did not answer (the action
                # server or the API is down). Not a silent `[]`: the pupil hears from us.
                logger.warning("Rasa had no answer to a message")
                reply = refusal_text(Refusal.NO_ANSWER, await self.refusal_language(request, parsed), limits)
                return response.json([{"recipient_id": parsed.sender, "text": reply}])
            return response.json(collector.messages)

        return webhook
