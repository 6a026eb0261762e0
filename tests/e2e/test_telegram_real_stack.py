"""The Telegram bridge against the real stack: a local fake Telegram Bot API (real HTTP,
python-telegram-bot pointed at it with base_url) and the real Rasa, action server and API."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram.app import BotApplication, running_bridge
from bot.channels.telegram.buttons import BridgeAction, bridge_callback_data
from bot.channels.telegram.pseudonym import sender_id_for_chat
from bot.channels.telegram.settings import Mode, TelegramSettings
from bot.channels.telegram.strings import Text, load_strings
from scripts.stack import Stack, load_or_create_secrets
from tests.channels.fake_telegram import FakeTelegram

pytestmark = pytest.mark.e2e

PUPIL = 777_000_1234
SENDER_ID_SECRET = "e2e-sender-id-secret-0123456789abcdef"
STRINGS = load_strings()


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bridge(stack: Stack, fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotApplication]:
    fake_telegram.reset()
    values: dict[str, Any] = {
        "token": fake_telegram.token,
        "sender_id_secret": SENDER_ID_SECRET,
        "api_token": load_or_create_secrets(stack.config.var_dir)["BERUFSLOTSE_PRIVACY_TOKEN"],
        "mode": Mode.POLLING,
        "base_url": fake_telegram.url,
        "rasa_url": stack.config.rasa_url,
        "api_url": stack.config.api_url,
        "rasa_timeout_seconds": 60.0,
        "polling_timeout_seconds": 1,
        "retry_backoff_seconds": 0.05,
        "button_store_path": tmp_path / "buttons.sqlite3",
    }
    settings = TelegramSettings(_env_file=None, **values)  # type: ignore[call-arg]
    async with running_bridge(settings) as application:
        yield application


def profile_name(stack: Stack, slug: str) -> str:
    response = httpx.get(f"{stack.config.api_url}/api/v1/professions/{slug}", timeout=10)
    response.raise_for_status()
    return str(response.json()["name"])


async def test_a_conversation_with_buttons_through_telegram(
    bridge: BotApplication, fake_telegram: FakeTelegram, stack: Stack
) -> None:
    fake_telegram.send_text(PUPIL, "was macht ein mechaniker")
    [choice] = await fake_telegram.wait_for_messages(PUPIL, 1, timeout=60)
    keyboard = choice["reply_markup"]["inline_keyboard"]
    titles = [button["text"] for row in keyboard for button in row]
    assert len(titles) >= 2
    assert all(len(button["callback_data"].encode()) <= 64 for row in keyboard for button in row)

    query = fake_telegram.press_button(PUPIL, choice["message_id"], titles[0])
    messages = await fake_telegram.wait_for_messages(PUPIL, 2, timeout=60)
    assert fake_telegram.answered(query)
    assert "reply_markup" not in fake_telegram.messages(PUPIL)[0]
    assert titles[0] in messages[1]["text"]

    fake_telegram.send_text(PUPIL, "und was verdient man da")
    await fake_telegram.wait_for(
        lambda: any("€" in text for text in fake_telegram.texts(PUPIL)), timeout=60, what="the pay answer"
    )


async def test_a_deep_link_start_is_greeted(bridge: BotApplication, fake_telegram: FakeTelegram) -> None:
    fake_telegram.send_command(PUPIL + 1, "/start klasse-9b")
    [greeting, *_] = await fake_telegram.wait_for_messages(PUPIL + 1, 1, timeout=60)
    assert "Berufslotse" in greeting["text"]


async def test_telegram_rate_limit_is_waited_out(bridge: BotApplication, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next(1, method="sendMessage", status=429, retry_after=1)
    fake_telegram.send_text(PUPIL + 2, "hallo")
    [greeting, *_] = await fake_telegram.wait_for_messages(PUPIL + 2, 1, timeout=60)
    assert "Berufslotse" in greeting["text"]
    assert len(fake_telegram.calls("sendMessage")) >= 2  # the refused call and its retry


ANSWER_METHODS = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")


def latest_keyboard(fake_telegram: FakeTelegram, chat_id: int) -> tuple[int, list[str]]:
    """The newest message with buttons and their callback data."""
    for message in reversed(fake_telegram.messages(chat_id)):
        if "reply_markup" in message:
            rows = message["reply_markup"]["inline_keyboard"]
            return message["message_id"], [button["callback_data"] for row in rows for button in row]
    raise AssertionError("no message with buttons")


async def press_payload_ending(fake_telegram: FakeTelegram, chat_id: int, ending: str) -> None:
    """Press the button whose payload ends with `ending`, and wait until the bot answered."""
    await fake_telegram.wait_for(
        lambda: any(data.endswith(ending) for data in latest_keyboard_or_empty(fake_telegram, chat_id)),
        timeout=60,
        what=f"a button ending with {ending}",
    )
    message_id, data = latest_keyboard(fake_telegram, chat_id)
    before = answers(fake_telegram)
    fake_telegram.press_callback_data(chat_id, message_id, next(d for d in data if d.endswith(ending)))
    await fake_telegram.wait_for(lambda: answers(fake_telegram) > before, timeout=60, what="the answer")


def answers(fake_telegram: FakeTelegram) -> int:
    """How often the bot said something: a new message, or the check card edited in place."""
    return sum(len(fake_telegram.calls(method)) for method in ANSWER_METHODS)


def latest_keyboard_or_empty(fake_telegram: FakeTelegram, chat_id: int) -> list[str]:
    try:
        return latest_keyboard(fake_telegram, chat_id)[1]
    except AssertionError:
        return []


async def test_the_check_through_telegram_ends_with_the_chart_as_a_photo(
    bridge: BotApplication, fake_telegram: FakeTelegram, stack: Stack
) -> None:
    pupil = PUPIL + 3
    fake_telegram.send_text(pupil, "ich weiß nicht was ich werden will")
    await press_payload_ending(fake_telegram, pupil, '"quick"}')
    await press_payload_ending(fake_telegram, pupil, '"realschule"}')
    before = len(fake_telegram.messages(pupil))
    fake_telegram.send_text(pupil, "bramsche")
    await fake_telegram.wait_for(lambda: len(fake_telegram.messages(pupil)) > before, timeout=60)
    await press_payload_ending(fake_telegram, pupil, '"25"}')
    await press_payload_ending(fake_telegram, pupil, '"apprenticeship"}')
    for _ in range(30):
        await press_payload_ending(fake_telegram, pupil, ':4"}')
    await fake_telegram.wait_for(
        lambda: bool(fake_telegram.calls("sendPhoto")), timeout=60, what="the chart as a photo"
    )
    photo = next(m for m in fake_telegram.messages(pupil) if "photo" in m)
    assert photo["photo"]
    # the questions came on one card, edited in place, not as 30 new messages
    assert len(fake_telegram.calls("editMessageText")) >= 25


async def test_deleting_my_data_removes_the_conversation_from_rasa_and_the_api(
    bridge: BotApplication, fake_telegram: FakeTelegram, stack: Stack
) -> None:
    pupil = PUPIL + 4
    fake_telegram.send_text(pupil, "was macht ein tischler")
    await fake_telegram.wait_for_messages(pupil, 1, timeout=60)
    sender = sender_id_for_chat(SENDER_ID_SECRET, pupil)
    tracker = sqlite3.connect(stack.config.var_dir / "rasa-tracker.db")
    try:
        count = "SELECT count(*) FROM events WHERE sender_id = ?"
        assert tracker.execute(count, (sender,)).fetchone()[0] > 0

        confirm = bridge_callback_data(BridgeAction.DELETE_CONFIRMED)
        fake_telegram.send_command(pupil, "/daten_loeschen")
        await fake_telegram.wait_for(
            lambda: confirm in latest_keyboard_or_empty(fake_telegram, pupil), timeout=60, what="the question"
        )
        message_id, _ = latest_keyboard(fake_telegram, pupil)
        before = len(fake_telegram.messages(pupil))
        fake_telegram.press_callback_data(pupil, message_id, confirm)
        await fake_telegram.wait_for(
            lambda: len(fake_telegram.messages(pupil)) > before, timeout=60, what="the confirmation"
        )
        assert fake_telegram.texts(pupil)[-1] == STRINGS.text(Text.DELETE_DONE, "de")
        assert tracker.execute(count, (sender,)).fetchone()[0] == 0
    finally:
        tracker.close()


async def test_a_rasa_outage_is_answered_kindly_and_the_bridge_carries_on(
    bridge: BotApplication, fake_telegram: FakeTelegram, stack: Stack
) -> None:
    pupil = PUPIL + 5
    await asyncio.to_thread(stack.stop_service, "rasa")
    try:
        fake_telegram.send_text(pupil, "was macht ein tischler")
        [reply] = await fake_telegram.wait_for_messages(pupil, 1, timeout=60)
        assert reply["text"] == STRINGS.text(Text.RASA_UNAVAILABLE, "de")
    finally:
        await asyncio.to_thread(stack.start_service, "rasa")
    # the same bridge, without a restart, reaches Rasa again
    fake_telegram.send_text(pupil, "was macht ein tischler")
    await fake_telegram.wait_for(
        lambda: any("Tischler" in text for text in fake_telegram.texts(pupil)), timeout=60, what="the answer"
    )


async def test_an_english_telegram_app_starts_in_english(
    bridge: BotApplication, fake_telegram: FakeTelegram
) -> None:
    pupil = PUPIL + 6
    fake_telegram.send_text(pupil, "hallo", language_code="en-GB")
    [greeting, *_] = await fake_telegram.wait_for_messages(pupil, 1, timeout=60)
    assert "apprenticeships" in greeting["text"]  # the English greeting
