"""The one settings object of the API, read from BERUFSLOTSE_* environment variables and `.env`."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self

from fastapi import Depends, Request
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]

# Only usable in development: any other environment refuses to start with it.
DEFAULT_ADMIN_TOKEN = "change-me"
# Development defaults of the action server's token and the company-key pepper; production refuses them.
DEFAULT_SERVICE_TOKEN = "change-me-service"
DEFAULT_KEY_PEPPER = "change-me-pepper"
# Development default of the key that signs the web pages' CSRF tokens; production refuses it.
DEFAULT_ACCOUNT_SECRET = "change-me-accounts"
# Development default of the key of the monitoring's contributor hashes; production refuses it.
DEFAULT_SIGNAL_SECRET = "change-me-signals"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def default_database_url() -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / 'berufslotse.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BERUFSLOTSE_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    environment: Environment = Environment.DEVELOPMENT
    # the benchmark's request timings (api/core/timing.py): a folder, or None (off, the default)
    stage_timings: str | None = None
    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    # BERUFSLOTSE_API_PORT as in the README (the stack has several ports); BERUFSLOTSE_PORT also works.
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("BERUFSLOTSE_API_PORT", "BERUFSLOTSE_PORT"),
    )
    # A JSON list or a comma-separated string: BERUFSLOTSE_CORS_ORIGINS=http://localhost:5173,https://...
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_admin_token: SecretStr = SecretStr(DEFAULT_ADMIN_TOKEN)
    # Bearer token of the action server for the pupil-side endpoints (contact requests, privacy).
    service_token: SecretStr = SecretStr(DEFAULT_SERVICE_TOKEN)
    # The Telegram bridge's token: it may delete a conversation (/daten_loeschen) and nothing else,
    # so a leaked bridge cannot read or create a pupil's records. Unset: only the service token.
    privacy_token: SecretStr | None = None
    # Mixed into the hash of every company API key, so that a copy of the table alone is useless.
    api_key_pepper: SecretStr = SecretStr(DEFAULT_KEY_PEPPER)
    # Contact requests are deleted this many days after they were made (`python -m api.cli purge`).
    contact_retention_days: int = Field(default=180, ge=1)
    # Pupils' saved searches ("sag mir Bescheid"): how many one conversation may keep, how many days
    # they last (`python -m api.cli purge`), and the least time between two alerts of one search.
    saved_searches_per_pupil: int = Field(default=5, ge=1, le=50)
    saved_search_retention_days: int = Field(default=90, ge=1)
    alert_interval_hours: float = Field(default=24.0, gt=0)
    # The Telegram bridge's token for claiming the alerts of Telegram conversations (and nothing else).
    alert_token: SecretStr | None = None
    # Where new contact requests are announced to companies; without a host nothing is sent.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Berufslotse <berufslotse@localhost>"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Accounts of advisors, the district office, admins and company clerks (docs/accounts.md).
    # Signs the CSRF tokens of the web pages (HMAC); a new value invalidates open forms, not sessions.
    account_secret: SecretStr = SecretStr(DEFAULT_ACCOUNT_SECRET)
    # Where people open the API's pages; links in invitation and sign-in emails start with it
    # (never the request's Host header, which a caller chooses).
    public_url: str = "http://127.0.0.1:8000"
    # The session cookie's Secure flag: unset = when the request came over HTTPS; true/false = always/never.
    session_cookie_secure: bool | None = None
    # A session ends after this long without a request, and in any case this long after sign-in.
    session_idle_minutes: int = Field(default=120, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    # How long the link in an invitation email, and a sign-in link asked for on the login page, works.
    invitation_valid_hours: int = Field(default=168, ge=1)
    sign_in_link_valid_minutes: int = Field(default=20, ge=1)
    # argon2id's cost: RFC 9106's second recommendation (64 MiB, 3 passes); production refuses less
    # than OWASP's minimum (19 MiB, 2 passes). Tests lower it to stay fast.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=64)
    password_hash_parallelism: int = Field(default=4, ge=1, le=8)
    # Failed sign-ins allowed per email address and per client address within the window.
    login_window_seconds: int = Field(default=900, ge=1)
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    # Class sessions (docs/classes.md): how long one runs unless the advisor ends it, how long its
    # data is kept after it ended (`python -m api.cli purge`), and k, the smallest group the
    # overview shows anything for.
    class_session_hours: int = Field(default=4, ge=1, le=72)
    class_retention_days: int = Field(default=30, ge=1)
    class_min_group: int = Field(default=5, ge=2)
    # Where pupils open the website chat (the page that embeds the widget; `?class=CODE` is added)
    # and the Telegram bot's username (without @) for the deep link t.me/<name>?start=CODE.
    widget_page_url: str = "http://127.0.0.1:8080/"
    telegram_bot_username: str | None = None
    # Rasa's SQL tracker store (a SQLAlchemy URL); set it so that privacy deletion reaches the chat.
    tracker_store_url: str | None = None
    # Summaries a pupil sends to an advisor (docs/handoff.md): deleted this many days after they
    # were sent, or this many days after the pupil's class session ended, whichever comes first.
    handoff_retention_days: int = Field(default=30, ge=1)
    handoff_after_class_days: int = Field(default=7, ge=0)
    # An address that is told of every summary sent to the region's advisers (besides the accounts
    # marked as region advisers); the email says only that there is one, never what it says.
    handoff_region_address: str | None = None
    # How long the link to a pupil's "Mein Ergebnis als PDF" works.
    result_link_valid_minutes: int = Field(default=60, ge=1)
    # Education monitoring (docs/monitoring.md): the key of the contributor hashes in the signal
    # tables, the smallest number of distinct pupils behind a published figure, and how long
    # signals stay individual before `python -m api.cli purge` folds them into aggregates.
    signal_secret: SecretStr = SecretStr(DEFAULT_SIGNAL_SECRET)
    monitoring_k: int = Field(default=10, ge=2)
    signal_retention_days: int = Field(default=395, ge=1)

    @field_validator("public_url")
    @classmethod
    def strip_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("public_url must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def refuse_default_secrets(self) -> Self:
        if (
            self.environment is not Environment.DEVELOPMENT
            and self.api_admin_token.get_secret_value() == DEFAULT_ADMIN_TOKEN
        ):
            raise ValueError(
                f"BERUFSLOTSE_API_ADMIN_TOKEN still has its default value; set a secret token "
                f"for the {self.environment.value} environment"
            )
        # Tests and development share these defaults with the local stack; production never does.
        if self.environment is Environment.PRODUCTION:
            for variable, value, default in (
                ("SERVICE_TOKEN", self.service_token, DEFAULT_SERVICE_TOKEN),
                ("API_KEY_PEPPER", self.api_key_pepper, DEFAULT_KEY_PEPPER),
                ("ACCOUNT_SECRET", self.account_secret, DEFAULT_ACCOUNT_SECRET),
                ("SIGNAL_SECRET", self.signal_secret, DEFAULT_SIGNAL_SECRET),
            ):
                if value.get_secret_value() == default:
                    raise ValueError(f"BERUFSLOTSE_{variable} still has its default value; set a secret")
            if self.password_hash_memory_kib < 19456 or self.password_hash_time_cost < 2:
                raise ValueError(
                    "BERUFSLOTSE_PASSWORD_HASH_MEMORY_KIB / _TIME_COST are below OWASP's minimum for "
                    "argon2id (19456 KiB, 2 passes)"
                )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


def app_settings(request: Request) -> Settings:
    """The settings the application was built with (`create_app`; tests set `app.state.settings`).

    Not `app.dependency_overrides`: with any override in place FastAPI analyses every dependency's
    signature anew on every request (a fifth of the API's time per message in the bench)."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


SettingsDep = Annotated[Settings, Depends(app_settings)]
