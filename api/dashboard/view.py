"""What the dashboard and the quarterly report show, computed once from the statistics of
api/monitoring: the filters, the interest profile by month, interest next to places per field,
the municipalities for the map, the mismatches and the official market figures.

This module only reshapes the statistics (which apply k-anonymity and complementary suppression);
it never reads a signal row itself, so nothing can reach the page that the API would not publish.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.models import utc_now
from api.dashboard import charts
from api.demo.service import LOCAL_ZONE
from api.geo.models import Municipality
from api.monitoring import service as statistics
from api.monitoring.models import CheckSignal, InterestSignal
from api.monitoring.periods import (
    ALL_TIME,
    Period,
    PeriodError,
    PeriodKind,
    add_months,
    month_period,
    month_start,
    parse_period,
    school_year_of,
    school_year_period,
)
from api.monitoring.schemas import DemoFilter
from api.professions.models import VocabularyTerm

DISTRICT_AREA = "landkreis-osnabrueck"
REGION_AREA = "region"
FIELDS = tuple("123456789")
DEMO_CHOICES = ("exclude", "only", "include")
PROFILE_MONTHS = 12
MONTH_ABBREVIATIONS = {
    "de": ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Filters:
    period: Period
    field: str | None  # KldB Berufsbereich, None: every field
    area: str  # an area id of api/monitoring (municipality or Samtgemeinde slug, district, region)
    demo: str  # exclude | only | include

    def query(self, **changes: str) -> dict[str, str]:
        values = {
            "period": self.period.label,
            "field": self.field or "",
            "area": self.area,
            "data": self.demo,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class FieldRow:
    code: str
    name: str
    interested: int | None
    suppressed: bool
    offers: int | None
    places: int | None
    ratio: float | None  # places per 100 interested pupils
    mismatch: str | None


@dataclass(frozen=True)
class AreaRow:
    slug: str
    name: str
    samtgemeinde: str | None
    lat: float | None
    lon: float | None
    interested: int | None
    suppressed: bool
    places: int | None
    ratio: float | None
    relative: float | None  # ratio / the region's ratio for the same field
    ratio_class: str


@dataclass(frozen=True)
class ProfileRow:
    month: date
    label: str
    contributors: int | None
    means: Mapping[str, float | None]


@dataclass
class Dashboard:
    filters: Filters
    k: int
    language: str
    profile: list[ProfileRow]
    fields: list[FieldRow]
    areas: list[AreaRow]
    total: FieldRow | None
    mismatches: list[FieldRow]
    market: Any
    type_names: dict[str, str]
    area_name: str
    has_real: bool
    has_demo: bool
    period_choices: list[tuple[str, list[Choice]]] = field(default_factory=list)
    field_choices: list[Choice] = field(default_factory=list)
    area_choices: list[tuple[str, list[Choice]]] = field(default_factory=list)


# --- filters ------------------------------------------------------------------------------------


def today_local() -> date:
    return utc_now().astimezone(LOCAL_ZONE).date()


def signals_present(session: Session) -> tuple[bool, bool]:
    """(real signals exist, demo signals exist)."""
    found: dict[bool, bool] = {True: False, False: False}
    for table in (CheckSignal, InterestSignal):
        for is_demo, count in session.execute(select(table.is_demo, func.count()).group_by(table.is_demo)):
            found[bool(is_demo)] = found[bool(is_demo)] or bool(count)
    return found[False], found[True]


def read_filters(
    query: Mapping[str, str], *, has_real: bool, has_demo: bool, today: date
) -> tuple[Filters, dict[str, str]]:
    """The filters of a request; unknown values fall back to the defaults (and are reported).

    Without a choice, the dashboard shows the current school year of the district, real data when
    there is any and otherwise the demo data (the page says which, in words, at the top)."""
    problems: dict[str, str] = {}
    period_text = query.get("period", "").strip()
    period = school_year_period(int(school_year_of(today)[:4]))
    if period_text:
        try:
            period = parse_period(period_text)
        except PeriodError:
            problems["period"] = period_text
    field_code = query.get("field", "").strip() or None
    if field_code is not None and field_code not in FIELDS:
        problems["field"] = field_code
        field_code = None
    area = query.get("area", "").strip() or DISTRICT_AREA
    demo = query.get("data", "").strip()
    if demo not in DEMO_CHOICES:
        if demo:
            problems["data"] = demo
        demo = "exclude" if has_real or not has_demo else "only"
    return Filters(period=period, field=field_code, area=area, demo=demo), problems


def profile_window(period: Period, today: date) -> tuple[date, date]:
    """The months the profile chart shows: the period's months up to this month; a single month
    is shown with the eleven before it; all time is the last 18 months."""
    current = month_start(today)
    if period.kind is PeriodKind.MONTH:
        return add_months(period.start, 1 - PROFILE_MONTHS), period.start
    if period.kind is PeriodKind.ALL:
        return add_months(current, -17), current
    return period.start, min(add_months(period.end, -1), current)


# --- labels -------------------------------------------------------------------------------------


def month_label(month: date, language: str) -> str:
    return f"{MONTH_ABBREVIATIONS[language][month.month - 1]} {month.year % 100:02d}"


def field_names(session: Session, language: str) -> dict[str, str]:
    rows = session.scalars(select(VocabularyTerm).where(VocabularyTerm.kind == "field"))
    names = {row.code: (row.label_de if language == "de" else row.label_en) for row in rows}
    return {code: names.get(code, code) for code in FIELDS}


def type_names(session: Session, language: str) -> dict[str, str]:
    from api.check.models import CheckType

    rows = session.scalars(select(CheckType).order_by(CheckType.position))
    names = {row.code: (row.short_de if language == "de" else row.short_en) for row in rows}
    return {code: names.get(code, code) for code in charts.RIASEC}


def period_choices(today: date, t: Mapping[str, str], language: str) -> list[tuple[str, list[Choice]]]:
    current = int(school_year_of(today)[:4])
    years = [school_year_period(first) for first in (current, current - 1)]
    months = [month_period(add_months(month_start(today), -back)) for back in range(18)]
    return [
        (t["period_group_all"], [Choice(ALL_TIME.label, t["period_all"])]),
        (t["period_group_school_year"], [Choice(p.label, p.label) for p in years]),
        (t["period_group_month"], [Choice(p.label, month_label(p.start, language)) for p in months]),
    ]


def area_choices(session: Session, t: Mapping[str, str]) -> list[tuple[str, list[Choice]]]:
    places = list(session.scalars(select(Municipality).order_by(Municipality.name)))
    return [
        (
            t["area_group_whole"],
            [Choice(DISTRICT_AREA, t["area_district"]), Choice(REGION_AREA, t["area_region"])],
        ),
        (t["area_group_samtgemeinde"], [Choice(m.slug, m.name) for m in places if m.kind == "samtgemeinde"]),
        (t["area_group_municipality"], [Choice(m.slug, m.name) for m in places if m.kind != "samtgemeinde"]),
    ]


def area_name(session: Session, area: str, t: Mapping[str, str]) -> str:
    if area == DISTRICT_AREA:
        return t["area_district"]
    if area == REGION_AREA:
        return t["area_region"]
    place = session.get(Municipality, area)
    return place.name if place else area


# --- the statistics, reshaped ------------------------------------------------------------------


def _value(cell: Any, name: str) -> Any:
    return cell.get(name) if isinstance(cell, Mapping) else getattr(cell, name, None)


def _field_row(cell: Any, code: str, name: str) -> FieldRow:
    return FieldRow(
        code=code,
        name=name,
        interested=_value(cell, "interested"),
        suppressed=bool(_value(cell, "suppressed")),
        offers=_value(cell, "offers"),
        places=_value(cell, "places"),
        ratio=_value(cell, "ratio"),
        mismatch=str(_value(cell, "mismatch")) if _value(cell, "mismatch") else None,
    )


def build_dashboard(
    session: Session,
    settings: Settings,
    filters: Filters,
    t: Mapping[str, str],
    language: str,
    *,
    today: date | None = None,
    has_real: bool = False,
    has_demo: bool = False,
    profile_range: tuple[date, date] | None = None,
) -> Dashboard:
    today = today or today_local()
    names = field_names(session, language)
    report = supply_report(session, settings, filters)
    cells = {(str(_value(c, "field")), str(_value(c, "area"))): c for c in report.cells}
    fields = [
        _field_row(cells[(code, filters.area)], code, names[code])
        for code in FIELDS
        if (code, filters.area) in cells
    ]
    total_cell = cells.get(("all", filters.area))
    total = _field_row(total_cell, "all", t["all_fields"]) if total_cell is not None else None
    map_field = filters.field or "all"
    reference_cell = cells.get((map_field, REGION_AREA))
    reference = _value(reference_cell, "ratio") if reference_cell is not None else None
    areas: list[AreaRow] = []
    for place in session.scalars(select(Municipality).order_by(Municipality.name)):
        if place.kind == "samtgemeinde" or place.lat is None or place.lon is None:
            continue
        cell = cells.get((map_field, place.slug))
        row = _field_row(cell, map_field, place.name) if cell is not None else None
        ratio = row.ratio if row is not None else None
        relative = round(ratio / reference, 2) if ratio is not None and reference else None
        areas.append(
            AreaRow(
                slug=place.slug,
                name=place.name,
                samtgemeinde=place.samtgemeinde,
                lat=place.lat,
                lon=place.lon,
                interested=row.interested if row else None,
                suppressed=row.suppressed if row else True,
                places=row.places if row else None,
                ratio=row.ratio if row else None,
                relative=relative,
                ratio_class=supply_class(relative),
            )
        )
    start, end = profile_range or profile_window(filters.period, today)
    profile_report = profile_report_of(session, settings, filters, start, end)
    profile = []
    for m in profile_report.months:
        month = date.fromisoformat(f"{m.month}-01")
        profile.append(
            ProfileRow(
                month=month,
                label=month_label(month, language),
                contributors=m.contributors,
                means={code: m.mean_scores.get(code) for code in charts.RIASEC},
            )
        )
    shown_fields = [f for f in fields if filters.field in (None, f.code)]
    return Dashboard(
        filters=filters,
        k=int(getattr(report, "k", settings.monitoring_k)),
        language=language,
        profile=profile,
        fields=shown_fields,
        areas=areas,
        total=total,
        mismatches=[f for f in shown_fields if f.mismatch],
        market=statistics.market_figures(),
        type_names=type_names(session, language),
        area_name=area_name(session, filters.area, t),
        has_real=has_real,
        has_demo=has_demo,
        period_choices=period_choices(today, t, language),
        field_choices=[Choice(code, names[code]) for code in FIELDS],
        area_choices=area_choices(session, t),
    )


def supply_report(session: Session, settings: Settings, filters: Filters) -> Any:
    """Interest next to supply for every field and area of the period (api/monitoring)."""
    return statistics.interest_supply(
        session, settings, period=filters.period, field=None, area=None, demo=DemoFilter(filters.demo)
    )


def profile_report_of(session: Session, settings: Settings, filters: Filters, start: date, end: date) -> Any:
    return statistics.interest_profile(
        session, settings, start=start, end=end, area=filters.area, demo=DemoFilter(filters.demo)
    )


CSV_COLUMNS = (
    "period",
    "data",
    "k",
    "field",
    "field_name",
    "area",
    "area_name",
    "interested",
    "suppressed",
    "offers",
    "places",
    "places_per_100_interested",
    "mismatch",
)


def supply_csv(report: Any, board: Dashboard) -> str:
    """Every cell of the period (all fields, every area), one row each; suppressed counts empty.

    Names in the page's language beside the codes, so that a spreadsheet reads without a key."""
    field_name = {f.code: (f.name_de if board.language == "de" else f.name_en) for f in report.fields}
    field_name.setdefault("all", "Alle Berufsbereiche" if board.language == "de" else "All fields")
    area_name = {a.id: (a.name_de if board.language == "de" else a.name_en) for a in report.areas}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for cell in report.cells:
        writer.writerow(
            [
                report.period.label,
                board.filters.demo,
                report.k,
                cell.field,
                field_name.get(cell.field, cell.field),
                cell.area,
                area_name.get(cell.area, cell.area),
                "" if cell.interested is None else cell.interested,
                "yes" if cell.suppressed else "no",
                cell.offers,
                cell.places,
                "" if cell.ratio is None else cell.ratio,
                cell.mismatch or "",
            ]
        )
    return out.getvalue()


def export_document(session: Session, settings: Settings, board: Dashboard) -> dict[str, Any]:
    """The JSON download: the selection, the statistics as api/monitoring publishes them, the market."""
    start = board.profile[0].month if board.profile else None
    end = board.profile[-1].month if board.profile else None

    def dump(value: Any) -> Any:
        return value.model_dump(mode="json") if hasattr(value, "model_dump") else value

    return {
        "selection": {
            "period": board.filters.period.label,
            "field": board.filters.field,
            "area": board.filters.area,
            "data": board.filters.demo,
            "demo_data_included": board.filters.demo != "exclude",
            "k": board.k,
        },
        "interest_supply": dump(supply_report(session, settings, board.filters)),
        "interest_profile": (
            dump(profile_report_of(session, settings, board.filters, start, end)) if start and end else None
        ),
        "market": {"source_is_different": True, **(dump(board.market) or {})},
    }


# The map compares a municipality's places per 100 interested pupils with the region's (same field):
# under two thirds of it, fewer places than on average; over one and a half times, more.
FEWER_PLACES = 0.67
MORE_PLACES = 1.5


def supply_class(relative: float | None) -> str:
    if relative is None:
        return "unknown"
    if relative < FEWER_PLACES:
        return "more_interest"
    if relative > MORE_PLACES:
        return "more_places"
    return "balanced"


# --- charts and their summaries ------------------------------------------------------------------


def fmt(value: float | None, language: str, digits: int = 0, missing: str = "–") -> str:
    return charts.format_number(value, language, digits, missing)


def profile_summary(board: Dashboard, t: Mapping[str, str]) -> str:
    shown = [row for row in board.profile if any(v is not None for v in row.means.values())]
    if not shown:
        return t["profile_summary_empty"].format(k=board.k)
    first, last = shown[0], shown[-1]

    def top(row: ProfileRow) -> str:
        code = max(
            (c for c in charts.RIASEC if row.means[c] is not None), key=lambda c: float(row.means[c] or 0)
        )
        return f"{board.type_names[code]} ({fmt(row.means[code], board.language)})"

    return t["profile_summary"].format(
        first=first.label, last=last.label, months=len(shown), top_first=top(first), top_last=top(last)
    )


def fields_summary(board: Dashboard, t: Mapping[str, str]) -> str:
    known = [f for f in board.fields if f.interested is not None]
    if not known:
        return t["fields_summary_empty"].format(k=board.k)
    most = max(known, key=lambda f: f.interested or 0)
    most_places = max(board.fields, key=lambda f: f.places or 0)
    return t["fields_summary"].format(
        most=most.name,
        most_n=fmt(most.interested, board.language),
        places=most_places.name,
        places_n=fmt(most_places.places, board.language),
        mismatches=len(board.mismatches),
    )


def map_summary(board: Dashboard, t: Mapping[str, str]) -> str:
    counts = {key: 0 for key, _, _ in charts.RATIO_CLASSES}
    for row in board.areas:
        counts[row.ratio_class] += 1
    return t["map_summary"].format(
        n=len(board.areas),
        more_interest=counts["more_interest"],
        balanced=counts["balanced"],
        more_places=counts["more_places"],
        unknown=counts["unknown"],
    )


def render_charts(board: Dashboard, t: Mapping[str, str]) -> dict[str, Any]:
    language = board.language
    profile = charts.profile_chart(
        [charts.ProfilePoint(r.month.isoformat()[:7], r.label, r.means) for r in board.profile],
        board.type_names,
        title=t["profile_title"].format(area=board.area_name),
        summary=profile_summary(board, t),
        language=language,
    )
    fields = charts.fields_chart(
        [charts.FieldBar(f.code, f.name, f.interested, f.places) for f in board.fields],
        title=t["fields_title"].format(area=board.area_name, period=period_label(board.filters.period, t)),
        summary=fields_summary(board, t),
        interested_label=t["interested"],
        places_label=t["places"],
        suppressed_label=t["suppressed_short"].format(k=board.k),
        language=language,
    )
    points = [
        charts.MapPoint(a.slug, a.name, a.lat or 0.0, a.lon or 0.0, a.interested, a.places, a.relative)
        for a in board.areas
    ]
    map_svg = charts.map_chart(
        points,
        title=t["map_title"].format(period=period_label(board.filters.period, t)),
        summary=map_summary(board, t),
        class_labels={key: t[f"class_{key}"] for key, _, _ in charts.RATIO_CLASSES},
        size_label=t["map_size_legend"],
        classify=supply_class,
    )
    return {"profile_svg": profile, "fields_svg": fields, "map_svg": map_svg}


def period_label(period: Period, t: Mapping[str, str]) -> str:
    if period.kind is PeriodKind.ALL:
        return t["period_all"]
    if period.kind is PeriodKind.SCHOOL_YEAR and "/" in period.label:  # not a quarter (report.py)
        return t["period_school_year"].format(label=period.label)
    return period.label


def rows_for_export(board: Dashboard) -> Sequence[FieldRow]:
    return board.fields
