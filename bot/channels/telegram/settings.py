"""Settings of the Telegram bridge, read from BERUFSLOTSE_TELEGRAM_* environment variables and `.env`.

The bridge runs as its own process, so it has its own settings object; tests build one directly.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]
TELEGRAM_BOT_API = "https://api.telegram.org"
# Telegram's rule for setWebhook's secret_token.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Long enough that the pseudonyms cannot be recomputed by guessing the key.
MIN_SENDER_ID_SECRET_LENGTH = 16


class Mode(StrEnum):
    POLLING = "polling"  # development: the bridge asks Telegram for updates
    WEBHOOK = "webhook"  # production: Telegram posts updates to webhook_url


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BERUFSLOTSE_TELEGRAM_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    token: SecretStr
    # Key of the HMAC that turns a chat id into Rasa's sender id. Changing it starts every pupil's
    # conversation afresh, so it is set once per installation.
    sender_id_secret: SecretStr
    mode: Mode = Mode.POLLING
    # Root of the Bot API server; tests point it at a local fake.
    base_url: str = TELEGRAM_BOT_API

    # Webhook mode: the public HTTPS address Telegram posts to, the secret Telegram sends along in
    # X-Telegram-Bot-Api-Secret-Token, and where the bridge itself listens (behind the proxy).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8081, ge=1, le=65535)

    rasa_url: str = "http://127.0.0.1:5005"
    api_url: str = "http://127.0.0.1:8000"
    # Sent as a bearer token to the API's privacy endpoint: the API's privacy token, which can only delete.
    api_token: SecretStr | None = None
    # The API's alert token: it claims the due alerts of Telegram conversations (and opens nothing
    # else). Unset: the bridge sends no alerts. It asks every `alert_poll_seconds`.
    alert_token: SecretStr | None = None
    alert_poll_seconds: float = Field(default=60.0, gt=0, le=3600)

    # How long a pupil waits for Rasa before hearing "gleich wieder da".
    rasa_timeout_seconds: float = Field(default=30.0, gt=0)
    # Telegram: retries after 429 (waiting retry_after) and after network errors (with backoff).
    max_retries: int = Field(default=3, ge=0, le=10)
    retry_backoff_seconds: float = Field(default=1.0, ge=0)
    # getUpdates long-poll timeout in polling mode.
    polling_timeout_seconds: int = Field(default=10, ge=0, le=50)

    # Long button payloads are kept here under a short hash (see buttons.py).
    button_store_path: Path = REPO_ROOT / "var" / "telegram" / "button_payloads.sqlite3"
    button_store_size: int = Field(default=20_000, ge=100)

    @field_validator("base_url", "rasa_url", "api_url", "webhook_url")
    @classmethod
    def strip_trailing_slash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @model_validator(mode="after")
    def check_secrets_and_mode(self) -> Self:
        if len(self.sender_id_secret.get_secret_value()) < MIN_SENDER_ID_SECRET_LENGTH:
            raise ValueError(
                "BERUFSLOTSE_TELEGRAM_SENDER_ID_SECRET needs at least "
                f"{MIN_SENDER_ID_SECRET_LENGTH} characters"
            )
        if self.mode is Mode.WEBHOOK:
            if not self.webhook_url:
                raise ValueError("webhook mode needs BERUFSLOTSE_TELEGRAM_WEBHOOK_URL")
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not _WEBHOOK_SECRET.match(secret):
                raise ValueError(
                    "webhook mode needs BERUFSLOTSE_TELEGRAM_WEBHOOK_SECRET: 1-256 characters of "
                    "A-Z, a-z, 0-9, _ and -"
                )
        return self

    @property
    def webhook_path(self) -> str:
        """The path the bridge serves the webhook on: the path of webhook_url."""
        path = urlsplit(self.webhook_url or "").path
        return path or "/"


@lru_cache
def get_settings() -> TelegramSettings:
    return TelegramSettings()  # type: ignore[call-arg]  # token and secret come from the environment
