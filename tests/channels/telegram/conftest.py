"""Fixtures: the fake Telegram Bot API, fake Rasa and fake API servers, and the running bridge.

The bridge gets Rasa's and the API's addresses from the `rasa_url` and `api_url` fixtures. A test
against the real stack overrides just those two (e.g. with `stack.config.rasa_url`), and every
other fixture, the fake Telegram included, stays the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.app import BotApplication, running_bridge
from bot.channels.telegram.pseudonym import delivery_token_for_chat, sender_id_for_chat
from bot.channels.telegram.settings import Mode, TelegramSettings
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.fake_backends import FakeApi, FakeRasa

SENDER_ID_SECRET = "test-only-sender-id-secret-0123456789"
# A private chat's id is the pupil's Telegram user id.
PUPIL = 424_242_4242
OTHER_PUPIL = 515_151_5151

SettingsFactory = Callable[..., TelegramSettings]


def pseudonym(chat_id: int) -> str:
    return sender_id_for_chat(SENDER_ID_SECRET, chat_id)


def token(chat_id: int) -> str:
    """The delivery token the bridge sends along as metadata (for alerts of saved searches)."""
    return delivery_token_for_chat(SENDER_ID_SECRET, chat_id)


# The fake servers run for the whole session (starting one costs a few hundred milliseconds); each
# test gets them reset.


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[FakeRasa]:
    with FakeRasa() as fake:
        yield fake


@pytest.fixture(scope="session")
def api_server() -> Iterator[FakeApi]:
    with FakeApi() as fake:
        yield fake


@pytest.fixture
def telegram(telegram_server: FakeTelegram) -> FakeTelegram:
    telegram_server.reset()
    return telegram_server


@pytest.fixture
def rasa(rasa_server: FakeRasa) -> FakeRasa:
    rasa_server.reset()
    return rasa_server


@pytest.fixture
def api(api_server: FakeApi) -> FakeApi:
    api_server.reset()
    return api_server


@pytest.fixture
def rasa_url(rasa: FakeRasa) -> str:
    return rasa.url


@pytest.fixture
def api_url(api: FakeApi) -> str:
    return api.url


@pytest.fixture
def make_settings(telegram: FakeTelegram, rasa_url: str, api_url: str, tmp_path: Path) -> SettingsFactory:
    """Settings for a bridge on the fakes, fast timeouts; keyword arguments override."""

    def factory(**overrides: Any) -> TelegramSettings:
        values: dict[str, Any] = {
            "token": telegram.token,
            "sender_id_secret": SENDER_ID_SECRET,
            "mode": Mode.POLLING,
            "base_url": telegram.url,
            "rasa_url": rasa_url,
            "api_url": api_url,
            "rasa_timeout_seconds": 2.0,
            "max_retries": 3,
            "retry_backoff_seconds": 0.05,
            "polling_timeout_seconds": 1,
            "button_store_path": tmp_path / "button_payloads.sqlite3",
        }
        values.update(overrides)
        return TelegramSettings(_env_file=None, **values)  # type: ignore[call-arg]

    return factory


@pytest.fixture
async def bridge(make_settings: SettingsFactory) -> AsyncIterator[BotApplication]:
    """The bridge, long polling the fake Telegram."""
    async with running_bridge(make_settings()) as application:
        yield application
