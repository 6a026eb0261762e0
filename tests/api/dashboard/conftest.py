"""Fixtures of the dashboard tests: one SQLite database per run, prepared the way `make run` does
it (migrate, load the real knowledge, the demo offers and the demo signals), accounts of every
role in it, and clients signed in as each of them.

The database is shared by the module's tests and only read by them (the dashboard writes nothing),
so it is built once; tests that change signals build their own rows inside a rolled-back session.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api import cli
from api.accounts import credentials, service
from api.companies.models import Company
from api.core.config import Environment, Settings
from api.core.db import create_db_engine
from api.dashboard.demo import seed_demo_signals
from api.main import create_app

PASSWORD = "korrekt-Pferd-Batterie-42"
ROLES = ("advisor", "district", "admin", "company")
DEMO_PUPILS = 3000


def account_email(role: str) -> str:
    return f"{role}@dashboard.example"


@pytest.fixture(scope="session")
def dashboard_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder: Path = tmp_path_factory.mktemp("dashboard")
    settings = Settings(
        environment=Environment.TEST,
        database_url=f"sqlite:///{folder / 'dashboard.db'}",
        api_admin_token=SecretStr("test-admin-token"),
        account_secret=SecretStr("test-account-secret"),
        public_url="https://berufslotse.example",
        smtp_host=None,
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
        password_hash_parallelism=1,
    )
    assert cli.main(["migrate"], settings=settings) == 0
    assert cli.main(["load-knowledge"], settings=settings) == 0
    assert cli.main(["seed-demo", "--companies", "300", "--offers", "1500"], settings=settings) == 0
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session, session.begin():
        seed_demo_signals(session, pupils=DEMO_PUPILS)
        company = Company(name="Bäckerei Beispiel GmbH", verified=True, is_demo=False)
        session.add(company)
        session.flush()
        hasher = credentials.hasher_for(settings)
        for role in ROLES:
            account = service.create_account(
                session, account_email(role), role, company.id if role == "company" else None
            )
            service.set_password(account, PASSWORD, hasher)
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def dashboard_engine(dashboard_settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(dashboard_settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def dashboard_app(dashboard_settings: Settings) -> FastAPI:
    return create_app(dashboard_settings)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def sign_in(client: httpx.AsyncClient, role: str) -> httpx.Response:
    page = await client.get("/login")
    token = _CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    return await client.post(
        "/login", data={"email": account_email(role), "password": PASSWORD, "csrf_token": token.group(1)}
    )


@pytest.fixture
async def anonymous(dashboard_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=dashboard_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


ClientFor = Callable[[str], "AsyncIterator[httpx.AsyncClient]"]


@pytest.fixture
async def district(anonymous: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await sign_in(anonymous, "district")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/district"
    return anonymous
