"""The Telegram bridge against the real stack: a local fake Telegram Bot API (real HTTP,
python-telegram-bot pointed at it with base_url) and the real Rasa, action server and API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram.app import BotApplication, running_bridge
from bot.channels.telegram.settings import Mode, TelegramSettings
from scripts.stack import Stack
from tests.channels.fake_telegram import FakeTelegram

pytestmark = pytest.mark.e2e

PUPIL = 777_000_1234


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bridge(stack: Stack, fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotApplication]:
    fake_telegram.reset()
    values: dict[str, Any] = {
        "token": fake_telegram.token,
        "sender_id_secret": "e2e-sender-id-secret-0123456789abcdef",
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
