"""The legal minimum apprentice pay that applies to a training starting in a given year."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.pay.models import MinimumPay


def latest_start_year(session: Session) -> int | None:
    return session.scalar(select(func.max(MinimumPay.start_year)))


def minimum_pay_for_start_year(session: Session, start_year: int) -> Sequence[MinimumPay]:
    """The monthly minimum per training year for trainees starting in `start_year`."""
    return session.scalars(
        select(MinimumPay).where(MinimumPay.start_year == start_year).order_by(MinimumPay.training_year)
    ).all()
