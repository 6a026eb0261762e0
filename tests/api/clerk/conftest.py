"""Fixtures for the clerk and admin pages: the exchange's region, companies, offers and contact
requests (tests/api/exchange), the accounts' cheap password hashing (tests/api/accounts), clerks
of two companies, and a browser-like client per person.

Builds on tests/api/conftest.py (databases, rollback sessions, `app`, `client`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api.accounts import credentials, service
from api.accounts.models import Account
from api.accounts.router import account_background_sessions
from api.companies.models import Company
from api.contacts.router import background_sessions
from api.core.config import Settings
from tests.api.accounts.support import PASSWORD
from tests.api.exchange.conftest import (  # noqa: F401 (fixtures shared with the exchange tests)
    issue_key,
    make_company,
    make_contact_request,
    make_offer,
    region,
    service_headers,
    smtp_sink,
)
from tests.api.exchange.support import CompanyFactory, SmtpSink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "service_token": SecretStr("test-service-token"),
            "api_key_pepper": SecretStr("test-pepper"),
            "contact_retention_days": 180,
            "account_secret": SecretStr("test-account-secret"),
            "public_url": "https://berufslotse.example",
            "smtp_host": None,
            "password_hash_time_cost": 1,
            "password_hash_memory_kib": 1024,
            "password_hash_parallelism": 1,
        }
    )


@pytest.fixture
def app(app: FastAPI, session: Session) -> FastAPI:
    app.dependency_overrides[background_sessions] = lambda: lambda: nullcontext(session)
    app.dependency_overrides[account_background_sessions] = lambda: lambda: nullcontext(session)
    return app


AccountFactory = Callable[..., Account]


@pytest.fixture
def make_person(session: Session, settings: Settings) -> AccountFactory:
    counter = iter(range(1, 10_000))

    def make(role: str = "company", company: Company | None = None, **overrides: Any) -> Account:
        email = overrides.pop("email", f"person{next(counter)}@betrieb.example")
        account = service.create_account(session, email, role, company.id if company else None)
        service.set_password(account, PASSWORD, credentials.hasher_for(settings))
        session.flush()
        return account

    return make


@pytest.fixture
def bakery(make_company: CompanyFactory) -> Company:  # noqa: F811
    return make_company(name="Bäckerei Sonne GmbH", email="ausbildung@sonne.example")


@pytest.fixture
def garage(make_company: CompanyFactory) -> Company:  # noqa: F811
    return make_company(name="Autohaus Mond KG", email="ausbildung@mond.example", municipality_slug="melle")


@pytest.fixture
def with_smtp(settings: Settings, smtp_sink: SmtpSink) -> Callable[[], Settings]:  # noqa: F811
    def point() -> Settings:
        settings.smtp_host = smtp_sink.host
        settings.smtp_port = smtp_sink.port
        return settings

    return point
