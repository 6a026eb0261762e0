"""The company endpoints: API keys, managing offers, and strict isolation between companies."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.companies.models import ApiKey, Company
from api.companies.service import revoke_api_key
from api.contacts.models import ContactRequest
from api.core.config import Environment, Settings
from tests.api.exchange.support import CompanyFactory, OfferFactory, bearer, now, today


def new_offer(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "apprenticeship",
        "profession": "industriemechaniker",
        "title": "Ausbildung Industriemechaniker (m/w/d)",
        "description": "Wir bilden seit 30 Jahren aus.",
        "start_date": (today() + timedelta(days=200)).isoformat(),
        "places": 2,
        "municipality": "Bramsche",
        "certificate_expected": "hauptschule",
        "how_to_apply": {"url": "https://betrieb.example/bewerben"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def company_a(make_company: CompanyFactory) -> Company:
    return make_company(name="Alpha GmbH")


@pytest.fixture
def company_b(make_company: CompanyFactory) -> Company:
    return make_company(name="Beta KG")


@pytest.fixture
def key_a(issue_key: Callable[[Company], str], company_a: Company) -> dict[str, str]:
    return bearer(issue_key(company_a))


@pytest.fixture
def key_b(issue_key: Callable[[Company], str], company_b: Company) -> dict[str, str]:
    return bearer(issue_key(company_b))


# --- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Bearer blk_00000000_doesnotexist"},
    ],
)
async def test_missing_or_wrong_keys_are_401_problems(
    client: httpx.AsyncClient, region: object, headers: dict[str, str]
) -> None:
    response = await client.get("/api/v1/company/offers", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/problems/unauthorized"
    assert "gültiger Schlüssel" in response.json()["detail_de"]


async def test_a_key_with_the_right_prefix_but_a_wrong_secret_is_refused(
    client: httpx.AsyncClient, key_a: dict[str, str]
) -> None:
    key = key_a["Authorization"].removeprefix("Bearer ")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    response = await client.get("/api/v1/company/offers", headers=bearer(forged))
    assert response.status_code == 401


async def test_keys_are_stored_only_as_a_peppered_hash(
    session: Session, key_a: dict[str, str], company_a: Company
) -> None:
    key = key_a["Authorization"].removeprefix("Bearer ")
    row = session.scalars(select(ApiKey).where(ApiKey.company_id == company_a.id)).one()
    assert key.startswith(f"blk_{row.prefix}_")
    secret = key.split("_", 2)[2]
    assert len(secret) >= 43  # 32 random bytes
    assert secret not in row.key_hash and row.key_hash != key
    assert len(row.key_hash) == 64
    assert row.key_hash != hashlib.sha256(key.encode()).hexdigest()  # the pepper is mixed in


async def test_a_revoked_key_stops_working(
    client: httpx.AsyncClient, session: Session, key_a: dict[str, str], company_a: Company
) -> None:
    assert (await client.get("/api/v1/company/offers", headers=key_a)).status_code == 200
    prefix = key_a["Authorization"].split("_")[1]
    revoke_api_key(session, prefix)
    assert (await client.get("/api/v1/company/offers", headers=key_a)).status_code == 401


async def test_the_service_token_is_not_a_company_key(
    client: httpx.AsyncClient, region: object, service_headers: dict[str, str]
) -> None:
    assert (await client.get("/api/v1/company/offers", headers=service_headers)).status_code == 401


# --- managing offers -----------------------------------------------------------------------------


async def test_create_list_update_and_withdraw_an_offer(
    client: httpx.AsyncClient, key_a: dict[str, str], company_a: Company
) -> None:
    created = await client.post("/api/v1/company/offers", json=new_offer(), headers=key_a)
    assert created.status_code == 201, created.text
    offer = created.json()
    assert offer["status"] == "active" and offer["source"] == "company" and offer["is_demo"] is False
    assert offer["place"] == {"slug": "bramsche", "name": "Bramsche"}
    assert (offer["lat"], offer["lon"]) == (52.4088, 7.9729)  # the place's point when none is given
    assert offer["how_to_apply"] == {"url": "https://betrieb.example/bewerben", "contact": None}
    # Visible until the end of the start day unless the company says otherwise.
    assert (
        offer["expires_at"].startswith(offer["start_date"]) or offer["expires_at"][:10] > offer["start_date"]
    )

    public = await client.get("/api/v1/offers", params={"near": "49565"})
    assert [item["id"] for item in public.json()["items"]] == [offer["id"]]
    assert public.json()["items"][0]["company_name"] == "Alpha GmbH"

    listed = (await client.get("/api/v1/company/offers", headers=key_a)).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == offer["id"]

    patched = await client.patch(
        f"/api/v1/company/offers/{offer['id']}", json={"title": "Neuer Titel"}, headers=key_a
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Neuer Titel"
    assert patched.json()["description"] == "Wir bilden seit 30 Jahren aus."  # untouched
    assert patched.json()["places"] == 2

    filled = await client.patch(
        f"/api/v1/company/offers/{offer['id']}", json={"status": "filled"}, headers=key_a
    )
    assert filled.json()["status"] == "filled"
    assert (await client.get("/api/v1/offers")).json()["total"] == 0
    reopened = await client.patch(
        f"/api/v1/company/offers/{offer['id']}", json={"status": "active"}, headers=key_a
    )
    assert reopened.json()["status"] == "active"

    withdrawn = await client.post(f"/api/v1/company/offers/{offer['id']}/withdraw", headers=key_a)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (await client.get("/api/v1/offers")).json()["total"] == 0
    assert (await client.get(f"/api/v1/offers/{offer['id']}")).status_code == 404
    only_withdrawn = await client.get("/api/v1/company/offers", params={"status": "withdrawn"}, headers=key_a)
    assert only_withdrawn.json()["total"] == 1


async def test_an_offer_past_its_expiry_is_listed_as_expired_to_its_company(
    client: httpx.AsyncClient, key_a: dict[str, str], company_a: Company, make_offer: OfferFactory
) -> None:
    make_offer(company_a, title="old", expires_at=now() - timedelta(days=1))
    make_offer(company_a, title="current")
    listed = (await client.get("/api/v1/company/offers", headers=key_a)).json()
    assert sorted((item["title"], item["status"]) for item in listed["items"]) == [
        ("current", "active"),
        ("old", "expired"),
    ]
    expired = (await client.get("/api/v1/company/offers", params={"status": "expired"}, headers=key_a)).json()
    assert [item["title"] for item in expired["items"]] == ["old"]


async def test_null_cannot_empty_a_required_field(
    client: httpx.AsyncClient, key_a: dict[str, str], company_a: Company, make_offer: OfferFactory
) -> None:
    offer = make_offer(company_a)
    response = await client.patch(f"/api/v1/company/offers/{offer.id}", json={"title": None}, headers=key_a)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.title"
    unknown = await client.patch(f"/api/v1/company/offers/{offer.id}", json={"salary": 900}, headers=key_a)
    assert unknown.status_code == 422


async def test_clearing_the_coordinates_falls_back_to_the_place(
    client: httpx.AsyncClient, key_a: dict[str, str], company_a: Company, make_offer: OfferFactory
) -> None:
    offer = make_offer(company_a, lat=52.28, lon=8.06)
    response = await client.patch(
        f"/api/v1/company/offers/{offer.id}", json={"lat": None, "lon": None}, headers=key_a
    )
    assert response.status_code == 200
    assert (response.json()["lat"], response.json()["lon"]) == (52.2738, 8.0521)


# --- isolation: every endpoint, across companies -------------------------------------------------


async def test_a_company_can_never_see_or_change_another_companys_data(
    client: httpx.AsyncClient,
    session: Session,
    company_a: Company,
    key_a: dict[str, str],
    key_b: dict[str, str],
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
) -> None:
    offer = make_offer(company_a, title="Alpha's offer")
    request = make_contact_request(offer)
    missing_offer, missing_request = offer.id + 1000, request.id + 1000

    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/api/v1/company/offers/{offer}", None),
        ("PATCH", "/api/v1/company/offers/{offer}", {"title": "Übernommen"}),
        ("PATCH", "/api/v1/company/offers/{offer}", {"status": "filled"}),
        ("POST", "/api/v1/company/offers/{offer}/withdraw", None),
        ("PATCH", "/api/v1/company/contact-requests/{request}", {"status": "answered"}),
    ]
    for method, template, body in attempts:
        foreign = template.format(offer=offer.id, request=request.id)
        absent = template.format(offer=missing_offer, request=missing_request)
        as_b = await client.request(method, foreign, json=body, headers=key_b)
        nothing = await client.request(method, absent, json=body, headers=key_b)
        assert as_b.status_code == 404, (method, foreign)
        # Exactly the answer for an id that does not exist (apart from the id itself): no leak.
        assert as_b.json()["type"] == nothing.json()["type"]
        assert as_b.json()["title"] == nothing.json()["title"]

    assert (await client.get("/api/v1/company/offers", headers=key_b)).json() == {"items": [], "total": 0}
    requests_b = await client.get("/api/v1/company/contact-requests", headers=key_b)
    assert requests_b.json() == {"items": [], "total": 0}
    filtered = await client.get(
        "/api/v1/company/contact-requests", params={"offer_id": offer.id}, headers=key_b
    )
    assert filtered.json()["total"] == 0

    session.refresh(offer)
    session.refresh(request)
    assert (offer.title, offer.status, request.status) == ("Alpha's offer", "active", "new")
    # Company A sees and changes its own.
    own = (await client.get("/api/v1/company/contact-requests", headers=key_a)).json()
    assert [item["id"] for item in own["items"]] == [request.id]
    assert "pupil_ref" not in own["items"][0]  # the conversation id stays with us
    answered = await client.patch(
        f"/api/v1/company/contact-requests/{request.id}", json={"status": "answered"}, headers=key_a
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"


async def test_contact_requests_are_filtered_by_status_and_offer(
    client: httpx.AsyncClient,
    company_a: Company,
    key_a: dict[str, str],
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
) -> None:
    first, second = make_offer(company_a), make_offer(company_a)
    make_contact_request(first, pupil_ref="p1")
    make_contact_request(first, pupil_ref="p2", status="seen")
    make_contact_request(second, pupil_ref="p1")
    by_offer = await client.get(
        "/api/v1/company/contact-requests", params={"offer_id": first.id}, headers=key_a
    )
    assert by_offer.json()["total"] == 2
    by_status = await client.get("/api/v1/company/contact-requests", params={"status": "seen"}, headers=key_a)
    assert by_status.json()["total"] == 1
    bad_status = await client.patch(
        "/api/v1/company/contact-requests/1", json={"status": "deleted"}, headers=key_a
    )
    assert bad_status.status_code == 422


def test_production_refuses_the_development_service_token_and_pepper() -> None:
    base = {"environment": Environment.PRODUCTION, "api_admin_token": SecretStr("a")}
    for missing in ("service_token", "api_key_pepper"):
        secrets = {"service_token": SecretStr("s"), "api_key_pepper": SecretStr("p")}
        secrets.pop(missing)
        with pytest.raises(ValidationError, match=missing.upper()):
            Settings(_env_file=None, **base, **secrets)  # type: ignore[arg-type, call-arg]
    assert Settings(
        _env_file=None,  # type: ignore[call-arg]
        **base,  # type: ignore[arg-type]
        service_token=SecretStr("s"),
        api_key_pepper=SecretStr("p"),
        account_secret=SecretStr("c"),
        signal_secret=SecretStr("g"),
    )
