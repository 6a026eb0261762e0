"""What a company clerk is told when an offer cannot be saved: problem+json, every problem at once,
each with its own type and German text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.companies.models import Company
from tests.api.exchange.support import CompanyFactory, OfferFactory, bearer, now, today


@pytest.fixture
def company(make_company: CompanyFactory) -> Company:
    return make_company()


@pytest.fixture
def headers(issue_key: Callable[[Company], str], company: Company) -> dict[str, str]:
    return bearer(issue_key(company))


def offer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "internship",
        "profession": "fachinformatiker",
        "title": "Praktikum in der IT",
        "start_date": (today() + timedelta(days=30)).isoformat(),
        "municipality": "Osnabrück",
        "how_to_apply": {"contact": "Herr Beispiel, 0541 000000"},
    }
    body.update(overrides)
    return body


async def rejected(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/api/v1/company/offers", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["type"] == "/problems/offer-rejected"
    assert problem["detail_de"].startswith("Das Angebot kann nicht gespeichert werden.")
    return problem


@pytest.mark.parametrize(
    ("overrides", "field", "problem", "german"),
    [
        (
            {"start_date": "2020-08-01"},
            "start_date",
            "start-date-in-past",
            "Der Beginn (2020-08-01) liegt in der Vergangenheit.",
        ),
        (
            {"expires_at": "2020-01-01T00:00:00+01:00"},
            "expires_at",
            "expiry-in-past",
            "Das Ablaufdatum (2020-01-01T00:00:00+01:00) liegt in der Vergangenheit.",
        ),
        (
            {"profession": "astronaut"},
            "profession",
            "unknown-profession",
            "Einen Beruf mit der Kennung „astronaut“ kennen wir nicht.",
        ),
        (
            {"municipality": "Münster"},
            "municipality",
            "place-outside-region",
            "„Münster“ ist keine Gemeinde der Region Osnabrück (Stadt und Landkreis).",
        ),
        (
            {"municipality": "10115"},
            "municipality",
            "place-outside-region",
            "„10115“ ist keine Gemeinde der Region Osnabrück",
        ),
        (
            {"title": "x" * 201},
            "title",
            "text-too-long",
            "Das Feld „title“ hat 201 Zeichen; erlaubt sind höchstens 200.",
        ),
        (
            {"description": "y" * 4001},
            "description",
            "text-too-long",
            "Das Feld „description“ hat 4001 Zeichen; erlaubt sind höchstens 4000.",
        ),
        ({"title": "   "}, "title", "field-required", "Bitte füllen Sie das Feld „title“ aus."),
        (
            {"certificate_expected": "diplom"},
            "certificate_expected",
            "unknown-certificate",
            "„diplom“ ist kein bekannter Schulabschluss.",
        ),
        ({"how_to_apply": {}}, "how_to_apply", "no-way-to-apply", "Bitte geben Sie an, wie man sich bewirbt"),
        (
            {"how_to_apply": {"url": "www.betrieb.example"}},
            "how_to_apply.url",
            "invalid-url",
            "„www.betrieb.example“ ist keine Internetadresse",
        ),
        (
            {"lat": 53.55, "lon": 9.99},  # Hamburg
            "lat",
            "coordinates-outside-place",
            "km von Osnabrück entfernt",
        ),
    ],
)
async def test_each_rule_has_its_own_problem_and_german_text(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    overrides: dict[str, Any],
    field: str,
    problem: str,
    german: str,
) -> None:
    body = await rejected(client, headers, offer_body(**overrides))
    assert len(body["errors"]) == 1, body["errors"]
    error = body["errors"][0]
    assert error["field"] == field
    assert error["type"] == f"/problems/{problem}"
    assert german in error["detail_de"]
    assert german in body["detail_de"]
    assert error["detail"] and error["detail"] != error["detail_de"]


async def test_a_start_after_the_expiry_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    start = today() + timedelta(days=60)
    expires = (now() + timedelta(days=10)).isoformat()
    body = await rejected(client, headers, offer_body(start_date=start.isoformat(), expires_at=expires))
    assert [error["type"] for error in body["errors"]] == ["/problems/start-after-expiry"]
    assert f"bevor es am {start.isoformat()} beginnt" in body["errors"][0]["detail_de"]


async def test_every_problem_is_reported_at_once(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = await rejected(
        client,
        headers,
        offer_body(profession="astronaut", municipality="Berlin", start_date="2020-08-01", title="z" * 300),
    )
    assert sorted(error["field"] for error in body["errors"]) == [
        "municipality",
        "profession",
        "start_date",
        "title",
    ]


async def test_nothing_is_saved_when_an_offer_is_rejected(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    await rejected(client, headers, offer_body(municipality="Berlin"))
    assert (await client.get("/api/v1/company/offers", headers=headers)).json()["total"] == 0


async def test_wrong_types_are_invalid_requests(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/company/offers", json=offer_body(kind="job", places=0, start_date="soon"), headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/invalid-request"
    assert {"body.kind", "body.places", "body.start_date"} <= {error["field"] for error in body["errors"]}


async def test_an_update_checks_only_what_it_changes(
    client: httpx.AsyncClient, headers: dict[str, str], company: Company, make_offer: OfferFactory
) -> None:
    # An offer that has started already: its description can still be edited.
    running = make_offer(
        company, start_date=today() - timedelta(days=10), expires_at=now() + timedelta(days=5)
    )
    path = f"/api/v1/company/offers/{running.id}"
    ok = await client.patch(path, json={"description": "Neue Beschreibung"}, headers=headers)
    assert ok.status_code == 200, ok.text
    moved = await client.patch(path, json={"start_date": "2020-01-01"}, headers=headers)
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["type"] == "/problems/start-date-in-past"
    late = await client.patch(
        path, json={"expires_at": (now() + timedelta(days=400)).isoformat(), "title": ""}, headers=headers
    )
    assert [error["field"] for error in late.json()["errors"]] == ["title"]


async def test_reopening_an_expired_offer_needs_a_new_expiry(
    client: httpx.AsyncClient, headers: dict[str, str], company: Company, make_offer: OfferFactory
) -> None:
    offer = make_offer(company, status="filled", expires_at=now() - timedelta(days=1), start_date=None)
    path = f"/api/v1/company/offers/{offer.id}"
    refused = await client.patch(path, json={"status": "active"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["type"] == "/problems/expiry-in-past"
    later = (now() + timedelta(days=30)).isoformat()
    reopened = await client.patch(path, json={"status": "active", "expires_at": later}, headers=headers)
    assert reopened.status_code == 200 and reopened.json()["status"] == "active"


async def test_a_place_given_by_postcode_and_coordinates_nearby_are_accepted(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/company/offers",
        json=offer_body(municipality="49610", lat=52.68, lon=7.96),  # Quakenbrück, a street away
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["place"]["slug"] == "quakenbrueck"
    assert (response.json()["lat"], response.json()["lon"]) == (52.68, 7.96)
