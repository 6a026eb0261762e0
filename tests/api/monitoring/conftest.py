"""Fixtures of the monitoring tests: the real municipalities of the region, one occupation per
KldB field, companies and offers, accounts of every role with a session, and a seeded synthetic
population recorded through the real signal code.

Builds on tests/api/conftest.py (databases, rollback sessions, `app`, `client`, `load`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api.accounts import service as accounts
from api.check.sync import CheckBankSnapshot, read_check_bank, sync_check_bank
from api.companies.models import Company
from api.contacts.router import background_sessions
from api.core.config import Settings
from api.monitoring.models import InterestSource
from api.monitoring.signals import record_check, record_interest
from api.monitoring.synthetic import SyntheticPupil, add_population, synthetic_population
from api.offers.models import Offer
from knowledge import schema
from knowledge.loader import load_municipalities
from tests.api.conftest import build_profession

K = 10
FIELDS = [str(code) for code in range(1, 10)]
SERVICE_TOKEN = "test-service-token"
ADMIN_TOKEN = "test-admin-token"


def field_profession(field: str) -> str:
    return f"beruf-im-feld-{field}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "service_token": SecretStr(SERVICE_TOKEN),
            "api_key_pepper": SecretStr("test-pepper"),
            "account_secret": SecretStr("test-account-secret"),
            "signal_secret": SecretStr("test-signal-secret"),
            "monitoring_k": K,
            "signal_retention_days": 395,
        }
    )


@pytest.fixture
def app(app: FastAPI, session: Session) -> FastAPI:
    app.dependency_overrides[background_sessions] = lambda: lambda: nullcontext(session)
    return app


@pytest.fixture
def places() -> list[schema.Municipality]:
    return load_municipalities()


@pytest.fixture(scope="session")
def check_snapshot() -> CheckBankSnapshot:
    return read_check_bank()


@pytest.fixture
def region(
    session: Session,
    load: Callable[..., object],
    places: list[schema.Municipality],
    check_snapshot: CheckBankSnapshot,
) -> list[schema.Profession]:
    """The region's 39 real places, one occupation per KldB field and the check's item bank."""
    professions = [
        build_profession(field_profession(field), field=field, kldb_code=f"{field}1234") for field in FIELDS
    ]
    load(professions=professions, municipalities=places)
    sync_check_bank(session, check_snapshot)
    return professions


@pytest.fixture
def company(session: Session, region: object) -> Company:
    company = Company(
        name="Testbetrieb GmbH",
        city="Melle",
        municipality_slug="melle",
        lat=52.1977,
        lon=8.3389,
        email="ausbildung@betrieb.example",
        verified=True,
        is_demo=False,
    )
    session.add(company)
    session.flush()
    return company


@pytest.fixture
def make_offer(session: Session, company: Company, places: list[schema.Municipality]) -> Callable[..., Offer]:
    points = {place.slug: (place.lat or 52.0, place.lon or 8.0) for place in places}

    def make(field: str, place: str, places_count: int = 1, **overrides: Any) -> Offer:
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "company_id": company.id,
            "kind": "apprenticeship",
            "profession_slug": field_profession(field),
            "title": f"Ausbildung im Feld {field}",
            "description": "Demo-freier Testtext.",
            "start_date": None,
            "places": places_count,
            "municipality_slug": place,
            "lat": points[place][0],
            "lon": points[place][1],
            "apply_url": "https://betrieb.example/ausbildung",
            "published_at": overrides.pop("published_at", now - timedelta(days=400)),
            "expires_at": overrides.pop("expires_at", now + timedelta(days=400)),
            "status": "active",
            "source": "company",
            "is_demo": False,
        }
        values.update(overrides)
        offer = Offer(**values)
        session.add(offer)
        session.flush()
        return offer

    return make


@pytest.fixture
def signed_in_as(
    session: Session, settings: Settings, client: Any, company: Company
) -> Callable[[str], None]:
    """Gives the test client the session cookie of a new account of `role`."""
    counter = iter(range(1, 1000))

    def sign_in(role: str) -> None:
        account = accounts.create_account(
            session, f"person{next(counter)}@example.org", role, company.id if role == "company" else None
        )
        session.flush()
        token = accounts.start_session(session, account, settings)
        client.cookies.set("berufslotse_session", token)

    return sign_in


# --- the synthetic population --------------------------------------------------------------------

FIRST_MONTH = date(2025, 8, 1)  # the school year 2025/26
MONTHS = 12
# Skewed like a rural district: the city and the towns get most pupils, the villages few.
LEAF_WEIGHTS = {"osnabrueck": 30.0, "melle": 8.0, "bramsche": 6.0, "georgsmarienhuette": 5.0}
FIELD_WEIGHTS = [8, 30, 6, 5, 6, 14, 12, 16, 3]


def leaf_places(places: list[schema.Municipality]) -> list[str]:
    return sorted(place.slug for place in places if place.kind != "samtgemeinde")


@pytest.fixture
def population(places: list[schema.Municipality]) -> list[SyntheticPupil]:
    leaves = leaf_places(places)
    return synthetic_population(
        seed=20261206,
        pupils=900,
        municipalities=leaves,
        professions_by_field={field: [field_profession(field)] for field in FIELDS},
        first_month=FIRST_MONTH,
        months=MONTHS,
        municipality_weights=[LEAF_WEIGHTS.get(slug, 1.0) for slug in leaves],
        field_weights=FIELD_WEIGHTS,
    )


def record_population(session: Session, settings: Settings, population: list[SyntheticPupil]) -> None:
    """Every synthetic pupil through the real recording code: a lookup, a search and a check."""
    for pupil in population:
        record_interest(
            session,
            settings,
            pupil_ref=pupil.pupil_ref,
            source=InterestSource.LOOKUP,
            profession_slug=pupil.profession_slug,
            municipality=pupil.municipality,
            today=pupil.month,
        )
        record_interest(
            session,
            settings,
            pupil_ref=pupil.pupil_ref,
            source=InterestSource.OFFER_SEARCH,
            profession_slug=pupil.profession_slug,
            municipality=pupil.municipality,
            offer_kind="apprenticeship",
            radius_km=20,
            today=pupil.month,
        )
        record_check(
            session,
            settings,
            pupil_ref=pupil.pupil_ref,
            variant="quick",
            scores=pupil.scores,
            certificate=pupil.certificate,
            municipality=pupil.municipality,
            today=pupil.month,
        )


@pytest.fixture
def recorded(
    session: Session, settings: Settings, region: object, population: list[SyntheticPupil]
) -> list[SyntheticPupil]:
    """The population's signals, written in bulk (`add_population`, which builds the rows as the
    recording functions do: test_signals.py checks that they agree)."""
    add_population(session, settings, population)
    session.commit()
    return population
