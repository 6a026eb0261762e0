"""Fixtures for the account tests: accounts of every role, a browser-like client that keeps
cookies and reads CSRF tokens from the pages, and the SMTP sink of the exchange tests.

Builds on tests/api/conftest.py (databases, rollback sessions, `app`, `client`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api.accounts import credentials, service
from api.accounts.models import Account
from api.accounts.router import account_background_sessions
from api.companies.models import Company
from api.core.config import Settings
from tests.api.accounts.support import PASSWORD, AccountFactory
from tests.api.exchange.support import SinkHandler, SmtpSink, free_port


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "account_secret": SecretStr("test-account-secret"),
            "public_url": "https://berufslotse.example",
            "smtp_host": None,
            # argon2id as in production, but cheap: the production cost is tested once, by itself
            "password_hash_time_cost": 1,
            "password_hash_memory_kib": 1024,
            "password_hash_parallelism": 1,
        }
    )


@pytest.fixture
def app(app: FastAPI, session: Session) -> FastAPI:
    app.dependency_overrides[account_background_sessions] = lambda: lambda: nullcontext(session)
    return app


@pytest.fixture
def company(session: Session) -> Company:
    company = Company(name="Bäckerei Beispiel GmbH", verified=True, is_demo=False)
    session.add(company)
    session.flush()
    return company


@pytest.fixture
def make_account(session: Session, company: Company, settings: Settings) -> AccountFactory:
    counter = iter(range(1, 10_000))

    def make(role: str = "advisor", password: str | None = PASSWORD, **overrides: Any) -> Account:
        email = overrides.pop("email", f"person{next(counter)}@schule.example")
        company_id = overrides.pop("company_id", company.id if role == "company" else None)
        account = service.create_account(session, email, role, company_id)
        if password is not None:
            service.set_password(account, password, credentials.hasher_for(settings))
        for name, value in overrides.items():
            setattr(account, name, value)
        session.flush()
        return account

    return make


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(SinkHandler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def with_smtp(settings: Settings, smtp_sink: SmtpSink) -> Callable[[], Settings]:
    """Points the app's settings at the sink (the app reads `settings` per request)."""

    def point() -> Settings:
        settings.smtp_host = smtp_sink.host
        settings.smtp_port = smtp_sink.port
        return settings

    return point
