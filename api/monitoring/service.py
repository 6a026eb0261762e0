"""The monitoring's statistics: interest next to supply, the interest profile over time, the most
asked-about occupations and topics, and the official market figures beside them.

Every count of pupils goes through `suppression.suppress` over the whole table (all fields, every
area of the tree) before anything is filtered for the caller, so the same cells are hidden
whichever filter is asked for. Definitions: docs/monitoring.md.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.monitoring.areas import REGION, AreaTree
from api.monitoring.models import (
    CheckSignal,
    HandoffSignal,
    InterestAggregate,
    InterestSignal,
    InterestSource,
)
from api.monitoring.periods import Period, add_months, months_between
from api.monitoring.schemas import (
    AreaPublic,
    DemoFilter,
    FieldPublic,
    InterestProfileReport,
    InterestSupplyCell,
    InterestSupplyReport,
    MarketFigure,
    MarketFigures,
    Mismatch,
    PeriodPublic,
    ProfileMonth,
    TopInterest,
    TopInterestsReport,
)
from api.monitoring.suppression import Cell, hierarchy_constraints, suppress
from api.offers.models import Offer, OfferStatus
from api.offers.service import LOCAL_ZONE
from api.professions.models import Profession, VocabularyKind, VocabularyTerm
from knowledge.loader import SOURCES_DIR

ALL_FIELDS = "all"
FIELD_CODES = tuple("123456789")  # KldB Berufsbereiche with training occupations (0 is the military)
KLDB_FILE = SOURCES_DIR / "kldb2010_berufsbereiche.csv"
MARKET_FILE = SOURCES_DIR / "ausbildungsmarkt_osnabrueck.csv"

# Mismatch thresholds (docs/monitoring.md): a field whose places per 100 interested pupils are below
# half of the area's ratio over all fields has many interested pupils and few places; above twice
# that ratio, few interested pupils and many places. Both need at least MIN_PLACES_FOR_SURPLUS
# places for the second flag (a field with 3 places and nobody interested is not a finding).
LOW_RELATIVE_RATIO = 0.5
HIGH_RELATIVE_RATIO = 2.0
MIN_PLACES_FOR_SURPLUS = 10

SUPPLY_NOTE = (
    "interested: distinct pupils who asked about an occupation of the field, searched the exchange "
    "for one, or asked a company of the field to get in touch (Berufslotse's own signals, not a "
    "survey); offers and places: the exchange's offers open at some time in the period (not withdrawn). "
    "ratio = places per 100 interested pupils. The official market figures (GET /api/v1/statistics/market) "
    "are another source with other definitions."
)


def _demo_condition(column: Any, demo: DemoFilter) -> ColumnElement[bool]:
    if demo is DemoFilter.EXCLUDE:
        return column.is_(False)
    if demo is DemoFilter.ONLY:
        return column.is_(True)
    return true()


# --- names ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def official_field_names(path: Path = KLDB_FILE) -> dict[str, str]:
    """KldB 2010 Berufsbereich code -> official title (knowledge/sources, read once)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["title"] for row in csv.DictReader(handle) if row["level"] == "1"}


def field_list(session: Session) -> list[FieldPublic]:
    english = dict(
        session.execute(
            select(VocabularyTerm.code, VocabularyTerm.label_en).where(
                VocabularyTerm.kind == VocabularyKind.FIELD.value
            )
        ).all()
    )
    official = official_field_names()
    fields = [FieldPublic(code=ALL_FIELDS, name_de="Alle Berufsbereiche", name_en="all fields")]
    fields += [
        FieldPublic(
            code=code, name_de=official.get(code, code), name_en=english.get(code, official.get(code, code))
        )
        for code in FIELD_CODES
    ]
    return fields


def area_list(tree: AreaTree) -> list[AreaPublic]:
    return [
        AreaPublic(
            id=area.id,
            name_de=area.name_de,
            name_en=area.name_en,
            level=area.level,
            parent=area.parent,
            lat=area.lat,
            lon=area.lon,
        )
        for area in (tree.areas[area_id] for area_id in tree.ordered())
    ]


def describe_period(period: Period) -> PeriodPublic:
    return PeriodPublic(kind=period.kind, label=period.label, start=period.start, end=period.end)


# --- interest next to supply -----------------------------------------------------------------------


@dataclass(frozen=True)
class CountedTable:
    counts: dict[Cell, int]
    hidden: set[Cell]

    def published(self, cell: Cell) -> int | None:
        return None if cell in self.hidden else self.counts.get(cell, 0)


def interest_counts(session: Session, tree: AreaTree, period: Period, demo: DemoFilter) -> dict[Cell, int]:
    """Distinct pupils per (field or 'all', area) for every area of the tree, folded aggregates added."""
    rows = session.execute(
        select(InterestSignal.contributor, InterestSignal.field, InterestSignal.municipality)
        .where(
            InterestSignal.month >= period.start,
            InterestSignal.month < period.end,
            InterestSignal.field.is_not(None),
            _demo_condition(InterestSignal.is_demo, demo),
        )
        .distinct()
    ).all()
    cells_of: dict[str | None, set[Cell]] = defaultdict(set)
    for contributor, field, municipality in rows:
        for area in tree.ancestors(tree.leaf_of(municipality)):
            cells_of[contributor].add((field, area))
            cells_of[contributor].add((ALL_FIELDS, area))
    counts: Counter[Cell] = Counter()
    for cells in cells_of.values():
        counts.update(cells)
    # Past retention, interest is kept only as cells of >= k pupils per month: they add up (a pupil
    # of two months counts twice there, see docs/monitoring.md).
    aggregates = session.execute(
        select(
            InterestAggregate.field, InterestAggregate.municipality, func.sum(InterestAggregate.contributors)
        )
        .where(
            InterestAggregate.month >= period.start,
            InterestAggregate.month < period.end,
            InterestAggregate.field.is_not(None),
            _demo_condition(InterestAggregate.is_demo, demo),
        )
        .group_by(InterestAggregate.field, InterestAggregate.municipality)
    ).all()
    for field, municipality, contributors in aggregates:
        for area in tree.ancestors(tree.leaf_of(municipality)):
            counts[(field, area)] += int(contributors)
            counts[(ALL_FIELDS, area)] += int(contributors)
    return dict(counts)


def suppressed_table(counts: dict[Cell, int], tree: AreaTree, k: int) -> CountedTable:
    row_codes: list[Hashable] = [ALL_FIELDS, *FIELD_CODES]
    constraints = hierarchy_constraints(
        rows={ALL_FIELDS: list(FIELD_CODES)},
        columns={parent: list(children) for parent, children in tree.children.items()},
        all_rows=row_codes,
        all_columns=list(tree.areas),
    )
    return CountedTable(counts=counts, hidden=set(suppress(counts, constraints, k)))


def supply_counts(
    session: Session, tree: AreaTree, period: Period, demo: DemoFilter
) -> tuple[dict[Cell, int], dict[Cell, int]]:
    """Offers and places per (field or 'all', area): offers open at some time in the period."""
    start = datetime.combine(period.start, time.min, tzinfo=LOCAL_ZONE)
    end = datetime.combine(period.end, time.min, tzinfo=LOCAL_ZONE)
    rows = session.execute(
        select(Profession.field, Offer.municipality_slug, func.count(), func.sum(Offer.places))
        .join(Profession, Profession.slug == Offer.profession_slug)
        .where(
            Offer.status != OfferStatus.WITHDRAWN.value,
            Offer.published_at < end,
            Offer.expires_at >= start,
            _demo_condition(Offer.is_demo, demo),
        )
        .group_by(Profession.field, Offer.municipality_slug)
    ).all()
    offers: Counter[Cell] = Counter()
    places: Counter[Cell] = Counter()
    for field, municipality, count, place_sum in rows:
        code = (field or "")[:1]
        for area in tree.ancestors(tree.leaf_of(municipality)):
            for row in (code, ALL_FIELDS):
                offers[(row, area)] += int(count)
                places[(row, area)] += int(place_sum or 0)
    return dict(offers), dict(places)


def _ratio(places: int, interested: int | None) -> float | None:
    if not interested:
        return None
    return round(places * 100 / interested, 1)


def _mismatch(places: int, interested: int | None, relative: float | None) -> Mismatch | None:
    if interested is None or relative is None:
        return None
    if relative < LOW_RELATIVE_RATIO:
        return Mismatch.MANY_INTERESTED_FEW_PLACES
    if relative > HIGH_RELATIVE_RATIO and places >= MIN_PLACES_FOR_SURPLUS:
        return Mismatch.FEW_INTERESTED_MANY_PLACES
    return None


def interest_supply(
    session: Session,
    settings: Settings,
    *,
    period: Period,
    field: str | None = None,
    area: str | None = None,
    demo: DemoFilter = DemoFilter.EXCLUDE,
    k: int | None = None,
) -> InterestSupplyReport:
    """Interest next to supply per field and area for one period; `field` and `area` only filter
    the cells returned (suppression is decided on the whole table)."""
    k = k or settings.monitoring_k
    tree = AreaTree.load(session)
    table = suppressed_table(interest_counts(session, tree, period, demo), tree, k)
    offers, places = supply_counts(session, tree, period, demo)
    cells: list[InterestSupplyCell] = []
    for area_id in tree.ordered():
        if area is not None and area_id != area:
            continue
        overall = table.published((ALL_FIELDS, area_id))
        overall_ratio = _ratio(places.get((ALL_FIELDS, area_id), 0), overall)
        for code in (ALL_FIELDS, *FIELD_CODES):
            if field is not None and code != field:
                continue
            cell = (code, area_id)
            interested = table.published(cell)
            cell_places = places.get(cell, 0)
            ratio = _ratio(cell_places, interested)
            relative = (
                round(ratio / overall_ratio, 2)
                if code != ALL_FIELDS and ratio is not None and overall_ratio
                else None
            )
            cells.append(
                InterestSupplyCell(
                    field=code,
                    area=area_id,
                    interested=interested,
                    suppressed=interested is None,
                    offers=offers.get(cell, 0),
                    places=cell_places,
                    ratio=ratio,
                    relative_ratio=relative,
                    mismatch=_mismatch(cell_places, interested, relative) if code != ALL_FIELDS else None,
                )
            )
    return InterestSupplyReport(
        period=describe_period(period),
        k=k,
        demo=demo,
        fields=field_list(session),
        areas=area_list(tree),
        cells=cells,
        thresholds={
            "low_relative_ratio": LOW_RELATIVE_RATIO,
            "high_relative_ratio": HIGH_RELATIVE_RATIO,
            "min_places_for_surplus": MIN_PLACES_FOR_SURPLUS,
        },
        note=SUPPLY_NOTE,
    )


# --- the interest profile over time -----------------------------------------------------------------


def interest_profile(
    session: Session,
    settings: Settings,
    *,
    start: date,
    end: date,
    area: str | None = None,
    demo: DemoFilter = DemoFilter.EXCLUDE,
    k: int | None = None,
) -> InterestProfileReport:
    """Per month from `start`'s to `end`'s (inclusive): pupils with a completed check in the area and
    the mean of their (rounded) six scores; months with fewer than k pupils, or hidden to protect
    such a month elsewhere in the tree, are null."""
    k = k or settings.monitoring_k
    tree = AreaTree.load(session)
    area_id = area or REGION
    months = months_between(start, end)
    rows = session.execute(
        select(
            CheckSignal.month,
            CheckSignal.contributor,
            CheckSignal.municipality,
            *(getattr(CheckSignal, f"score_{code}") for code in "riasec"),
        ).where(
            CheckSignal.month >= months[0] if months else true(),
            CheckSignal.month < add_months(months[-1], 1) if months else true(),
            _demo_condition(CheckSignal.is_demo, demo),
        )
    ).all()
    handoffs = dict(
        session.execute(
            select(HandoffSignal.month, func.count())
            .where(_demo_condition(HandoffSignal.is_demo, demo))
            .group_by(HandoffSignal.month)
        ).all()
    )
    by_month: dict[date, list[tuple[str, tuple[Any, ...]]]] = defaultdict(list)
    for month, _contributor, municipality, *scores in rows:
        # one check signal per pupil and month (record_check replaces), so a row is a pupil
        by_month[month].append((tree.leaf_of(municipality), tuple(scores)))
    constraints = hierarchy_constraints(
        rows={},
        columns={parent: list(children) for parent, children in tree.children.items()},
        all_rows=[ALL_FIELDS],
        all_columns=list(tree.areas),
    )
    leaves = set(tree.leaves_under(area_id))
    result: list[ProfileMonth] = []
    for month in months:
        entries = by_month.get(month, [])
        counts: Counter[Cell] = Counter()
        for leaf, _scores in entries:
            for ancestor in tree.ancestors(leaf):
                counts[(ALL_FIELDS, ancestor)] += 1
        hidden = suppress(counts, constraints, k)
        cell = (ALL_FIELDS, area_id)
        contributors = None if cell in hidden else counts.get(cell, 0)
        means: dict[str, float | None] = dict.fromkeys("RIASEC")
        if contributors:
            inside = [scores for leaf, scores in entries if leaf in leaves]
            for index, code in enumerate("RIASEC"):
                values: list[int] = [scores[index] for scores in inside if scores[index] is not None]
                means[code] = round(sum(values) / len(values), 1) if values else None
        handoff_count = int(handoffs.get(month, 0))
        result.append(
            ProfileMonth(
                month=month.strftime("%Y-%m"),
                contributors=contributors,
                mean_scores=means,
                handoffs=handoff_count if handoff_count == 0 or handoff_count >= k else None,
            )
        )
    return InterestProfileReport(
        area=area_list(tree)[tree.ordered().index(area_id)], k=k, demo=demo, months=result
    )


# --- most asked about -------------------------------------------------------------------------------


def top_interests(
    session: Session,
    settings: Settings,
    *,
    period: Period,
    kind: str = "profession",
    demo: DemoFilter = DemoFilter.EXCLUDE,
    limit: int = 20,
    k: int | None = None,
) -> TopInterestsReport:
    """Occupations (or topics) pupils showed interest in, with at least k distinct pupils each; no
    total and no rest row are published beside them, so nothing can be subtracted."""
    k = k or settings.monitoring_k
    column = InterestSignal.topic if kind == "topic" else InterestSignal.profession_slug
    rows = session.execute(
        select(column, func.count(func.distinct(InterestSignal.contributor)).label("pupils"))
        .where(
            column.is_not(None),
            InterestSignal.month >= period.start,
            InterestSignal.month < period.end,
            _demo_condition(InterestSignal.is_demo, demo),
            or_(InterestSignal.source != InterestSource.TOPIC.value, InterestSignal.topic.is_not(None)),
        )
        .group_by(column)
    ).all()
    items = sorted(
        (
            TopInterest(code=str(code), kind=kind, contributors=int(pupils))
            for code, pupils in rows
            if pupils >= k
        ),
        key=lambda item: (-item.contributors, item.code),
    )
    return TopInterestsReport(period=describe_period(period), k=k, demo=demo, items=items[:limit])


# --- the official figures -----------------------------------------------------------------------------

MARKET_SOURCE_LABEL = (
    "Bundesagentur für Arbeit, Ausbildungsmarktstatistik der Agentur für Arbeit Osnabrück (Stadt und "
    "Landkreis), as reported each autumn in press releases; another source than Berufslotse's signals, "
    "with other definitions: do not add or divide the two."
)
MARKET_DEFINITIONS = {
    "registered_places": "Training places reported to the Agentur für Arbeit in the counting year "
    "(1 October - 30 September)",
    "registered_applicants": "Applicants registered with the Agentur für Arbeit in the counting year",
    "unfilled_places": "Registered places still unfilled on 30 September",
    "unplaced_applicants": "Registered applicants without a place or alternative on 30 September",
    "supply_bibb": "BIBB supply (Angebot) = new training contracts + unfilled registered places "
    "on 30 September",
    "demand_bibb": "BIBB demand (Nachfrage, classic) = new training contracts + unplaced applicants; "
    "extended demand also counts applicants with an alternative who still search",
    "anr_bibb": "BIBB Angebots-Nachfrage-Relation (ANR) = supply per 100 demand (bibb.de/de/5241.htm); "
    "needs contract counts, which this file does not hold",
    "places_per_100_applicants": "Derived here: registered places per 100 registered applicants "
    "(only what was reported to the agency; not the ANR)",
}


@lru_cache(maxsize=1)
def _market_rows(path: Path = MARKET_FILE) -> tuple[MarketFigure, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            MarketFigure(
                report_year=row["report_year"],
                area=row["area"],
                measure=row["measure"],
                value=float(row["value"]),
                unit=row["unit"],
                as_of=date.fromisoformat(row["as_of"]),
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        )


def market_figures(report_year: str | None = None) -> MarketFigures:
    figures = [row for row in _market_rows() if report_year is None or row.report_year == report_year]
    totals: dict[str, dict[str, float]] = defaultdict(dict)
    for row in figures:
        if row.area == "Agenturbezirk Osnabrück":
            totals[row.report_year][row.measure] = row.value
    derived = {
        year: round(values["registered_places"] * 100 / values["registered_applicants"], 1)
        for year, values in sorted(totals.items())
        if values.get("registered_places") and values.get("registered_applicants")
    }
    return MarketFigures(
        source_label=MARKET_SOURCE_LABEL,
        definitions=MARKET_DEFINITIONS,
        figures=figures,
        places_per_100_applicants=derived,
    )


def published_cells(report: InterestSupplyReport) -> Iterable[InterestSupplyCell]:
    return (cell for cell in report.cells if not cell.suppressed)
