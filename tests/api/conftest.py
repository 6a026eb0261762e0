"""Fixtures for the API tests.

Databases: every test that uses `session` or `client` runs on SQLite and on PostgreSQL, against a
database migrated to head once per run; each test runs inside a transaction that is rolled back.
PostgreSQL comes from BERUFSLOTSE_TEST_POSTGRES_URL (see scripts/services/postgres.sh); without it
those tests skip locally and FAIL on CI (CI=true). Each run creates its own database on that
server and drops it afterwards, so parallel runs do not meet.

Data: small factories build knowledge dataclasses (`make_profession`, `catalogue`, ...), and
`load` writes them through the same code as `python -m api.cli load-knowledge`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.cli import alembic_config
from api.core.config import Environment, Settings
from api.core.db import create_db_engine, get_session
from api.knowledge_sync.service import KnowledgeSnapshot, SyncReport, sync_knowledge
from api.main import create_app
from api.monitoring.dependencies import signal_sessions
from api.professions.search import profession_search
from api.professions.service import profile_cache
from knowledge import schema

POSTGRES_URL_VARIABLE = "BERUFSLOTSE_TEST_POSTGRES_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

ProfessionFactory = Callable[..., schema.Profession]
Loader = Callable[..., SyncReport]


# --- databases ---------------------------------------------------------------------------------


def postgres_server_url() -> str:
    """The PostgreSQL test server; fails on CI when it is not configured, skips elsewhere."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if url:
        return url
    reason = (
        f"{POSTGRES_URL_VARIABLE} is not set; run `scripts/services/postgres.sh start` and "
        f"export {POSTGRES_URL_VARIABLE}=$(scripts/services/postgres.sh url)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the PostgreSQL tests must run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server (the role needs CREATEDB), dropped afterwards."""
    name = f"berufslotse_test_{uuid.uuid4().hex[:12]}"
    admin: Engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    quoted = admin.dialect.identifier_preparer.quote(name)  # DDL names cannot be bound parameters
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {quoted}"))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'api-{uuid.uuid4().hex[:8]}.db'}"
    else:
        with postgres_database(postgres_server_url()) as url:
            yield url


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url, configure_logging=False), revision)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this backend with every migration applied, shared by the whole run."""
    with empty_database(backend, tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of this backend without any table, for one test."""
    with empty_database(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    SQLAlchemy 2's "join a session into an external transaction" recipe: commits made by the code
    under test only release SAVEPOINTs, so nothing survives the test.
    """
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    profession_search.clear()
    profile_cache.clear()  # a test starts without what an earlier one kept
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


# --- application -------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        api_admin_token=SecretStr("test-admin-token"),
        cors_origins=["http://127.0.0.1:8080"],
    )


@pytest.fixture
def app(settings: Settings, session: Session) -> FastAPI:
    app = create_app(settings)

    def test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = test_session
    # signals are written after the response, in the test's transaction too
    app.dependency_overrides[signal_sessions] = lambda: lambda: nullcontext(session)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


# --- factories ---------------------------------------------------------------------------------


def _term(code: str, de: str, en: str, rank: int | None = None) -> schema.VocabTerm:
    return schema.VocabTerm(code=code, label=schema.LocalizedText(de=de, en=en), rank=rank)


@pytest.fixture
def vocab() -> schema.Vocab:
    """A small vocabulary, enough for the factory professions."""
    return schema.Vocab(
        certificates=(
            _term("none", "ohne Schulabschluss", "no certificate", 0),
            _term("hauptschule", "Hauptschulabschluss", "lower secondary certificate", 1),
            _term("realschule", "Realschulabschluss", "intermediate secondary certificate", 2),
            _term("abitur", "Abitur", "higher education entrance qualification", 4),
        ),
        training_types=(
            _term("dual", "duale Ausbildung", "dual apprenticeship"),
            _term("school", "schulische Ausbildung", "school-based training"),
        ),
        subjects=(
            _term("mathe", "Mathe", "maths"),
            _term("deutsch", "Deutsch", "German"),
            _term("biologie", "Biologie", "biology"),
            _term("informatik", "Informatik", "computer science"),
        ),
        fields=(
            _term("2", "Produktion und Fertigung", "production and manufacturing"),
            _term("4", "Naturwissenschaft, Geografie und Informatik", "science, geography and IT"),
            _term("8", "Gesundheit, Soziales und Erziehung", "health, social work and education"),
            _term("9", "Sprache, Medien, Kultur und Gestaltung", "languages, media, culture and design"),
        ),
        riasec=tuple(_term(letter, letter, letter) for letter in "RIASEC"),
    )


def build_profession(slug: str, **overrides: Any) -> schema.Profession:
    """A profile; names default to the slug, everything else to a dual 36-month occupation."""
    name = overrides.pop("name", slug.replace("-", " ").title())
    texts = {
        "de": schema.ProfessionText(
            f"Du arbeitest als {name}.", ("Aufgabe eins", "Aufgabe zwei"), ("Betrieb",)
        ),
        "en": schema.ProfessionText(f"You work as {name}.", ("task one", "task two"), ("company",)),
    }
    base = schema.Profession(
        slug=slug,
        training_type="dual",
        name_masc=name,
        name_fem=name,
        name_short=name,
        name_en=f"{name} (en)",
        synonyms=(),
        duration_months=36,
        kldb_code="29301",
        field="2",
        certificate_typical="hauptschule",
        certificate_required="none",
        subjects=("mathe", "deutsch"),
        riasec="RC",
        legal_minimum_pay=True,
        pay_note=None,
        related=(),
        text=texts,
        regulation=None,
    )
    return replace(base, **overrides)


@pytest.fixture
def make_profession() -> ProfessionFactory:
    return build_profession


@pytest.fixture
def catalogue() -> list[schema.Profession]:
    """A handful of real occupations, with the near neighbours that make ranking meaningful."""
    return [
        build_profession(
            "medizinischer-fachangestellter",
            name_masc="Medizinischer Fachangestellter",
            name_fem="Medizinische Fachangestellte",
            name_short="Medizinische/r Fachangestellte/r",
            name_en="Medical assistant",
            synonyms=("MFA", "Arzthelferin", "Arzthelfer", "Sprechstundenhilfe"),
            kldb_code="81102",
            field="8",
            riasec="SCI",
            certificate_typical="realschule",
            subjects=("biologie", "deutsch"),
            related=("zahnmedizinischer-fachangestellter",),
        ),
        build_profession(
            "zahnmedizinischer-fachangestellter",
            name_masc="Zahnmedizinischer Fachangestellter",
            name_fem="Zahnmedizinische Fachangestellte",
            name_short="Zahnmedizinische/r Fachangestellte/r",
            name_en="Dental assistant",
            synonyms=("ZFA", "Zahnarzthelferin", "Zahnarzthelfer"),
            kldb_code="81112",
            field="8",
            riasec="SCR",
            certificate_typical="realschule",
            related=("medizinischer-fachangestellter",),
        ),
        build_profession(
            "kraftfahrzeugmechatroniker",
            name_masc="Kraftfahrzeugmechatroniker",
            name_fem="Kraftfahrzeugmechatronikerin",
            name_short="Kfz-Mechatroniker/in",
            name_en="Automotive mechatronics technician",
            synonyms=("Kfz-Mechatroniker", "Kfz-Mechaniker", "Automechaniker"),
            duration_months=42,
            kldb_code="25212",
            riasec="RI",
        ),
        build_profession(
            "industriemechaniker",
            name_masc="Industriemechaniker",
            name_fem="Industriemechanikerin",
            name_short="Industriemechaniker/in",
            name_en="Industrial mechanic",
            duration_months=42,
            kldb_code="25102",
            riasec="RC",
        ),
        build_profession(
            "fachinformatiker",
            name_masc="Fachinformatiker",
            name_fem="Fachinformatikerin",
            name_short="Fachinformatiker/in",
            name_en="IT specialist",
            synonyms=("Informatiker",),
            kldb_code="43102",
            field="4",
            riasec="IRC",
            certificate_typical="realschule",
            subjects=("informatik", "mathe"),
        ),
        build_profession(
            "kaufmann-fuer-digitalisierungsmanagement",
            name_masc="Kaufmann für Digitalisierungsmanagement",
            name_fem="Kauffrau für Digitalisierungsmanagement",
            name_short="Kaufmann/-frau für Digitalisierungsmanagement",
            name_en="Digitalisation management assistant",
            kldb_code="43102",
            field="4",
            riasec="CEI",
            certificate_typical="realschule",
        ),
        build_profession(
            "pflegefachmann",
            name_masc="Pflegefachmann",
            name_fem="Pflegefachfrau",
            name_short="Pflegefachmann/-frau",
            name_en="Nurse",
            training_type="school",
            kldb_code="81302",
            field="8",
            riasec="SI",
            certificate_typical="realschule",
            certificate_required="realschule",
            legal_minimum_pay=False,
            pay_note=schema.LocalizedText(de="Du bekommst Geld nach Tarif.", en="You are paid by agreement."),
        ),
    ]


def build_minimum_pay(start_year: int, amounts: tuple[int, ...]) -> list[schema.MinimumPay]:
    return [
        schema.MinimumPay(start_year, year, eur, legal_basis="§ 17 BBiG", derived=False)
        for year, eur in enumerate(amounts, start=1)
    ]


@pytest.fixture
def make_minimum_pay() -> Callable[[int, tuple[int, ...]], list[schema.MinimumPay]]:
    return build_minimum_pay


def build_municipality(slug: str, name: str, **overrides: Any) -> schema.Municipality:
    base = schema.Municipality(
        slug=slug, name=name, kind="gemeinde", samtgemeinde=None, postcodes=("49000",), lat=52.3, lon=8.0
    )
    return replace(base, **overrides)


@pytest.fixture
def make_municipality() -> Callable[..., schema.Municipality]:
    return build_municipality


@pytest.fixture
def load(session: Session, vocab: schema.Vocab) -> Loader:
    """Write knowledge into the test database as load-knowledge does; unspecified parts are empty."""

    def load(**parts: Any) -> SyncReport:
        snapshot = KnowledgeSnapshot(
            professions=parts.pop("professions", []),
            vocab=parts.pop("vocab", vocab),
            municipalities=parts.pop("municipalities", []),
            minimum_pay=parts.pop("minimum_pay", []),
            agreed_pay=parts.pop("agreed_pay", []),
            knowledge_hash=parts.pop("knowledge_hash", "test"),
            topics=parts.pop("topics", []),
            rules=parts.pop("rules", []),
        )
        assert not parts, f"unknown parts: {sorted(parts)}"
        return sync_knowledge(session, snapshot)

    return load


@pytest.fixture
def loaded_catalogue(load: Loader, catalogue: list[schema.Profession]) -> list[schema.Profession]:
    load(professions=catalogue)
    return catalogue
