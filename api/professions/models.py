"""Occupations and the controlled vocabularies that label them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoredText(_Document):
    description: str
    tasks: list[str]
    workplaces: list[str]


class StoredLocalized(_Document):
    de: str
    en: str


class StoredAgreedPay(_Document):
    year: int
    eur_per_month: int
    scope: str
    source_url: str = ""


class StoredRegulation(_Document):
    year: int
    title: str
    source: str


class ProfileDocument(_Document):
    """The shape of `Profession.profile`: the parts of a profile that are shown, not filtered."""

    synonyms: list[str]
    text: dict[str, StoredText]
    subjects: list[str]
    related: list[str]
    pay_note: StoredLocalized | None = None
    agreed_pay: list[StoredAgreedPay] = []
    regulation: StoredRegulation | None = None


class Profession(TimestampMixin, Base):
    """One job profile. Columns hold what is filtered and listed; `profile` holds the rest
    (a `ProfileDocument` as JSON)."""

    __tablename__ = "professions"
    __table_args__ = (
        CheckConstraint("duration_months > 0", name="duration_positive"),
        *(
            CheckConstraint(f"interest_{code} BETWEEN 0 AND 100", name=f"interest_{code}_range")
            for code in "riasec"
        ),
        Index("ix_professions_field", "field"),
        Index("ix_professions_training_type", "training_type"),
    )

    slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_masc: Mapped[str] = mapped_column(String(200))
    name_fem: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    training_type: Mapped[str] = mapped_column(String(30))
    duration_months: Mapped[int]
    field: Mapped[str] = mapped_column(String(2))
    riasec: Mapped[str] = mapped_column(String(3))
    kldb_code: Mapped[str] = mapped_column(String(5))
    certificate_typical: Mapped[str] = mapped_column(String(30))
    certificate_required: Mapped[str] = mapped_column(String(30))
    legal_minimum_pay: Mapped[bool]
    profile: Mapped[dict[str, Any]]
    # The six interest scores 0..100 (knowledge/interests); null only for a profile without them.
    interest_r: Mapped[int | None]
    interest_i: Mapped[int | None]
    interest_a: Mapped[int | None]
    interest_s: Mapped[int | None]
    interest_e: Mapped[int | None]
    interest_c: Mapped[int | None]

    def interests(self) -> tuple[int, ...] | None:
        """The six scores in RIASEC order, or None when the profile has none."""
        values = tuple(getattr(self, f"interest_{code}") for code in "riasec")
        return None if any(value is None for value in values) else values

    @property
    def document(self) -> ProfileDocument:
        return ProfileDocument.model_validate(self.profile)


class VocabularyTerm(TimestampMixin, Base):
    """A code of a controlled vocabulary (certificate, training type, subject, field, RIASEC type)."""

    __tablename__ = "vocabulary_terms"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    # Order in the knowledge file; for certificates also the rank used in "at most" comparisons.
    position: Mapped[int]
    rank: Mapped[int | None]
    label_de: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))


class VocabularyKind(StrEnum):
    CERTIFICATE = "certificate"
    TRAINING_TYPE = "training_type"
    SUBJECT = "subject"
    FIELD = "field"
    RIASEC = "riasec"


class Topic(TimestampMixin, Base):
    """Something pupils explore occupations by ("animals"), from knowledge/topics.yaml."""

    __tablename__ = "topics"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int]
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class ProfessionTopic(TimestampMixin, Base):
    """An occupation of a topic; `position` 0 is the one a career adviser would name first."""

    __tablename__ = "profession_topics"
    __table_args__ = (Index("ix_profession_topics_profession_slug", "profession_slug"),)

    topic_key: Mapped[str] = mapped_column(
        String(40), ForeignKey("topics.key", ondelete="CASCADE"), primary_key=True
    )
    profession_slug: Mapped[str] = mapped_column(
        String(120), ForeignKey("professions.slug", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]
