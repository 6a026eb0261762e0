"""The legal minimum apprentice pay, loaded from knowledge/ like everything else."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class MinimumPay(TimestampMixin, Base):
    """Monthly minimum for trainees who START in `start_year`, in their `training_year`."""

    __tablename__ = "minimum_pay"
    __table_args__ = (
        CheckConstraint("training_year BETWEEN 1 AND 4", name="training_year_range"),
        CheckConstraint("eur_per_month > 0", name="amount_positive"),
    )

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    training_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    eur_per_month: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(String(200), default="")
