"""Alerts of saved searches through the bridge: the delivery token, the message, the periodic
round against the fake API and the fake Telegram."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.channels.telegram.alerts import plan_alert
from bot.channels.telegram.app import running_bridge
from bot.channels.telegram.pseudonym import chat_for_delivery_token, delivery_token_for_chat
from bot.channels.telegram.strings import Text, load_strings
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.conftest import (
    OTHER_PUPIL,
    PUPIL,
    SENDER_ID_SECRET,
    SettingsFactory,
    pseudonym,
    token,
)
from tests.channels.telegram.fake_backends import FakeApi, FakeRasa

STRINGS = load_strings()


def an_alert(
    chat_id: int, *, pupil_ref: str | None = None, language: str = "de", total: int = 1
) -> dict[str, Any]:
    return {
        "pupil_ref": pupil_ref or pseudonym(chat_id),
        "delivery_token": token(chat_id),
        "saved_search": {
            "id": 7,
            "profession": {"slug": "tischler", "name": "Tischler/in", "name_en": "Carpenter"},
            "topic": None,
            "place": {"slug": "melle", "name": "Melle"},
            "radius_km": 15.0,
            "kind": None,
            "language": language,
            "created_at": "2026-12-01T10:00:00Z",
            "ends_at": "2027-03-01T10:00:00Z",
            "last_alerted_at": "2026-12-06T10:00:00Z",
        },
        "offers": [
            {
                "id": 41,
                "kind": "apprenticeship",
                "title": "Ausbildung Tischler/in 2027",
                "profession": {"slug": "tischler", "name": "Tischler/in", "name_en": "Carpenter"},
                "company_name": "Holzwerk Melle",
                "place": {"slug": "melle", "name": "Melle"},
                "start_date": "2027-08-01",
                "is_demo": False,
            }
        ],
        "total": total,
    }


def test_the_delivery_token_finds_its_chat_and_nothing_else() -> None:
    sealed = delivery_token_for_chat(SENDER_ID_SECRET, PUPIL)
    assert str(PUPIL) not in sealed and len(sealed) <= 64
    assert chat_for_delivery_token(SENDER_ID_SECRET, pseudonym(PUPIL), sealed) == PUPIL
    # moved to another pupil's search, read with another key, or forged: refused
    assert chat_for_delivery_token(SENDER_ID_SECRET, pseudonym(OTHER_PUPIL), sealed) is None
    assert chat_for_delivery_token("another-secret-0123456789", pseudonym(PUPIL), sealed) is None
    assert chat_for_delivery_token(SENDER_ID_SECRET, pseudonym(PUPIL), "AAAAAAAAAAA") is None
    assert chat_for_delivery_token(SENDER_ID_SECRET, pseudonym(PUPIL), "not base64!") is None


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_alert_names_the_search_lists_the_offers_and_can_be_stopped(language: str) -> None:
    message = plan_alert(an_alert(PUPIL, language=language, total=3), PUPIL, STRINGS)
    assert message.chat_id == PUPIL
    name = "Carpenter" if language == "en" else "Tischler/in"
    assert name in message.text and "Melle" in message.text and "15" in message.text
    assert "Holzwerk Melle" in message.text
    assert STRINGS.fill(Text.ALERT_MORE, language, count=2) in message.text  # type: ignore[arg-type]
    offer, stop = message.buttons
    assert offer.payload == '/offer_details{"offer_id": 41}'
    # the offer's German title in German, the job's English name in English
    assert offer.title == ("Carpenter" if language == "en" else "Ausbildung Tischler/in 2027")
    assert stop.payload == '/stop_saved_search{"saved_search_id": 7}'
    assert stop.title == STRINGS.text(Text.ALERT_STOP_BUTTON, language)  # type: ignore[arg-type]


async def test_the_bridge_sends_each_claimed_alert_once_to_its_chat(
    make_settings: SettingsFactory, telegram: FakeTelegram, rasa: FakeRasa, api: FakeApi
) -> None:
    rasa.replies["Hallo"] = [{"text": "Hallo!"}]
    forged = an_alert(OTHER_PUPIL, pupil_ref=pseudonym(PUPIL))  # OTHER_PUPIL's token on PUPIL's search
    settings = make_settings(alert_token="test-alert-token", alert_poll_seconds=0.2)
    async with running_bridge(settings):
        for chat_id in (PUPIL, OTHER_PUPIL):  # Telegram lets a bot write only to chats that wrote first
            telegram.send_text(chat_id, "Hallo")
            await telegram.wait_for_messages(chat_id, 1)
        rasa.reset()
        api.alerts.extend([an_alert(PUPIL), forged])
        [_, message] = await telegram.wait_for_messages(PUPIL, 2)
        assert message["text"].startswith(
            STRINGS.fill(Text.ALERT_INTRO, "de", search="Tischler/in bis 15 km um Melle")
        )
        await asyncio.sleep(0.6)  # a few more rounds: nothing is sent twice
        assert len(telegram.messages(PUPIL)) == 2
        assert len(telegram.messages(OTHER_PUPIL)) == 1
        assert "Bearer test-alert-token" in api.authorization()

        # the stop button goes to Rasa as the pupil's message
        [stop] = [
            row[0] for row in message["reply_markup"]["inline_keyboard"] if row[0]["text"].startswith("Such")
        ]
        telegram.press_callback_data(PUPIL, message["message_id"], stop["callback_data"])
        await telegram.wait_for(lambda: bool(rasa.received()), what="the stop at Rasa")
        [request] = rasa.received()
        assert request.sender == pseudonym(PUPIL)
        assert request.message.startswith("/stop_saved_search")
        assert json.loads(request.message.removeprefix("/stop_saved_search")) == {"saved_search_id": 7}


async def test_without_an_alert_token_the_bridge_asks_for_no_alerts(
    make_settings: SettingsFactory, telegram: FakeTelegram, api: FakeApi
) -> None:
    api.alerts.append(an_alert(PUPIL))
    async with running_bridge(make_settings(alert_poll_seconds=0.1)):
        await asyncio.sleep(0.5)
    assert telegram.messages(PUPIL) == []
    assert len(api.alerts) == 1
