"""Fixtures for the apprenticeship and internship exchange: a small region, companies with keys,
offers, and a real SMTP sink.

Builds on tests/api/conftest.py (databases, rollback sessions, `app`, `client`, `load`): `app`
is extended so that work done after a response (the company's email) and the tracker store use
the test's session too, and nothing leaves the test's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.companies.service import create_api_key
from api.contacts.models import ContactRequest
from api.contacts.router import background_sessions
from api.core.config import Settings
from api.offers.models import Offer
from api.offers.service import end_of_day
from knowledge import schema
from tests.api.exchange.support import (
    PLACES,
    CompanyFactory,
    OfferFactory,
    SinkHandler,
    SmtpSink,
    bearer,
    free_port,
    now,
    region_municipalities,
    today,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with the exchange's own secrets (never the development defaults)."""
    return settings.model_copy(
        update={
            "service_token": SecretStr("test-service-token"),
            "api_key_pepper": SecretStr("test-pepper"),
            "contact_retention_days": 180,
        }
    )


@pytest.fixture
def app(app: FastAPI, session: Session) -> FastAPI:
    app.dependency_overrides[background_sessions] = lambda: lambda: nullcontext(session)
    return app


@pytest.fixture
def region(load: Callable[..., object], catalogue: list[schema.Profession]) -> list[schema.Profession]:
    """The test catalogue (with related occupations) and the places above."""
    load(professions=catalogue, municipalities=region_municipalities())
    return catalogue


@pytest.fixture
def make_company(session: Session, region: object) -> CompanyFactory:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Company:
        number = next(counter)
        values: dict[str, Any] = {
            "name": f"Testbetrieb {number} GmbH",
            "city": "Osnabrück",
            "municipality_slug": "osnabrueck",
            "lat": PLACES["osnabrueck"]["lat"],
            "lon": PLACES["osnabrueck"]["lon"],
            "contact_person": "Frau Beispiel",
            "email": f"ausbildung{number}@betrieb.example",
            "verified": True,
            "is_demo": False,
        }
        values.update(overrides)
        company = Company(**values)
        session.add(company)
        session.flush()
        return company

    return make


@pytest.fixture
def make_offer(session: Session, region: object) -> OfferFactory:
    def make(company: Company, **overrides: Any) -> Offer:
        place = overrides.pop("place", "osnabrueck")
        start = overrides.pop("start_date", today() + timedelta(days=120))
        values: dict[str, Any] = {
            "company_id": company.id,
            "kind": "apprenticeship",
            "profession_slug": "industriemechaniker",
            "title": "Ausbildung Industriemechaniker (m/w/d)",
            "description": "Du lernst Maschinen zu bauen und zu warten.",
            "start_date": start,
            "places": 1,
            "municipality_slug": place,
            "lat": PLACES[place]["lat"],
            "lon": PLACES[place]["lon"],
            "certificate_expected": None,
            "apply_url": "https://betrieb.example/ausbildung",
            "apply_contact": None,
            "published_at": now() - timedelta(days=3),
            "expires_at": end_of_day(start) if start else now() + timedelta(days=90),
            "status": "active",
            "source": "company",
            "external_ref": None,
            "is_demo": company.is_demo,
        }
        values.update(overrides)
        offer = Offer(**values)
        session.add(offer)
        session.flush()
        return offer

    return make


@pytest.fixture
def issue_key(session: Session, settings: Settings) -> Callable[[Company], str]:
    def issue(company: Company) -> str:
        _, key = create_api_key(session, company.id, settings.api_key_pepper.get_secret_value())
        return key

    return issue


@pytest.fixture
def service_headers(settings: Settings) -> dict[str, str]:
    return bearer(settings.service_token.get_secret_value())


@pytest.fixture
def make_contact_request(session: Session) -> Callable[..., ContactRequest]:
    def make(offer: Offer, **overrides: Any) -> ContactRequest:
        values: dict[str, Any] = {
            "offer_id": offer.id,
            "pupil_ref": "conversation-1",
            "name": "Mia",
            "email": "mia@schule.example",
            "phone": None,
            "message": "Ich interessiere mich für die Ausbildung.",
            "consent_text": "Ich bin einverstanden, dass meine Angaben an den Betrieb gehen.",
            "consent_at": now(),
            "status": "new",
            "notify_failed": False,
        }
        values.update(overrides)
        request = ContactRequest(**values)
        session.add(request)
        session.flush()
        return request

    return make


# --- a real SMTP server on 127.0.0.1 -------------------------------------------------------------


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(SinkHandler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
