"""The career-choice check: its item bank (loaded from knowledge/check by load-knowledge) and the
pseudonymous records of completed checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class CheckItem(TimestampMixin, Base):
    """One work activity the pupil rates (knowledge/check/items.yaml)."""

    __tablename__ = "check_items"
    __table_args__ = (
        CheckConstraint("type IN ('R', 'I', 'A', 'S', 'E', 'C')", name="type_riasec"),
        CheckConstraint("full_position > 0", name="full_position_positive"),
    )

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    type: Mapped[str] = mapped_column(String(1))
    # 1-based place in the quick check (null: not part of it) and in the full check.
    quick_position: Mapped[int | None]
    full_position: Mapped[int]
    text_de: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300))
    example_occupation: Mapped[str] = mapped_column(String(120))


class CheckItemOccupation(TimestampMixin, Base):
    """An occupation a check item stands for (knowledge/check/items.yaml `occupations`)."""

    __tablename__ = "check_item_occupations"

    item_id: Mapped[str] = mapped_column(ForeignKey("check_items.id", ondelete="CASCADE"), primary_key=True)
    # No foreign key to professions, like check_results: reloading knowledge/ never trips over it.
    profession_slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    position: Mapped[int]


class CheckType(TimestampMixin, Base):
    """One of the six interest types with the texts the result shows (knowledge/check/types.yaml)."""

    __tablename__ = "check_types"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    position: Mapped[int]
    emoji: Mapped[str] = mapped_column(String(20))
    name_de: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    short_de: Mapped[str] = mapped_column(String(50))
    short_en: Mapped[str] = mapped_column(String(50))
    explanation_de: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    reason_de: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)


class CheckAnswerOption(TimestampMixin, Base):
    """One step of the five-step answer scale (knowledge/check/answers.yaml)."""

    __tablename__ = "check_answer_options"
    __table_args__ = (CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),)

    value: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    meaning_de: Mapped[str] = mapped_column(String(100))
    meaning_en: Mapped[str] = mapped_column(String(100))
    button_de: Mapped[str] = mapped_column(String(50))
    button_en: Mapped[str] = mapped_column(String(50))


class CheckText(TimestampMixin, Base):
    """Texts of the check that belong to no single type: `reason_one` and `reason_two`, the
    templates of the "why it fits" sentence."""

    __tablename__ = "check_texts"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    de: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)


class CheckResult(Base):
    """A completed check, kept for the district's statistics and for the pupil to see again.

    Pseudonymous by construction: `pupil_ref` is the conversation's pseudonym (so the pupil can
    see and delete it), no chat id, no name, no free text, no time of day. One record per pupil:
    a new check replaces the previous one.
    """

    __tablename__ = "check_results"
    __table_args__ = (
        CheckConstraint("variant IN ('quick', 'full')", name="variant_known"),
        *(
            CheckConstraint(f"score_{code} BETWEEN 0 AND 100", name=f"score_{code}_range")
            for code in "riasec"
        ),
        Index("ix_check_results_municipality_certificate", "municipality", "certificate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(String(200), unique=True)
    variant: Mapped[str] = mapped_column(String(10))
    score_r: Mapped[float | None] = mapped_column(Float)
    score_i: Mapped[float | None] = mapped_column(Float)
    score_a: Mapped[float | None] = mapped_column(Float)
    score_s: Mapped[float | None] = mapped_column(Float)
    score_e: Mapped[float | None] = mapped_column(Float)
    score_c: Mapped[float | None] = mapped_column(Float)
    # Codes as in knowledge/ (vocab certificates, municipality slugs); no foreign keys, so that
    # reloading knowledge/ never fails on a record or silently drops one.
    certificate: Mapped[str | None] = mapped_column(String(30))
    municipality: Mapped[str | None] = mapped_column(String(120))
    completed_on: Mapped[date] = mapped_column(Date)
    # The answers (item id -> 1..5, or null when skipped), so that the result can be matched again
    # with the pupil's own answers as evidence; and where the pupil looks for offers.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    radius_km: Mapped[int | None]
    looking_for: Mapped[str | None] = mapped_column(String(20))

    def scores(self) -> dict[str, float | None]:
        return {code.upper(): getattr(self, f"score_{code}") for code in "riasec"}
