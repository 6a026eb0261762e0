"""The district's dashboard: GET /district (the page), /district/export.csv and .json (the figures
of the current selection, as downloads) and /district/report.pdf?quarter=2026-Q4 (the quarterly
report). Only accounts of the role `district` get in; the filters are a plain GET form, so every
view has its own address and works without script.

Pages, not API: they are left out of the OpenAPI document; the district's own tools use the
documented endpoints of api/monitoring (/api/v1/statistics/...), which publish the same figures.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.accounts.dependencies import SignedIn, require_role
from api.accounts.models import Role
from api.core.config import SettingsDep
from api.core.db import SessionDep
from api.core.pages import pick_language
from api.dashboard import report, view
from api.dashboard.charts import RIASEC
from api.dashboard.pages import pages

router = APIRouter(include_in_schema=False)

DistrictDep = Annotated[SignedIn, Depends(require_role(Role.DISTRICT))]
FilterValue = Annotated[str, Query(max_length=120)]
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _board(
    request: Request, session: SessionDep, settings: SettingsDep, language: str
) -> tuple[view.Dashboard, dict[str, str]]:
    t = pages.strings(language)
    has_real, has_demo = view.signals_present(session)
    query = {key: str(value) for key, value in request.query_params.items()}
    filters, _ = view.read_filters(query, has_real=has_real, has_demo=has_demo, today=view.today_local())
    board = view.build_dashboard(
        session, settings, filters, t, language, has_real=has_real, has_demo=has_demo
    )
    return board, t


def template_values(board: view.Dashboard, t: dict[str, str]) -> dict[str, Any]:
    """What the page and the report templates share: charts, summaries, labels, number format."""
    language = board.language

    def fmt(value: float | None, digits: int = 0, missing: str = "–") -> str:
        return view.fmt(value, language, digits, missing)

    chosen = [c.label for c in board.field_choices if c.value == board.filters.field]
    field_text = chosen[0] if chosen else t["all_fields"]
    market_rows = list(getattr(board.market, "figures", None) or getattr(board.market, "rows", None) or [])
    return {
        "board": board,
        "fmt": fmt,
        "riasec": RIASEC,
        "period_text": view.period_label(board.filters.period, t),
        "field_text": field_text,
        "market_rows": market_rows,
        "profile_summary": view.profile_summary(board, t),
        "fields_summary": view.fields_summary(board, t),
        "map_summary": view.map_summary(board, t),
        **view.render_charts(board, t),
    }


@router.get("/district", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    person: DistrictDep,
    period: FilterValue = "",
    field: FilterValue = "",
    area: FilterValue = "",
    data: FilterValue = "",
) -> HTMLResponse:
    language = pick_language(request)
    board, t = _board(request, session, settings, language)
    query = board.filters.query(**({"lang": language} if language != "de" else {}))
    quarters = report.recent_quarters(view.today_local())
    return pages.render(
        request,
        "district.html",
        signed_in=person,
        export_csv=f"/district/export.csv?{urlencode(query)}",
        export_json=f"/district/export.json?{urlencode(query)}",
        report_links=[
            (quarter, f"/district/report.pdf?{urlencode({**query, 'quarter': quarter})}")
            for quarter in quarters
        ],
        **template_values(board, t),
    )


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _filename(board: view.Dashboard, extension: str) -> str:
    label = re.sub(r"[^0-9A-Za-z-]+", "-", board.filters.period.label).strip("-")
    demo = "" if board.filters.demo == "exclude" else f"-demo-{board.filters.demo}"
    return f"berufslotse-monitoring-{label}-{board.filters.area}{demo}.{extension}"


@router.get("/district/export.csv")
def export_csv(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    person: DistrictDep,
    period: FilterValue = "",
    field: FilterValue = "",
    area: FilterValue = "",
    data: FilterValue = "",
) -> Response:
    """Interest next to supply of the selection (every field and area of the period) as CSV."""
    board, _ = _board(request, session, settings, pick_language(request))
    supply = view.supply_report(session, settings, board.filters)
    return _download(view.supply_csv(supply, board), "text/csv; charset=utf-8", _filename(board, "csv"))


@router.get("/district/export.json")
def export_json(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    person: DistrictDep,
    period: FilterValue = "",
    field: FilterValue = "",
    area: FilterValue = "",
    data: FilterValue = "",
) -> Response:
    """The same figures as the page: interest next to supply, the profile by month, the market."""
    board, _ = _board(request, session, settings, pick_language(request))
    document = view.export_document(session, settings, board)
    return _download(
        json.dumps(document, ensure_ascii=False, indent=2, default=str),
        "application/json",
        _filename(board, "json"),
    )


@router.get("/district/report.pdf")
def quarterly_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    person: DistrictDep,
    quarter: Annotated[str, Query(max_length=10)] = "",
    area: FilterValue = "",
    data: FilterValue = "",
) -> Response:
    """The quarterly report as a tagged PDF (PDF/UA-1): the same figures and definitions."""
    language = pick_language(request)
    t = pages.strings(language)
    today = view.today_local()
    chosen = quarter or report.previous_quarter(today)
    if not QUARTER.match(chosen):
        message = t["report_error_quarter"]
        return pages.render(request, "message.html", status=422, signed_in=person, message=message)
    content = report.render_quarterly(
        session, settings, chosen, language, area=area or view.DISTRICT_AREA, demo=data, today=today
    )
    return _download(content, "application/pdf", f"berufslotse-quartalsbericht-{chosen}.pdf")
