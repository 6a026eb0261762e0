"""The quarterly report: the dashboard's figures and definitions for one quarter, as a tagged PDF
(api/core/pdf.py, PDF/UA-1). Charts are the dashboard's SVGs embedded as images whose alternative
text is the chart's summary; every chart is followed by its table."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.pdf import data_url, pdf_strings, render_pdf
from api.dashboard import view
from api.monitoring.periods import Period, PeriodKind, add_months


def quarter_period(label: str) -> Period:
    """'2026-Q4' -> October to December 2026 (a period of three months)."""
    year, number = int(label[:4]), int(label[-1])
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(PeriodKind.SCHOOL_YEAR, label, start, add_months(start, 3))


def previous_quarter(today: date) -> str:
    """The last quarter that has ended."""
    start = add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), -3)
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def recent_quarters(today: date, count: int = 4) -> list[str]:
    """The last `count` quarters that have ended, the latest first."""
    quarters, day = [], today
    for _ in range(count):
        quarter = previous_quarter(day)
        quarters.append(quarter)
        day = quarter_period(quarter).start
    return quarters


def render_quarterly(
    session: Session, settings: Settings, quarter: str, language: str, *, area: str, demo: str, today: date
) -> bytes:
    from api.dashboard.router import template_values  # shared with the page

    t = pdf_strings("dashboard", language)
    has_real, has_demo = view.signals_present(session)
    period = quarter_period(quarter)
    filters, _ = view.read_filters(
        {"area": area, "data": demo}, has_real=has_real, has_demo=has_demo, today=today
    )
    filters = view.Filters(period=period, field=None, area=filters.area, demo=filters.demo)
    board = view.build_dashboard(
        session,
        settings,
        filters,
        t,
        language,
        today=today,
        has_real=has_real,
        has_demo=has_demo,
        profile_range=(period.start, add_months(period.end, -1)),
    )
    values = template_values(board, t)
    images = {
        name: data_url(str(values[f"{name}_svg"]).encode("utf-8"), "image/svg+xml")
        for name in ("profile", "fields", "map")
    }
    return render_pdf(
        "dashboard/report.html",
        {
            **values,
            "quarter": quarter,
            "made_on": today.strftime("%d.%m.%Y") if language == "de" else today.isoformat(),
            "images": images,
        },
        language,
    )
