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

from api.monitoring.periods import add_months


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
