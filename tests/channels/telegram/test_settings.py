"""The bridge's settings: webhook mode needs its address and secret; secrets are checked."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.channels.telegram.settings import TELEGRAM_BOT_API, Mode, TelegramSettings

BASE: dict[str, Any] = {"token": "1:abc", "sender_id_secret": "s" * 32, "mode": "polling"}


def make(**values: Any) -> TelegramSettings:
    return TelegramSettings(_env_file=None, **{**BASE, **values})  # type: ignore[call-arg]


def test_defaults_talk_to_telegram_and_the_local_stack() -> None:
    settings = make()
    assert settings.mode is Mode.POLLING
    assert settings.base_url == TELEGRAM_BOT_API
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.api_url == "http://127.0.0.1:8000"
    assert "abc" not in repr(settings)  # the token is a secret


def test_urls_lose_their_trailing_slash() -> None:
    assert make(rasa_url="http://rasa:5005/").rasa_url == "http://rasa:5005"


@pytest.mark.parametrize("url", ["rasa:5005", "ftp://rasa", ""])
def test_urls_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError, match="expected an http"):
        make(rasa_url=url)


def test_the_sender_id_secret_must_be_long_enough() -> None:
    with pytest.raises(ValidationError, match="SENDER_ID_SECRET needs at least 16"):
        make(sender_id_secret="short")


def test_webhook_mode_needs_url_and_secret() -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_URL"):
        make(mode="webhook", webhook_secret="abc")
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        make(mode="webhook", webhook_url="https://bot.example.org/telegram/hook")
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        make(mode="webhook", webhook_url="https://bot.example.org/telegram/hook", webhook_secret="no spaces!")
    settings = make(
        mode="webhook", webhook_url="https://bot.example.org/telegram/hook", webhook_secret="a-B_9"
    )
    assert settings.webhook_path == "/telegram/hook"
