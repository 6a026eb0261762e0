"""A seeded synthetic population of pupils, for the statistics' tests and for demo signals.

Each synthetic pupil lives in one municipality, is interested in occupations of one field in one
month and did the check once; so the true figures of any table are plain counts of this list,
and the tests can compare every published number with them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.monitoring.models import CheckSignal, InterestSignal, InterestSource
from api.monitoring.periods import add_months, month_start
from api.monitoring.signals import contributor_key, radius_bucket, score_bucket
from api.professions.models import Profession


@dataclass(frozen=True)
class SyntheticPupil:
    pupil_ref: str
    municipality: str
    field: str
    profession_slug: str
    month: date
    scores: dict[str, float]
    certificate: str


def synthetic_population(
    *,
    seed: int,
    pupils: int,
    municipalities: Sequence[str],
    professions_by_field: dict[str, Sequence[str]],
    first_month: date,
    months: int,
    certificates: Sequence[str] = ("hauptschule", "realschule", "abitur"),
    municipality_weights: Sequence[float] | None = None,
    field_weights: Sequence[float] | None = None,
) -> list[SyntheticPupil]:
    """`pupils` pupils spread over the municipalities, fields and months (weights skew them so that
    small cells appear, as in a real rural district)."""
    rng = random.Random(seed)
    fields = sorted(professions_by_field)
    population = []
    for number in range(pupils):
        field = rng.choices(fields, weights=field_weights)[0]
        population.append(
            SyntheticPupil(
                pupil_ref=f"synthetic-{seed}-{number:05d}",
                municipality=rng.choices(list(municipalities), weights=municipality_weights)[0],
                field=field,
                profession_slug=rng.choice(list(professions_by_field[field])),
                month=add_months(first_month, rng.randrange(months)),
                scores={code: float(rng.randrange(0, 101)) for code in "RIASEC"},
                certificate=rng.choice(list(certificates)),
            )
        )
    return population


def add_population(
    session: Session, settings: Settings, population: Sequence[SyntheticPupil], *, is_demo: bool = False
) -> int:
    """Write the population's signals in one go (demo data, tests): per pupil an occupation looked
    up, a search of the exchange and a completed check, built as `signals.record_*` build them.
    The caller commits. Returns the number of rows."""
    fields = dict(session.execute(select(Profession.slug, Profession.field)).all())
    secret = settings.signal_secret.get_secret_value()
    rows: list[object] = []
    for pupil in population:
        key = contributor_key(secret, pupil.pupil_ref)
        field = (fields.get(pupil.profession_slug) or "")[:1] or None
        slug = pupil.profession_slug if field else None
        common = {"contributor": key, "month": month_start(pupil.month), "is_demo": is_demo}
        rows.append(
            InterestSignal(
                **common,
                source=InterestSource.LOOKUP.value,
                profession_slug=slug,
                field=field,
                municipality=pupil.municipality,
            )
        )
        rows.append(
            InterestSignal(
                **common,
                source=InterestSource.OFFER_SEARCH.value,
                profession_slug=slug,
                field=field,
                municipality=pupil.municipality,
                offer_kind="apprenticeship",
                radius_km=radius_bucket(20),
            )
        )
        rows.append(
            CheckSignal(
                **common,
                variant="quick",
                certificate=pupil.certificate,
                municipality=pupil.municipality,
                **{f"score_{code.lower()}": score_bucket(pupil.scores[code]) for code in "RIASEC"},
            )
        )
    session.add_all(rows)
    session.flush()
    return len(rows)
