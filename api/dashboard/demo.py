"""Demo signals: a synthetic population of pupils for the district's dashboard on a fresh install.

Like the demo offers (api/demo), everything made here is marked `is_demo = true` in the signal
tables of api/monitoring, so the statistics can leave it out, show it alone, or show both with a
label; it goes through the same statistics and the same k-anonymity as real signals. No row
names a real pupil: a demo contributor is a hash of "demo", the seed and a running number.

`generate_demo_signals` is pure: the same seed, inputs and `today` give the same rows.
`seed_demo_signals` replaces the demo signals and leaves every real one alone.

The population is made to be plausible and to show what the dashboard can show, not to describe
the region: checks peak in the school's career-orientation months and pause in the summer
holidays; the social type gains a little over the months; more pupils lean towards health, social
work, media and design than the region's companies train for, and fewer towards production,
construction and logistics (the pattern the region's agency reports, see SOURCES.md).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from api.core.models import utc_now
from api.demo.service import LOCAL_ZONE, demo_vocabulary
from api.geo.models import Municipality
from api.monitoring.models import CheckSignal, HandoffSignal, InterestSignal
from api.professions.models import Profession

RIASEC = ("R", "I", "A", "S", "E", "C")
MONTHS_BACK = 18  # the current month and the 17 before it
# Relative number of checks per calendar month (career orientation in class; summer holidays).
MONTH_WEIGHTS = {
    1: 1.2,
    2: 1.4,
    3: 1.3,
    4: 0.9,
    5: 0.8,
    6: 0.6,
    7: 0.2,
    8: 0.4,
    9: 1.3,
    10: 1.4,
    11: 1.5,
    12: 0.7,
}
BASE_MEANS = {"R": 48, "I": 44, "A": 42, "S": 52, "E": 45, "C": 40}
SPREAD = 17
LEAD_BONUS = 22  # the pupil's strongest leaning
# The social type gains this much over the whole span, the realistic type loses half of it.
S_TREND = 8
LEAD_WEIGHTS = {"R": 1.0, "I": 0.7, "A": 0.8, "S": 1.2, "E": 0.7, "C": 0.6}
# Which KldB Berufsbereiche a pupil of each leading type looks at (relative weights).
FIELDS_BY_TYPE: Mapping[str, Mapping[str, float]] = {
    "R": {"1": 2.0, "2": 1.8, "3": 2.0, "5": 1.2, "4": 0.5, "8": 0.6},
    "I": {"4": 3.0, "8": 2.0, "2": 0.5, "1": 0.6},
    "A": {"9": 5.0, "2": 0.7, "6": 0.7, "3": 0.4},
    "S": {"8": 6.0, "6": 1.0, "7": 0.6},
    "E": {"6": 3.5, "7": 2.0, "5": 0.8, "9": 0.6},
    "C": {"7": 5.0, "6": 1.2, "4": 0.8, "5": 0.6},
}
CERTIFICATES = {"hauptschule": 0.25, "realschule": 0.45, "fachabitur": 0.1, "abitur": 0.2}
SOURCES = {"lookup": 0.5, "topic": 0.15, "offer_search": 0.27, "contact_request": 0.08}
OFFER_KINDS = {"apprenticeship": 0.7, "internship": 0.2, "dual_study": 0.1}
RADII = (5, 10, 20, 30, 50)
SHARE_WITHOUT_PLACE = 0.06
HANDOFF_SHARE = 0.05


@dataclass(frozen=True)
class DemoSignals:
    checks: list[dict[str, Any]]
    interests: list[dict[str, Any]]
    handoffs: list[dict[str, Any]]


@dataclass(frozen=True)
class SignalSeedReport:
    removed: int
    pupils: int
    checks: int
    interests: int
    handoffs: int
    skipped: bool = False


def demo_contributor(seed: int, number: int) -> str:
    """A stable 64-hex id for demo pupil `number`; it is no hash of any conversation."""
    return hashlib.sha256(f"demo:{seed}:{number}".encode()).hexdigest()


def _months(today: date) -> list[date]:
    months: list[date] = []
    year, month = today.year, today.month
    for _ in range(MONTHS_BACK):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(months)


def _bucket(value: float) -> int:
    """Scores are kept in tens (as api/monitoring stores them)."""
    return int(max(0, min(100, round(value / 10) * 10)))


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def generate_demo_signals(
    seed: int,
    pupils: int,
    places: Sequence[tuple[str, float]],
    professions_by_field: Mapping[str, Sequence[str]],
    today: date,
) -> DemoSignals:
    """Rows for the signal tables (column dicts, all with is_demo = true)."""
    if not places:
        raise ValueError("demo signals need municipalities in the database (load-knowledge)")
    rng = random.Random(seed)
    months = _months(today)
    month_weights = [MONTH_WEIGHTS[m.month] for m in months]
    place_slugs = [slug for slug, _ in places]
    place_weights = [weight for _, weight in places]
    checks: list[dict[str, Any]] = []
    interests: list[dict[str, Any]] = []
    handoffs: list[dict[str, Any]] = []
    for number in range(1, pupils + 1):
        contributor = demo_contributor(seed, number)
        month_index = rng.choices(range(len(months)), weights=month_weights, k=1)[0]
        month = months[month_index]
        progress = month_index / max(len(months) - 1, 1)
        lead = _pick(rng, LEAD_WEIGHTS)
        municipality = (
            None if rng.random() < SHARE_WITHOUT_PLACE else rng.choices(place_slugs, place_weights, k=1)[0]
        )
        scores: dict[str, int | None] = {}
        for code in RIASEC:
            mean = float(BASE_MEANS[code] + (LEAD_BONUS if code == lead else 0))
            if code == "S":
                mean += S_TREND * progress
            elif code == "R":
                mean -= S_TREND / 2 * progress
            scores[code] = None if rng.random() < 0.01 else _bucket(rng.gauss(mean, SPREAD))
        checks.append(
            {
                "contributor": contributor,
                "month": month,
                "variant": "quick" if rng.random() < 0.8 else "full",
                **{f"score_{code.lower()}": scores[code] for code in RIASEC},
                "certificate": _pick(rng, CERTIFICATES),
                "municipality": municipality,
                "class_session_id": None,
                "school_type": None,
                "is_demo": True,
            }
        )
        # one to four times interest, mostly in the months of the check
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            later = min(len(months) - 1, month_index + rng.choice((0, 0, 0, 1, 2)))
            leaning = lead if rng.random() < 0.75 else _pick(rng, LEAD_WEIGHTS)
            field = _pick(rng, FIELDS_BY_TYPE[leaning])
            slugs = professions_by_field.get(field) or ()
            source = _pick(rng, SOURCES)
            searching = source in ("offer_search", "contact_request")
            interests.append(
                {
                    "contributor": contributor,
                    "month": months[later],
                    "source": source,
                    "profession_slug": rng.choice(list(slugs)) if slugs else None,
                    "field": field,
                    "topic": None,
                    "municipality": municipality,
                    "offer_kind": _pick(rng, OFFER_KINDS) if searching else None,
                    "radius_km": rng.choice(RADII) if source == "offer_search" else None,
                    "is_demo": True,
                }
            )
        if rng.random() < HANDOFF_SHARE:
            handoffs.append({"month": month, "is_demo": True})
    return DemoSignals(checks=checks, interests=interests, handoffs=handoffs)


def demo_signal_inputs(session: Session) -> tuple[list[tuple[str, float]], dict[str, list[str]]]:
    """Municipalities (not Samtgemeinden) with the demo offers' population weights; occupations by field."""
    vocabulary = demo_vocabulary()
    weights = vocabulary["municipality_weights"]
    default = float(vocabulary["default_municipality_weight"])
    places = [
        (m.slug, float(weights.get(m.slug, default)))
        for m in session.scalars(select(Municipality).order_by(Municipality.slug))
        if m.kind != "samtgemeinde"
    ]
    by_field: dict[str, list[str]] = {}
    for slug, field in session.execute(select(Profession.slug, Profession.field).order_by(Profession.slug)):
        by_field.setdefault(field, []).append(slug)
    return places, by_field


def remove_demo_signals(session: Session) -> int:
    """Delete every demo signal; real signals stay."""
    removed = 0
    for table in (CheckSignal, InterestSignal, HandoffSignal):
        result = session.execute(
            delete(table).where(table.is_demo.is_(True)).execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def has_demo_signals(session: Session) -> bool:
    demo_checks = select(func.count()).select_from(CheckSignal).where(CheckSignal.is_demo.is_(True))
    return bool(session.scalar(demo_checks))


def seed_demo_signals(
    session: Session,
    *,
    seed: int = 13,
    pupils: int = 5000,
    today: date | None = None,
    only_if_empty: bool = False,
) -> SignalSeedReport:
    """Replace the demo signals with freshly generated ones (the caller commits).

    `only_if_empty`: do nothing when there are demo signals already (a restart keeps them)."""
    if only_if_empty and has_demo_signals(session):
        return SignalSeedReport(0, 0, 0, 0, 0, skipped=True)
    today = today or utc_now().astimezone(LOCAL_ZONE).date()
    places, by_field = demo_signal_inputs(session)
    data = generate_demo_signals(seed, pupils, places, by_field, today)
    removed = remove_demo_signals(session)
    tables = ((CheckSignal, data.checks), (InterestSignal, data.interests), (HandoffSignal, data.handoffs))
    for table, rows in tables:
        for start in range(0, len(rows), 5000):
            if rows[start : start + 5000]:
                session.execute(insert(table), rows[start : start + 5000])
    return SignalSeedReport(
        removed=removed,
        pupils=pupils,
        checks=len(data.checks),
        interests=len(data.interests),
        handoffs=len(data.handoffs),
    )
