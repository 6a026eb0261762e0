"""Bad input at the API's edge: numbers beyond any list are a 422 problem (never a 500), every
answer carries the security headers, and authenticated answers are never cached."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from api.companies.models import Company
from api.core.errors import PROBLEM_MEDIA_TYPE
from api.core.schemas import MAX_OFFSET
from tests.api.exchange.support import CompanyFactory, bearer

HUGE_NUMBERS = [str(2**63), str(2**64), "9" * 40, str(MAX_OFFSET + 1)]
PUBLIC_LISTS = ["/api/v1/professions", "/api/v1/offers", "/api/v1/matches?R=50"]
COMPANY_LISTS = ["/api/v1/company/offers", "/api/v1/company/contact-requests"]


def with_offset(path: str, offset: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}offset={offset}"


@pytest.mark.parametrize("offset", HUGE_NUMBERS)
@pytest.mark.parametrize("path", PUBLIC_LISTS)
async def test_an_offset_beyond_any_list_is_a_422_problem(
    client: httpx.AsyncClient, path: str, offset: str
) -> None:
    answer = await client.get(with_offset(path, offset))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert answer.json()["errors"][0]["field"] == "offset"


@pytest.mark.parametrize("offset", HUGE_NUMBERS)
@pytest.mark.parametrize("path", COMPANY_LISTS)
async def test_company_lists_refuse_huge_offsets_too(
    client: httpx.AsyncClient,
    make_company: CompanyFactory,
    issue_key: Callable[[Company], str],
    path: str,
    offset: str,
) -> None:
    key = issue_key(make_company())
    answer = await client.get(with_offset(path, offset), headers=bearer(key))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE


async def test_the_last_allowed_offset_is_an_empty_page(client: httpx.AsyncClient, region: object) -> None:
    answer = await client.get(with_offset("/api/v1/professions", str(MAX_OFFSET)))
    assert answer.status_code == 200
    assert answer.json()["items"] == []


@pytest.mark.parametrize(
    "path", ["/healthz", "/api/v1/professions", "/api/v1/no-such-thing", "/openapi.json"]
)
async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


async def test_the_docs_page_may_load_its_scripts_but_not_be_framed(client: httpx.AsyncClient) -> None:
    answer = await client.get("/docs")
    policy = answer.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy and "frame-ancestors 'none'" in policy


async def test_authenticated_answers_are_never_cached(
    client: httpx.AsyncClient, make_company: CompanyFactory, issue_key: Callable[[Company], str]
) -> None:
    key = issue_key(make_company())
    answer = await client.get("/api/v1/company/offers", headers=bearer(key))
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    refused = await client.get("/api/v1/company/offers", headers=bearer("wrong"))
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"


async def test_the_document_lists_problems_as_they_are_sent(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("422", "500", "503"):
                assert PROBLEM_MEDIA_TYPE in responses[status]["content"], (method, path, status)
            if operation.get("security"):
                assert PROBLEM_MEDIA_TYPE in responses["401"]["content"], (method, path)
            if "{" in path:
                assert PROBLEM_MEDIA_TYPE in responses["404"]["content"], (method, path)
    png = spec["paths"]["/api/v1/charts/riasec.png"]["get"]["responses"]["200"]["content"]
    assert list(png) == ["image/png"]


async def chunks(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_body_over_the_limit_is_a_413_problem(
    client: httpx.AsyncClient, service_headers: dict[str, str]
) -> None:
    huge = json.dumps({"offer_id": 1, "pupil_ref": "x", "message": "x" * 5_000_000}).encode()
    headers = service_headers | {"Content-Type": "application/json"}
    for content in (huge, chunks(huge)):  # with a declared length, and chunked without one
        answer = await client.post("/api/v1/contact-requests", content=content, headers=headers)
        assert answer.status_code == 413
        assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert answer.json()["type"] == "/problems/request-too-large"
        assert answer.headers["x-content-type-options"] == "nosniff"


async def test_a_chunked_body_under_the_limit_goes_through(client: httpx.AsyncClient) -> None:
    body = json.dumps({"answers": {}}).encode()
    answer = await client.post(
        "/api/v1/check/score", content=chunks(body, 5), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code not in (413, 500)
    assert "request-too-large" not in answer.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/offers?profession=N%00P&near=melle",
        "/api/v1/professions?q=tisch%00ler",
        "/api/v1/professions/tisch%00ler",
        "/api/v1/search?q=holz%00",
    ],
)
async def test_a_nul_byte_in_the_path_or_query_is_a_422_problem_on_every_database(
    client: httpx.AsyncClient, url: str
) -> None:
    """PostgreSQL text cannot hold NUL: found by the schemathesis run on PostgreSQL (a 500)."""
    response = await client.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-request"
    assert body["errors"] and all(error["message"] == "NUL byte" for error in body["errors"])
    assert "x-content-type-options" in response.headers


async def test_a_nul_byte_in_a_json_body_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/check/score", json={"answers": {"r0\u0000": 4}})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": "body", "location": "body", "message": "NUL byte"}]
    # Without one, the body reaches the API untouched (here: no item bank loaded, its own problem).
    fine = await client.post("/api/v1/check/score", json={"answers": {"zz9": 4}})
    assert fine.json()["type"] == "/problems/check-unavailable"
