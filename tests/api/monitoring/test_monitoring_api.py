"""The district's statistics over HTTP: who may read them, JSON and CSV, filters, OpenAPI."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
import pytest

from api.monitoring.synthetic import SyntheticPupil
from tests.api.monitoring.conftest import ADMIN_TOKEN, SERVICE_TOKEN, K

SUPPLY = "/api/v1/statistics/interest-supply"
ENDPOINTS = [
    SUPPLY + "?period=2025/26",
    "/api/v1/statistics/interest-profile?from=2025-08&to=2026-07",
    "/api/v1/statistics/top-interests?period=all",
    "/api/v1/statistics/market",
]
JSON = {"Accept": "application/json"}


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "status", "problem"),
    [
        ("nobody", 401, "/problems/sign-in-required"),
        ("pupil service token", 401, "/problems/unauthorized"),
        ("advisor", 403, "/problems/forbidden"),
        ("company", 403, "/problems/forbidden"),
        ("admin", 403, "/problems/forbidden"),  # roles do not nest: the admin account is not the district
        ("district", 200, None),
        ("admin token", 200, None),
    ],
)
async def test_only_the_district_reads_the_statistics(
    client: httpx.AsyncClient,
    signed_in_as: Callable[[str], None],
    region: object,
    path: str,
    who: str,
    status: int,
    problem: str | None,
) -> None:
    headers = dict(JSON)
    if who == "pupil service token":
        headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
    elif who == "admin token":
        headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
    elif who != "nobody":
        signed_in_as(who)
    response = await client.get(path, headers=headers)
    assert response.status_code == status, response.text
    if problem is not None:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == problem


async def test_a_pupils_service_token_does_not_open_the_statistics_even_with_a_district_session(
    client: httpx.AsyncClient, signed_in_as: Callable[[str], None], region: object
) -> None:
    signed_in_as("district")
    response = await client.get(SUPPLY, headers={"Authorization": f"Bearer {SERVICE_TOKEN}", **JSON})
    assert response.status_code == 401


async def test_json_and_csv_say_the_same(
    client: httpx.AsyncClient, signed_in_as: Callable[[str], None], recorded: list[SyntheticPupil]
) -> None:
    signed_in_as("district")
    body = (await client.get(SUPPLY, params={"period": "2025/26", "area": "melle"})).json()
    assert body["k"] == K and body["period"]["label"] == "2025/26"
    assert {cell["area"] for cell in body["cells"]} == {"melle"}
    exported = await client.get(SUPPLY, params={"period": "2025/26", "area": "melle", "format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="interest-supply-2025-26.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == len(body["cells"]) == 10
    for row, cell in zip(rows, body["cells"], strict=True):
        assert row["field"] == cell["field"]
        assert row["interested"] == ("" if cell["interested"] is None else str(cell["interested"]))
        assert row["suppressed"] == ("yes" if cell["suppressed"] else "no")
    assert any(row["suppressed"] == "yes" for row in rows)  # Melle has small fields in the population

    profile = await client.get(
        "/api/v1/statistics/interest-profile", params={"from": "2025-08", "to": "2025-09", "format": "csv"}
    )
    assert profile.text.splitlines()[0] == "month,area,contributors,R,I,A,S,E,C,handoffs,k"
    assert len(profile.text.splitlines()) == 3
    market = await client.get("/api/v1/statistics/market", params={"format": "csv"})
    assert "Angebots" not in market.text.splitlines()[0] and "another source" in market.text


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"period": "2025-13"}, "period"),
        ({"period": "letztes"}, "period"),
        ({"field": "0"}, "field"),
        ({"area": "atlantis"}, "area"),
    ],
)
async def test_unknown_filters_are_problems(
    client: httpx.AsyncClient,
    signed_in_as: Callable[[str], None],
    region: object,
    query: dict[str, str],
    name: str,
) -> None:
    signed_in_as("district")
    response = await client.get(SUPPLY, params=query)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-filter"
    assert name in response.json()["detail"]


async def test_the_old_admin_statistics_still_work_with_the_admin_token(
    client: httpx.AsyncClient, region: object
) -> None:
    response = await client.get(
        "/api/v1/statistics/interests", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert response.status_code == 200
    assert (await client.get("/api/v1/statistics/interests")).status_code == 401


async def test_the_endpoints_are_documented(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for name in ("InterestSupplyReport", "InterestSupplyCell", "InterestProfileReport", "MarketFigures"):
        assert name in schemas
    supply = document["paths"][SUPPLY]["get"]
    assert {parameter["name"] for parameter in supply["parameters"]} >= {
        "period",
        "field",
        "area",
        "format",
        "demo",
    }
    content = supply["responses"]["200"]["content"]
    assert "text/csv" in content
    assert content["application/json"]["schema"]["$ref"].endswith("InterestSupplyReport")
    assert "interested" in schemas["InterestSupplyCell"]["properties"]
    assert "/api/v1/signals/handoffs" in document["paths"]
