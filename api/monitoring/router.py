"""The district's statistics (role `district`, or the admin token) and the action server's hand-off signal.

GET  /api/v1/statistics/interest-supply?period=&field=&area=&demo=&format=json|csv
GET  /api/v1/statistics/interest-profile?from=YYYY-MM&to=YYYY-MM&area=&demo=&format=
GET  /api/v1/statistics/top-interests?period=&kind=profession|topic&demo=&format=
GET  /api/v1/statistics/market?report_year=&format=
POST /api/v1/signals/handoffs                      service token
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel

from api.auth.dependencies import require_service
from api.core.config import SettingsDep
from api.core.db import SessionDep
from api.core.errors import InvalidFilterError
from api.monitoring import export, service, signals
from api.monitoring.areas import AreaTree
from api.monitoring.dependencies import require_district
from api.monitoring.periods import Period, PeriodError, parse_month, parse_period
from api.monitoring.schemas import (
    DemoFilter,
    InterestProfileReport,
    InterestSupplyReport,
    MarketFigures,
    TopInterestsReport,
)

router = APIRouter(prefix="/api/v1", tags=["monitoring"])

CSV_TYPE = "text/csv; charset=utf-8"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}
}


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


Format = Annotated[ExportFormat, Query(description="json (default) or csv")]
Demo = Annotated[
    DemoFilter, Query(description="exclude demo signals and offers (default), include them, or only")
]
PeriodQuery = Annotated[
    str, Query(max_length=10, description="YYYY-MM (a month), YYYY/YY (a school year, August-July) or all")
]


def _wants_csv(request: Request, format: ExportFormat) -> bool:
    return format is ExportFormat.CSV or request.headers.get("accept", "").startswith("text/csv")


def _csv_response(text: str, name: str) -> Response:
    return Response(
        content=text,
        media_type=CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError:
        raise InvalidFilterError("period", text, ["YYYY-MM", "YYYY/YY", "all"]) from None


def _month(name: str, text: str) -> date:
    try:
        return parse_month(text)
    except PeriodError:
        raise InvalidFilterError(name, text, ["YYYY-MM"]) from None


def _check_area(session: SessionDep, area: str | None) -> None:
    if area is None:
        return
    tree = AreaTree.load(session)
    if area not in tree.areas:
        raise InvalidFilterError("area", area, sorted(tree.areas))


@router.get(
    "/statistics/interest-supply",
    response_model=InterestSupplyReport,
    dependencies=[Depends(require_district)],
    responses=CSV_RESPONSE,
)
def interest_supply(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    period: PeriodQuery = "all",
    field: Annotated[str | None, Query(max_length=3, description="KldB Berufsbereich 1-9, or all")] = None,
    area: Annotated[
        str | None, Query(max_length=140, description="An area id (see `areas` of the answer)")
    ] = None,
    demo: Demo = DemoFilter.EXCLUDE,
    format: Format = ExportFormat.JSON,
) -> InterestSupplyReport | Response:
    """Pupils interested per occupational field and area next to the exchange's offers and places,
    k-anonymous with complementary suppression (docs/monitoring.md)."""
    if field is not None and field not in (service.ALL_FIELDS, *service.FIELD_CODES):
        raise InvalidFilterError("field", field, [service.ALL_FIELDS, *service.FIELD_CODES])
    _check_area(session, area)
    report = service.interest_supply(
        session, settings, period=_period(period), field=field, area=area, demo=demo
    )
    if _wants_csv(request, format):
        return _csv_response(
            export.interest_supply_csv(report), f"interest-supply-{report.period.label.replace('/', '-')}"
        )
    return report


@router.get(
    "/statistics/interest-profile",
    response_model=InterestProfileReport,
    dependencies=[Depends(require_district)],
    responses=CSV_RESPONSE,
)
def interest_profile(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    start: Annotated[str, Query(alias="from", max_length=7, description="First month, YYYY-MM")],
    end: Annotated[
        str, Query(alias="to", max_length=7, description="Last month, YYYY-MM (at most 36 after from)")
    ],
    area: Annotated[str | None, Query(max_length=140, description="An area id; default the region")] = None,
    demo: Demo = DemoFilter.EXCLUDE,
    format: Format = ExportFormat.JSON,
) -> InterestProfileReport | Response:
    """Per month: pupils with a completed check and the mean of their six interest scores."""
    first, last = _month("from", start), _month("to", end)
    if last < first or (last.year - first.year) * 12 + last.month - first.month > 36:
        raise InvalidFilterError("to", end, ["a month from `from` up to 36 months later"])
    _check_area(session, area)
    report = service.interest_profile(session, settings, start=first, end=last, area=area, demo=demo)
    if _wants_csv(request, format):
        return _csv_response(export.interest_profile_csv(report), "interest-profile")
    return report


class TopKind(StrEnum):
    PROFESSION = "profession"
    TOPIC = "topic"


@router.get(
    "/statistics/top-interests",
    response_model=TopInterestsReport,
    dependencies=[Depends(require_district)],
    responses=CSV_RESPONSE,
)
def top_interests(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    period: PeriodQuery = "all",
    kind: TopKind = TopKind.PROFESSION,
    demo: Demo = DemoFilter.EXCLUDE,
    format: Format = ExportFormat.JSON,
) -> TopInterestsReport | Response:
    """The occupations (or topics) most pupils asked about; each with at least k pupils."""
    report = service.top_interests(session, settings, period=_period(period), kind=kind.value, demo=demo)
    if _wants_csv(request, format):
        return _csv_response(export.top_interests_csv(report), f"top-{kind.value}s")
    return report


@router.get(
    "/statistics/market",
    response_model=MarketFigures,
    dependencies=[Depends(require_district)],
    responses=CSV_RESPONSE,
)
def market(
    request: Request,
    report_year: Annotated[str | None, Query(max_length=7, description="e.g. 2023/24")] = None,
    format: Format = ExportFormat.JSON,
) -> MarketFigures | Response:
    """The official training market figures of the Agentur für Arbeit Osnabrück: another source,
    with the BIBB definitions, to read beside (never to mix with) Berufslotse's signals."""
    figures = service.market_figures(report_year)
    if _wants_csv(request, format):
        return _csv_response(export.market_csv(figures), "ausbildungsmarkt-osnabrueck")
    return figures


class HandoffRecorded(BaseModel):
    recorded: bool


@router.post(
    "/signals/handoffs",
    response_model=HandoffRecorded,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_service)],
)
def record_handoff(session: SessionDep) -> HandoffRecorded:
    """The action server reports that a pupil was handed off to a person (counted, nothing else)."""
    signals.record_handoff(session)
    return HandoffRecorded(recorded=True)
