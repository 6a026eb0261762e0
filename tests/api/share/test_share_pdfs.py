"""The PDFs of sharing: a pupil's result (service token, or a short-lived link) and the class
overview (aggregates only, nothing under k). Text extracted with pypdf and checked; tagged, with
the document language."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.share import service
from api.share.class_pdf import overview_context
from api.share.models import ResultLink

RESULT_PDF = "/api/v1/share/result.pdf"
LINKS = "/api/v1/share/result-links"


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


def catalog(document: bytes) -> Any:
    root: Any = PdfReader(io.BytesIO(document)).trailer["/Root"]
    return root


def assert_tagged(document: bytes, language: str) -> None:
    root = catalog(document)
    assert root["/Lang"] == language
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])


def structure_alts(document: bytes) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(catalog(document)["/StructTreeRoot"])
    return found


@pytest.fixture
def pupil_result(save_result: Any) -> Any:
    return save_result("pupil-1")


@pytest.mark.usefixtures("pupil_result")
async def test_the_result_pdf_has_chart_suggestions_reasons_and_next_steps(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    response = await client.get(RESULT_PDF, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="mein-ergebnis.pdf"' in response.headers["content-disposition"]
    document = response.content
    assert_tagged(document, "de")
    text = " ".join(text_of(document).split())
    assert "Mein Ergebnis im Berufswahl-Check" in text
    assert "Dein Interessen-Code: SCI" in text
    assert "Deine stärksten Interessen" in text
    assert "Medizinische" in text  # the best suggestion for S, C, I
    assert "Warum:" in text
    assert "Deine nächsten Schritte" in text
    assert "Für deinen Berufswahlpass" in text
    assert "pupil-1" not in text
    alts = structure_alts(document)
    assert any(alt.startswith("Sozial: 90") for alt in alts), alts  # the chart's text alternative


@pytest.mark.usefixtures("pupil_result")
async def test_the_result_pdf_in_english(client: httpx.AsyncClient, service_auth: dict[str, str]) -> None:
    response = await client.get(
        RESULT_PDF, params={"pupil_ref": "pupil-1", "lang": "en"}, headers=service_auth
    )
    document = response.content
    assert_tagged(document, "en")
    text = " ".join(text_of(document).split())
    assert "My result in the career-choice check" in text
    assert "Medical assistant" in text
    assert "For your Berufswahlpass" in text


async def test_no_result_no_pdf_and_the_token_is_needed(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    missing = await client.get(RESULT_PDF, params={"pupil_ref": "nobody"}, headers=service_auth)
    assert missing.status_code == 404
    unauthorised = await client.get(RESULT_PDF, params={"pupil_ref": "pupil-1"})
    assert unauthorised.status_code == 401
    link = await client.post(LINKS, json={"pupil_ref": "nobody"}, headers=service_auth)
    assert link.status_code == 404


@pytest.mark.usefixtures("pupil_result")
async def test_a_link_opens_the_pdf_until_it_expires_and_holds_no_pseudonym(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session
) -> None:
    created = await client.post(LINKS, json={"pupil_ref": "pupil-1", "language": "en"}, headers=service_auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"].startswith("https://berufslotse.example/api/v1/share/results/")
    assert "pupil-1" not in body["url"]
    assert body["filename"] == "my-result.pdf"
    path = body["url"].removeprefix("https://berufslotse.example")
    opened = await client.get(path)
    assert opened.status_code == 200
    assert_tagged(opened.content, "en")
    assert "pupil-1" not in session.scalars(select(ResultLink.token_hash)).one()

    link = session.scalars(select(ResultLink)).one()
    link.expires_at = link.created_at - timedelta(seconds=1)
    session.flush()
    expired = await client.get(path)
    assert expired.status_code == 404
    assert expired.json()["type"].endswith("/result-link-expired")
    assert (await client.get("/api/v1/share/results/" + "x" * 43 + ".pdf")).status_code == 404
    assert service.purge_result_links(session) == 1


@pytest.mark.usefixtures("pupil_result")
async def test_privacy_deletion_ends_the_links(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session
) -> None:
    await client.post(LINKS, json={"pupil_ref": "pupil-1"}, headers=service_auth)
    await client.delete("/api/v1/privacy/conversations/pupil-1", headers=service_auth)
    assert session.scalar(select(func.count()).select_from(ResultLink)) == 0


OVERVIEW: dict[str, Any] = {
    "name": "9b Berufsorientierung",
    "school": "Oberschule Bramsche",
    "grade": "9",
    "held_on": "2026-12-06",
    "min_group": 5,
    "joined": 27,
    "in_check": 3,
    "finished": 24,
    "profile": [
        {"code": "S", "name": "Sozial", "mean_score": 61.5, "top_count": 9},
        {"code": "R", "name": "Praktisch", "mean_score": 55.0, "top_count": 7},
        {"code": "A", "name": "Kreativ", "mean_score": 40.0, "top_count": 3},
    ],
    "occupations": [
        {"key": "pflegefachmann", "name": "Pflegefachmann/-frau", "count": 11},
        {"key": "tischler", "name": "Tischler/in", "count": 4},
    ],
    "fields": [{"key": "8", "name": "Gesundheit, Soziales", "count": 14}],
    "topics": [
        {"key": "pay", "name": "Wie viel verdient man?", "count": 8},
        {"key": "apply", "name": "Wie bewerbe ich mich?", "count": 2},
    ],
}


def test_the_class_overview_pdf_shows_aggregates_of_at_least_k_only() -> None:
    document = service.class_overview_pdf(OVERVIEW, "de")
    assert_tagged(document, "de")
    text = " ".join(text_of(document).split())
    assert "Klassenübersicht: 9b Berufsorientierung" in text
    assert "Oberschule Bramsche · Klasse 9 · 06.12.2026" in text
    assert "27 3 24" in text
    assert "Sozial" in text and "62" in text and "Praktisch" in text
    assert "Pflegefachmann/-frau 11" in text
    assert "Tischler" not in text  # suggested to 4 pupils: under k
    assert "Wie viel verdient man? 8" in text
    assert "Wie bewerbe ich mich?" not in text
    assert "weniger als 5" in text


def test_a_small_class_shows_counts_but_no_profile() -> None:
    small = {**OVERVIEW, "joined": 4, "in_check": 0, "finished": 4, "topics": None}
    context = overview_context(small, "en")
    assert context["profile"] is None and context["occupations"] == [] and context["fields"] == []
    text = " ".join(text_of(service.class_overview_pdf(small, "en")).split())
    assert "Too few finished checks yet (fewer than 5)" in text
    assert "Pflegefachmann" not in text and "Sozial" not in text


def test_k_is_never_lowered_below_five() -> None:
    context = overview_context({**OVERVIEW, "min_group": 2}, "de")
    assert context["k"] == 5
    kreativ = next(row for row in context["profile"] if row["name"] == "Kreativ")
    assert kreativ["top_count"] is None  # strongest for 3 pupils: not shown
