"""The quarterly report: a tagged PDF whose text holds the same figures and definitions as the page."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.dashboard.charts import format_number
from api.dashboard.report import previous_quarter, quarter_period
from api.dashboard.view import today_local
from api.monitoring.schemas import DemoFilter
from api.monitoring.service import interest_supply


def fmt(value: float | None) -> str:
    return format_number(value, "de", 0)


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def test_the_quarterly_report_is_a_tagged_pdf_with_the_figures(
    district: httpx.AsyncClient, dashboard_engine: Engine, dashboard_settings: Settings
) -> None:
    quarter = previous_quarter(today_local())
    response = await district.get("/district/report.pdf", params={"quarter": quarter, "data": "only"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="berufslotse-quartalsbericht-{quarter}.pdf"' in response.headers["content-disposition"]
    reader, text = pdf_text(response.content)
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert (
        reader.metadata is not None
        and reader.metadata.title == f"Quartalsbericht Bildungsmonitoring {quarter}"
    )
    words = flat(text)
    assert "DEMO-DATEN" in words
    assert "Interessen im Lauf der Zeit" in words
    assert "Berufsbereiche: Interesse und Plätze" in words
    assert "Karte der Städte und Gemeinden" in words
    assert "Andere Quelle:" in words and "Bundesagentur für Arbeit" in words
    assert "Angebots-Nachfrage-Relation" in words  # the BIBB definition
    assert "Begriffe" in words and "Mindestzahl" in words
    assert "Schuljahr" not in words.split("Begriffe")[0]  # a quarter is no school year

    # the same figures as the statistics publish for the quarter (the page's source)
    with Session(dashboard_engine) as session:
        report = interest_supply(
            session, dashboard_settings, period=quarter_period(quarter), demo=DemoFilter.ONLY
        )
    cells = {(cell.field, cell.area): cell for cell in report.cells}
    total = cells[("all", "landkreis-osnabrueck")]
    assert total.interested is not None and total.interested >= 10
    key_line = f"{fmt(total.interested)} {fmt(total.offers)} {fmt(total.places)} {fmt(total.ratio)}"
    assert key_line in words
    health = cells[("8", "landkreis-osnabrueck")]
    assert f"Gesundheit, Soziales und Erziehung {fmt(health.interested)} {fmt(health.offers)}" in words


async def test_the_report_in_english(district: httpx.AsyncClient) -> None:
    response = await district.get("/district/report.pdf", params={"quarter": "2026-Q3", "lang": "en"})
    reader, text = pdf_text(response.content)
    english_root: Any = reader.trailer["/Root"]
    assert english_root["/Lang"] == "en"
    words = flat(text)
    assert "Quarterly education monitoring report 2026-Q3" in words
    assert "Different source:" in words


async def test_a_wrong_quarter_is_explained(district: httpx.AsyncClient) -> None:
    response = await district.get("/district/report.pdf", params={"quarter": "2026-Q5"})
    assert response.status_code == 422
    assert "2026-Q4" in response.text


def test_quarters() -> None:
    from datetime import date

    assert previous_quarter(date(2026, 12, 6)) == "2026-Q3"
    assert previous_quarter(date(2027, 2, 1)) == "2026-Q4"
    period = quarter_period("2026-Q4")
    assert (period.start, period.end) == (date(2026, 10, 1), date(2027, 1, 1))


def test_the_page_offers_the_last_four_quarters() -> None:
    from datetime import date

    from api.dashboard.report import recent_quarters

    assert recent_quarters(date(2026, 12, 6)) == ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"]


def test_a_quarter_is_named_as_a_quarter() -> None:
    from api.dashboard.view import period_label
    from api.monitoring.periods import school_year_period

    t = {"period_school_year": "Schuljahr {label}", "period_all": "Gesamt"}
    assert period_label(quarter_period("2026-Q4"), t) == "2026-Q4"
    assert period_label(school_year_period(2026), t) == "Schuljahr 2026/27"
