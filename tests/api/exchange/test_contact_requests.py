"""The pupil's side of contact requests (action server with its service token), retention and purge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.contacts.models import ContactRequest
from api.contacts.service import purge_old_requests
from api.offers.models import Offer
from api.offers.service import mark_expired
from tests.api.exchange.support import CompanyFactory, OfferFactory, bearer, now

CONSENT = "Ich bin einverstanden, dass Berufslotse meinen Namen und meine E-Mail an den Betrieb schickt."


def request_body(offer_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "offer_id": offer_id,
        "pupil_ref": "conversation-42",
        "name": "Mia Beispiel",
        "email": "mia@schule.example",
        "message": "Hallo, ich würde gern ein Praktikum machen.",
        "consent_text": CONSENT,
    }
    body.update(overrides)
    return body


@pytest.fixture
def company(make_company: CompanyFactory) -> Company:
    return make_company(name="Alpha GmbH")


@pytest.fixture
def offer(company: Company, make_offer: OfferFactory) -> Offer:
    return make_offer(company, title="Praktikum Industriemechanik")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer change-me-service"}]
)
async def test_pupil_side_endpoints_need_the_service_token(
    client: httpx.AsyncClient, offer: Offer, headers: dict[str, str]
) -> None:
    calls = [
        client.post("/api/v1/contact-requests", json=request_body(offer.id), headers=headers),
        client.get("/api/v1/contact-requests", params={"pupil_ref": "x"}, headers=headers),
        client.delete("/api/v1/contact-requests/1", params={"pupil_ref": "x"}, headers=headers),
        client.delete("/api/v1/privacy/conversations/x", headers=headers),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 401
        assert response.json()["type"] == "/problems/unauthorized"


async def test_a_company_key_does_not_open_the_pupil_side(
    client: httpx.AsyncClient, offer: Offer, company: Company, issue_key: Callable[[Company], str]
) -> None:
    headers = bearer(issue_key(company))
    response = await client.get("/api/v1/contact-requests", params={"pupil_ref": "x"}, headers=headers)
    assert response.status_code == 401


async def test_create_list_and_withdraw(
    client: httpx.AsyncClient, offer: Offer, service_headers: dict[str, str], session: Session
) -> None:
    created = await client.post(
        "/api/v1/contact-requests", json=request_body(offer.id), headers=service_headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["offer"] == {
        "id": offer.id,
        "kind": "apprenticeship",
        "title": "Praktikum Industriemechanik",
        "company_name": "Alpha GmbH",
        "place": {"slug": "osnabrueck", "name": "Osnabrück"},
        "is_demo": False,
    }
    assert (body["name"], body["email"], body["phone"]) == ("Mia Beispiel", "mia@schule.example", None)
    assert body["consent_text"] == CONSENT and body["status"] == "new"
    # No SMTP server is configured in these tests: the request is kept, the failure recorded.
    stored = session.get_one(ContactRequest, body["id"])
    assert stored.notify_failed is True and stored.notified_at is None

    mine = await client.get(
        "/api/v1/contact-requests", params={"pupil_ref": "conversation-42"}, headers=service_headers
    )
    assert [item["id"] for item in mine.json()] == [body["id"]]
    assert mine.json()[0]["notification"] == "failed"
    theirs = await client.get(
        "/api/v1/contact-requests", params={"pupil_ref": "someone-else"}, headers=service_headers
    )
    assert theirs.json() == []

    wrong_pupil = await client.delete(
        f"/api/v1/contact-requests/{body['id']}",
        params={"pupil_ref": "someone-else"},
        headers=service_headers,
    )
    assert wrong_pupil.status_code == 404
    assert wrong_pupil.json()["type"] == "/problems/contact-request-not-found"
    withdrawn = await client.delete(
        f"/api/v1/contact-requests/{body['id']}",
        params={"pupil_ref": "conversation-42"},
        headers=service_headers,
    )
    assert withdrawn.status_code == 204
    assert session.get(ContactRequest, body["id"]) is None


@pytest.mark.parametrize(
    ("overrides", "fields", "german"),
    [
        ({"email": "mia(at)schule"}, ["email"], "„mia(at)schule“ ist keine gültige E-Mail-Adresse."),
        ({"email": None, "phone": "0541 12"}, ["phone"], "„0541 12“ ist keine gültige Telefonnummer"),
        ({"email": None, "phone": "call me"}, ["phone"], "keine gültige Telefonnummer"),
        (
            {"email": None, "phone": None},
            ["email"],
            "Bitte geben Sie eine E-Mail-Adresse oder eine Telefonnummer an",
        ),
        ({"email": "  ", "phone": ""}, ["email"], "E-Mail-Adresse oder eine Telefonnummer"),
        (
            {"message": "m" * 1001},
            ["message"],
            "Das Feld „message“ hat 1001 Zeichen; erlaubt sind höchstens 1000.",
        ),
        ({"consent_text": " "}, ["consent_text"], "Bitte füllen Sie das Feld „consent_text“ aus."),
        ({"email": "a@b", "name": "n" * 101}, ["name", "email"], "keine gültige E-Mail-Adresse"),
    ],
)
async def test_shared_fields_are_checked(
    client: httpx.AsyncClient,
    offer: Offer,
    service_headers: dict[str, str],
    overrides: dict[str, Any],
    fields: list[str],
    german: str,
) -> None:
    response = await client.post(
        "/api/v1/contact-requests", json=request_body(offer.id, **overrides), headers=service_headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/contact-request-rejected"
    assert [error["field"] for error in body["errors"]] == fields
    assert german in body["detail_de"]


@pytest.mark.parametrize(
    "phone", ["0541 123456", "+49 541 123456", "(0541) 12 34-56", "0151/23456789", "+491512345678"]
)
async def test_phone_only_is_enough(
    client: httpx.AsyncClient, offer: Offer, service_headers: dict[str, str], phone: str
) -> None:
    response = await client.post(
        "/api/v1/contact-requests",
        json=request_body(offer.id, email=None, phone=phone),
        headers=service_headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["phone"] == phone and response.json()["email"] is None


async def test_closed_unknown_and_unreachable_offers(
    client: httpx.AsyncClient,
    company: Company,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
    service_headers: dict[str, str],
) -> None:
    expired = make_offer(company, expires_at=now() - timedelta(hours=1))
    filled = make_offer(company, status="filled")
    no_email = make_offer(make_company(email=None))
    for offer, status in ((expired, "expired"), (filled, "filled")):
        response = await client.post(
            "/api/v1/contact-requests", json=request_body(offer.id), headers=service_headers
        )
        assert response.status_code == 409
        assert response.json()["type"] == "/problems/offer-closed"
        assert f"({status})" in response.json()["detail"]
        assert response.json()["offer_status"] == status
    unreachable = await client.post(
        "/api/v1/contact-requests", json=request_body(no_email.id), headers=service_headers
    )
    assert (
        unreachable.status_code == 409 and unreachable.json()["type"] == "/problems/company-not-contactable"
    )
    missing = await client.post(
        "/api/v1/contact-requests", json=request_body(987654), headers=service_headers
    )
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/offer-not-found"


async def test_one_request_per_conversation_and_offer(
    client: httpx.AsyncClient, offer: Offer, service_headers: dict[str, str]
) -> None:
    first = await client.post(
        "/api/v1/contact-requests", json=request_body(offer.id), headers=service_headers
    )
    again = await client.post(
        "/api/v1/contact-requests", json=request_body(offer.id), headers=service_headers
    )
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/duplicate-contact-request"
    assert str(first.json()["id"]) in again.json()["detail"]
    assert again.json()["request_id"] == first.json()["id"]  # the action server points the pupil to it
    other = await client.post(
        "/api/v1/contact-requests", json=request_body(offer.id, pupil_ref="another"), headers=service_headers
    )
    assert other.status_code == 201


def test_purge_deletes_requests_past_retention_and_marks_expired_offers(
    session: Session,
    company: Company,
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
) -> None:
    offer = make_offer(company)
    old = make_contact_request(offer, pupil_ref="old", created_at=now() - timedelta(days=181))
    recent = make_contact_request(offer, pupil_ref="recent", created_at=now() - timedelta(days=179))
    assert purge_old_requests(session, retention_days=180) == 1
    remaining = set(session.scalars(select(ContactRequest.pupil_ref)))
    assert remaining == {"recent"}
    assert old.id != recent.id

    past = make_offer(company, expires_at=now() - timedelta(seconds=1))
    assert mark_expired(session) == 1
    session.refresh(past)
    session.refresh(offer)
    assert (past.status, offer.status) == ("expired", "active")
