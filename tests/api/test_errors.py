"""Errors at the edge: every failure is application/problem+json with English and German text."""

from __future__ import annotations

import re
import string

import httpx

from api.core.errors import ProblemError, problem_catalogue
from api.professions.exceptions import ProfessionNotFoundError


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here", params={"a": "1"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "There is nothing at /api/v1/nothing-here. Please check the address.",
        "instance": "/api/v1/nothing-here?a=1",
        "detail_de": "Unter /api/v1/nothing-here gibt es nichts. Bitte prüfen Sie die Adresse.",
    }


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/professions")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/method-not-allowed"
    assert "POST" in body["detail"] and "POST" in body["detail_de"]
    assert response.headers["allow"] == "GET"


def test_every_problem_has_both_languages_and_matching_placeholders() -> None:
    catalogue = problem_catalogue()
    assert {"not-found", "invalid-request", "profession-not-found", "internal-error"} <= set(catalogue)
    formatter = string.Formatter()
    for name, text in catalogue.items():
        assert re.fullmatch(r"[a-z-]+", name)
        assert 400 <= text.status < 600
        assert text.title and text.detail_en and text.detail_de
        english = {field for _, field, _, _ in formatter.parse(text.detail_en) if field}
        german = {field for _, field, _, _ in formatter.parse(text.detail_de) if field}
        assert english == german, name


def test_named_exceptions_point_at_catalogue_entries() -> None:
    for exception in ProblemError.__subclasses__():
        assert exception.problem in problem_catalogue(), exception
    error = ProfessionNotFoundError("astronaut")
    assert str(error) == 'We do not know an occupation with the identifier "astronaut".'
