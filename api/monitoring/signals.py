"""Recording the signals where things happen, deleting a pupil's, and folding old ones.

Recording never fails the pupil's request: a signal that cannot be written is logged (without the
pupil's id) and dropped. Each call costs one indexed SELECT and at most one INSERT.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.models import utc_now
from api.monitoring.models import (
    CheckSignal,
    HandoffSignal,
    InterestAggregate,
    InterestSignal,
    InterestSource,
)
from api.monitoring.periods import month_start
from api.offers.service import local_today
from api.professions.models import Profession

log = logging.getLogger(__name__)

SCORE_BUCKET = 10
# A search radius is kept as the smallest of these that covers it (km).
RADIUS_BUCKETS = (5, 10, 15, 25, 50, 100, 200)


def contributor_key(secret: str, pupil_ref: str) -> str:
    """The pseudonymous key of a pupil in the signal tables: HMAC-SHA256(secret, pupil_ref), hex."""
    return hmac.new(secret.encode("utf-8"), pupil_ref.encode("utf-8"), hashlib.sha256).hexdigest()


def _key(settings: Settings, pupil_ref: str) -> str:
    return contributor_key(settings.signal_secret.get_secret_value(), pupil_ref)


def score_bucket(score: float | None) -> int | None:
    """A score 0..100 rounded to the nearest ten (halves up), so no exact profile is kept."""
    if score is None:
        return None
    bounded = min(max(float(score), 0.0), 100.0)
    return int((bounded + SCORE_BUCKET / 2) // SCORE_BUCKET) * SCORE_BUCKET


def radius_bucket(radius_km: float | None) -> int | None:
    if radius_km is None:
        return None
    return next((bucket for bucket in RADIUS_BUCKETS if radius_km <= bucket), RADIUS_BUCKETS[-1])


def _this_month(today: date | None) -> date:
    return month_start(today or local_today(utc_now()))


def _write(session: Session, what: str, row: object, replace: object | None = None) -> None:
    """Add the row (after the optional delete `replace`) and commit; a failure is logged only."""
    try:
        with session.begin_nested():
            if replace is not None:
                session.execute(replace)  # type: ignore[call-overload]
            session.add(row)
        session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("monitoring: %s signal not recorded (%s)", what, type(error).__name__)


def record_check(
    session: Session,
    settings: Settings,
    *,
    pupil_ref: str,
    variant: str,
    scores: Mapping[str, float | None],
    certificate: str | None,
    municipality: str | None,
    class_session_id: int | None = None,
    school_type: str | None = None,
    today: date | None = None,
    is_demo: bool = False,
) -> None:
    """A completed check. A second check of the same pupil in the same month replaces the first."""
    month = _this_month(today)
    key = _key(settings, pupil_ref)
    row = CheckSignal(
        contributor=key,
        month=month,
        variant=variant,
        **{f"score_{code.lower()}": score_bucket(scores.get(code.upper())) for code in "riasec"},
        certificate=certificate,
        municipality=municipality,
        class_session_id=class_session_id,
        school_type=school_type,
        is_demo=is_demo,
    )
    replace = delete(CheckSignal).where(CheckSignal.contributor == key, CheckSignal.month == month)
    _write(session, "check", row, replace)


def record_interest(
    session: Session,
    settings: Settings,
    *,
    pupil_ref: str,
    source: InterestSource,
    profession_slug: str | None = None,
    topic: str | None = None,
    municipality: str | None = None,
    offer_kind: str | None = None,
    radius_km: float | None = None,
    today: date | None = None,
    is_demo: bool = False,
) -> None:
    """Interest shown by a pupil; the same interest twice in a month is kept once (one
    INSERT ... SELECT ... WHERE NOT EXISTS, so no read lock is ever upgraded to a write)."""
    try:
        field = (
            session.scalar(select(Profession.field).where(Profession.slug == profession_slug))
            if profession_slug
            else None
        )
        session.commit()  # end the read before writing (SQLite)
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("monitoring: interest signal not recorded (%s)", type(error).__name__)
        return
    values = {
        "contributor": _key(settings, pupil_ref),
        "month": _this_month(today),
        "source": source.value,
        "profession_slug": profession_slug if field is not None else None,
        "field": field[:1] if field else None,
        "topic": topic,
        "municipality": municipality,
        "offer_kind": offer_kind,
        "radius_km": radius_bucket(radius_km),
        "is_demo": is_demo,
    }
    columns = InterestSignal.__table__.c
    same = exists().where(
        *(
            columns[name] == value if value is not None else columns[name].is_(None)
            for name, value in values.items()
        )
    )
    statement = insert(InterestSignal).from_select(
        list(values),
        select(*(literal(value, type_=columns[name].type) for name, value in values.items())).where(~same),
    )
    try:
        session.execute(statement)
        session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("monitoring: interest signal not recorded (%s)", type(error).__name__)


def record_handoff(session: Session, *, today: date | None = None, is_demo: bool = False) -> None:
    _write(session, "hand-off", HandoffSignal(month=_this_month(today), is_demo=is_demo))


def delete_contributions(session: Session, settings: Settings, pupil_ref: str) -> int:
    """Delete the pupil's signals that are still individual (privacy deletion); the caller commits.

    Signals past their retention no longer carry the key (checks) or were folded into aggregates
    of at least k pupils (interest): nothing there can be traced back to the pupil any more.
    """
    key = _key(settings, pupil_ref)
    deleted = 0
    for model in (CheckSignal, InterestSignal):
        result = session.execute(
            delete(model).where(model.contributor == key).execution_options(synchronize_session=False)
        )
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


@dataclass(frozen=True)
class PurgeReport:
    interest_rows_folded: int
    aggregate_cells_kept: int
    check_rows_anonymised: int


def retention_cutoff(settings: Settings, now: datetime | None = None) -> date:
    """Signals of months that began before this day's month are past retention."""
    today = local_today(now or utc_now())
    return month_start(today - timedelta(days=settings.signal_retention_days))


def purge_signals(session: Session, settings: Settings, now: datetime | None = None) -> PurgeReport:
    """Fold interest signals past retention into aggregates (cells of >= k pupils; smaller cells
    are dropped) and delete them; take the key, the class session and the school type off check
    signals past retention. The caller commits."""
    cutoff = retention_cutoff(settings, now)
    old = InterestSignal.month < cutoff
    cells = session.execute(
        select(
            InterestSignal.month,
            InterestSignal.field,
            InterestSignal.municipality,
            InterestSignal.is_demo,
            func.count(func.distinct(InterestSignal.contributor)),
        )
        .where(old)
        .group_by(
            InterestSignal.month, InterestSignal.field, InterestSignal.municipality, InterestSignal.is_demo
        )
    ).all()
    kept = 0
    for month, field, municipality, is_demo, contributors in cells:
        if contributors >= settings.monitoring_k:
            session.add(
                InterestAggregate(
                    month=month,
                    field=field,
                    municipality=municipality,
                    contributors=contributors,
                    is_demo=is_demo,
                )
            )
            kept += 1
    folded = session.execute(delete(InterestSignal).where(old).execution_options(synchronize_session=False))
    anonymised = session.execute(
        update(CheckSignal)
        .where(CheckSignal.month < cutoff, CheckSignal.contributor.is_not(None))
        .values(contributor=None, class_session_id=None, school_type=None)
        .execution_options(synchronize_session=False)
    )
    return PurgeReport(
        interest_rows_folded=int(getattr(folded, "rowcount", 0) or 0),
        aggregate_cells_kept=kept,
        check_rows_anonymised=int(getattr(anonymised, "rowcount", 0) or 0),
    )
