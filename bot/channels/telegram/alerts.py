"""Alerts of saved searches, sent by the bridge on its own initiative.

Every `alert_poll_seconds` the bridge claims the due alerts of Telegram conversations from the API
(POST {api_url}/api/v1/alerts/telegram/claim with its alert token). A claimed alert counts as
delivered, so each is sent once, even with several bridges. Each alert names the pupil by pseudonym
and carries the delivery token that the bridge made when the pupil saved the search; only the
bridge can turn it back into the chat (bot/channels/telegram/pseudonym.py). The message's buttons
go to Rasa like any other button: one per offer ("tell me more") and one to stop the search.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram.buttons import CallbackCodec, inline_keyboard
from bot.channels.telegram.pseudonym import chat_for_delivery_token
from bot.channels.telegram.rasa import RasaButton
from bot.channels.telegram.strings import Language, Strings, Text

logger = logging.getLogger(__name__)

CLAIM_PATH = "/api/v1/alerts/telegram/claim"
CLAIM_BATCH = 20
BUTTON_TITLE_MAX = 40


@dataclass(frozen=True)
class AlertMessage:
    chat_id: int
    text: str
    buttons: tuple[RasaButton, ...]


def _short(text: str, limit: int = BUTTON_TITLE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def search_label(search: Mapping[str, Any], strings: Strings, language: Language) -> str:
    """What the pupil asked for, in words: "Tischler/in bis 25 km um Melle"."""
    profession = search.get("profession") or {}
    topic = search.get("topic") or {}
    if profession:
        name = str(
            profession.get("name_en")
            if language == "en" and profession.get("name_en")
            else profession["name"]
        )
    else:
        name = str(topic.get("name_en") if language == "en" else topic.get("name_de"))
    place = search.get("place")
    if place:
        radius = search.get("radius_km") or 25
        return strings.fill(
            Text.ALERT_SEARCH_NEAR, language, search=name, place=place["name"], radius=f"{float(radius):g}"
        )
    return name


def plan_alert(alert: Mapping[str, Any], chat_id: int, strings: Strings) -> AlertMessage:
    """The Telegram message of one claimed alert (a pure function, tested without Telegram)."""
    search = alert["saved_search"]
    language: Language = "en" if search.get("language") == "en" else "de"
    lines = [strings.fill(Text.ALERT_INTRO, language, search=search_label(search, strings, language))]
    buttons: list[RasaButton] = []
    for offer in alert["offers"]:
        # English pupils read the job's English name; the offers' own titles are German.
        english = (offer.get("profession") or {}).get("name_en") if language == "en" else None
        title = str(english or offer["title"])
        lines.append(
            strings.fill(
                Text.ALERT_OFFER,
                language,
                title=title,
                company=offer["company_name"],
                place=offer["place"]["name"],
            )
        )
        payload = "/offer_details" + json.dumps({"offer_id": int(offer["id"])})
        buttons.append(RasaButton(title=_short(title), payload=payload))
    hidden = int(alert["total"]) - len(alert["offers"])
    if hidden > 0:
        lines.append(strings.fill(Text.ALERT_MORE, language, count=hidden))
    lines.append(strings.text(Text.ALERT_OUTRO, language))
    stop = "/stop_saved_search" + json.dumps({"saved_search_id": int(search["id"])})
    buttons.append(RasaButton(title=strings.text(Text.ALERT_STOP_BUTTON, language), payload=stop))
    return AlertMessage(chat_id=chat_id, text="\n".join(lines), buttons=tuple(buttons))


class AlertClient:
    """Claims due alerts from the API; every failure is logged and means "none this time"."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_seconds,
            transport=transport,
            verify=verify,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def claim(self, limit: int = CLAIM_BATCH) -> list[dict[str, Any]]:
        try:
            response = await self._client.post(CLAIM_PATH, params={"limit": limit})
        except httpx.HTTPError as exc:
            logger.warning("Claiming alerts failed: API not reachable (%s)", type(exc).__name__)
            return []
        if not response.is_success:
            logger.warning("Claiming alerts failed: API answered HTTP %d", response.status_code)
            return []
        try:
            body = response.json()
        except ValueError:
            logger.warning("Claiming alerts failed: the answer is not JSON")
            return []
        return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


class AlertSender:
    """One round: claim, find each chat, send. The chat id exists only in this process's memory."""

    def __init__(
        self, client: AlertClient, codec: CallbackCodec, strings: Strings, sender_secret: str
    ) -> None:
        self.client = client
        self.codec = codec
        self.strings = strings
        self._secret = sender_secret

    def plan(self, alerts: Sequence[Mapping[str, Any]]) -> list[AlertMessage]:
        planned: list[AlertMessage] = []
        for alert in alerts:
            try:
                chat_id = chat_for_delivery_token(
                    self._secret, str(alert["pupil_ref"]), str(alert["delivery_token"])
                )
                if chat_id is None:
                    logger.warning("An alert's delivery token does not belong to its conversation; not sent")
                    continue
                planned.append(plan_alert(alert, chat_id, self.strings))
            except (KeyError, TypeError, ValueError) as exc:
                logger.warning("An alert of an unexpected shape was skipped (%s)", type(exc).__name__)
        return planned

    async def run_once(self, bot: Bot) -> int:
        """Claim and send until the API has no more due alerts; the number of messages sent."""
        sent = 0
        while True:
            alerts = await self.client.claim(CLAIM_BATCH)
            for message in self.plan(alerts):
                try:
                    markup = await inline_keyboard(message.buttons, self.codec)
                    await bot.send_message(message.chat_id, message.text, reply_markup=markup)
                    sent += 1
                except TelegramError as exc:  # e.g. the pupil blocked the bot: the alert is spent
                    logger.warning("Sending an alert failed (%s)", type(exc).__name__)
            if len(alerts) < CLAIM_BATCH:
                return sent

    async def run_forever(self, bot: Bot, interval_seconds: float) -> None:
        """Rounds every `interval_seconds` until cancelled; an error in one round ends only that round."""
        while True:
            try:
                await self.run_once(bot)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("An alert round failed")
            await asyncio.sleep(interval_seconds)
