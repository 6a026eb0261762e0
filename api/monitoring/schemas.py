"""Shapes of the monitoring's statistics (docs/monitoring.md has the definitions)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from api.monitoring.areas import AreaLevel
from api.monitoring.periods import PeriodKind


class DemoFilter(StrEnum):
    EXCLUDE = "exclude"  # real signals and offers only (the default)
    INCLUDE = "include"  # real and demo together
    ONLY = "only"  # demo only (the dashboard's demo mode)


class Mismatch(StrEnum):
    MANY_INTERESTED_FEW_PLACES = "many_interested_few_places"
    FEW_INTERESTED_MANY_PLACES = "few_interested_many_places"


class PeriodPublic(BaseModel):
    kind: PeriodKind
    label: str = Field(description="2026-11, 2026/27 (school year, August to July) or all")
    start: date
    end: date = Field(description="The first day after the period")


class AreaPublic(BaseModel):
    id: str = Field(
        description="A municipality or Samtgemeinde slug, landkreis-osnabrueck, region or unknown"
    )
    name_de: str
    name_en: str
    level: AreaLevel
    parent: str | None
    lat: float | None = None
    lon: float | None = None


class FieldPublic(BaseModel):
    code: str = Field(description="KldB 2010 Berufsbereich (first digit), or 'all'")
    name_de: str = Field(description="The official name of the Berufsbereich (KldB 2010, Fassung 2020)")
    name_en: str


class InterestSupplyCell(BaseModel):
    field: str = Field(description="KldB Berufsbereich or 'all'")
    area: str
    interested: int | None = Field(
        description="Distinct pupils who showed interest in the field in the area and period; "
        "null when suppressed (fewer than k pupils, or hidden so that such a cell cannot be recovered)"
    )
    suppressed: bool
    offers: int = Field(description="Offers of the exchange open at some time in the period")
    places: int = Field(description="Training places of those offers")
    ratio: float | None = Field(
        description="Places per 100 interested pupils (null when `interested` is suppressed or 0)"
    )
    relative_ratio: float | None = Field(
        description="`ratio` divided by the ratio of all fields in the same area (null when either is null)"
    )
    mismatch: Mismatch | None


class InterestSupplyReport(BaseModel):
    period: PeriodPublic
    k: int = Field(description="Every published count rests on at least k distinct pupils")
    demo: DemoFilter
    fields: list[FieldPublic]
    areas: list[AreaPublic]
    cells: list[InterestSupplyCell]
    thresholds: dict[str, float]
    note: str


class ProfileMonth(BaseModel):
    month: str = Field(description="YYYY-MM")
    contributors: int | None = Field(
        description="Distinct pupils with a completed check; null when suppressed"
    )
    mean_scores: dict[str, float | None] = Field(description="R, I, A, S, E, C: mean of the rounded scores")
    handoffs: int | None = Field(description="Hand-offs to the region's advisers (all areas); null when < k")


class InterestProfileReport(BaseModel):
    area: AreaPublic
    k: int
    demo: DemoFilter
    months: list[ProfileMonth]


class TopInterest(BaseModel):
    code: str = Field(description="Occupation slug or topic code")
    kind: str = Field(description="profession or topic")
    contributors: int


class TopInterestsReport(BaseModel):
    period: PeriodPublic
    k: int
    demo: DemoFilter
    items: list[TopInterest] = Field(description="Only items with at least k distinct pupils, most first")


class MarketFigure(BaseModel):
    report_year: str = Field(
        description="Counting year of the Bundesagentur für Arbeit (1 October - 30 September)"
    )
    area: str
    measure: str
    value: float
    unit: str
    as_of: date
    source: str


class MarketFigures(BaseModel):
    source_label: str
    definitions: dict[str, str]
    figures: list[MarketFigure]
    places_per_100_applicants: dict[str, float] = Field(
        description="Registered places per 100 registered applicants, Agenturbezirk, per report year "
        "(derived here; not the BIBB ANR, which needs contract counts)"
    )
