"""CSV exports of the statistics: one header line, one line per cell, suppressed counts empty."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from api.monitoring.schemas import (
    InterestProfileReport,
    InterestSupplyReport,
    MarketFigures,
    TopInterestsReport,
)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def interest_supply_csv(report: InterestSupplyReport) -> str:
    fields = {field.code: field.name_de for field in report.fields}
    areas = {area.id: area for area in report.areas}
    return _csv(
        (
            "period", "field", "field_name", "area", "area_name", "area_level", "interested", "suppressed",
            "offers", "places", "places_per_100_interested", "relative_ratio", "mismatch", "k",
        ),
        (
            (
                report.period.label, cell.field, fields.get(cell.field, ""), cell.area,
                areas[cell.area].name_de, areas[cell.area].level.value, cell.interested,
                "yes" if cell.suppressed else "no", cell.offers, cell.places, cell.ratio, cell.relative_ratio,
                cell.mismatch.value if cell.mismatch else None, report.k,
            )
            for cell in report.cells
        ),
    )  # fmt: skip


def interest_profile_csv(report: InterestProfileReport) -> str:
    return _csv(
        ("month", "area", "contributors", "R", "I", "A", "S", "E", "C", "handoffs", "k"),
        (
            (month.month, report.area.id, month.contributors, *(month.mean_scores[code] for code in "RIASEC"),
             month.handoffs, report.k)
            for month in report.months
        ),
    )  # fmt: skip


def top_interests_csv(report: TopInterestsReport) -> str:
    return _csv(
        ("period", "kind", "code", "contributors", "k"),
        ((report.period.label, item.kind, item.code, item.contributors, report.k) for item in report.items),
    )


def market_csv(figures: MarketFigures) -> str:
    return _csv(
        ("report_year", "area", "measure", "value", "unit", "as_of", "source", "source_label"),
        (
            (row.report_year, row.area, row.measure, row.value, row.unit, row.as_of.isoformat(), row.source,
             figures.source_label)
            for row in figures.figures
        ),
    )  # fmt: skip
