"""The signal tables: what the monitoring keeps of pupils' use, and nothing more.

No row holds free text, a name, a chat or sender id, the conversation's id or a time of day: only
the month, codes from knowledge/ (occupation slugs, KldB fields, municipality slugs, vocabulary
codes) and numbers rounded into buckets. `contributor` is a keyed hash of the conversation's id
(HMAC-SHA256 with `signal_secret`): it lets the statistics count distinct pupils and lets a pupil's
deletion find their rows; without the secret it names nobody. `api.cli purge` folds rows older than
`signal_retention_days` into `interest_aggregates` (cells of at least k pupils) and deletes them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base

CONTRIBUTOR_LENGTH = 64


class InterestSource(StrEnum):
    """Where a pupil showed interest in an occupation, field or topic."""

    LOOKUP = "lookup"  # asked about an occupation
    TOPIC = "topic"  # asked for the occupations of a topic
    OFFER_SEARCH = "offer_search"  # searched the exchange
    CONTACT_REQUEST = "contact_request"  # asked a company to get in touch


class CheckSignal(Base):
    """A completed check: scores rounded to tens, where the pupil is and what they have."""

    __tablename__ = "check_signals"
    __table_args__ = (
        *(
            CheckConstraint(
                f"score_{code} IN (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)", name=f"score_{code}_bucket"
            )
            for code in "riasec"
        ),
        Index("ix_check_signals_month", "month"),
        Index("ix_check_signals_contributor", "contributor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor: Mapped[str | None] = mapped_column(String(CONTRIBUTOR_LENGTH))
    month: Mapped[date] = mapped_column(Date)
    variant: Mapped[str] = mapped_column(String(10))
    score_r: Mapped[int | None] = mapped_column(SmallInteger)
    score_i: Mapped[int | None] = mapped_column(SmallInteger)
    score_a: Mapped[int | None] = mapped_column(SmallInteger)
    score_s: Mapped[int | None] = mapped_column(SmallInteger)
    score_e: Mapped[int | None] = mapped_column(SmallInteger)
    score_c: Mapped[int | None] = mapped_column(SmallInteger)
    certificate: Mapped[str | None] = mapped_column(String(30))
    municipality: Mapped[str | None] = mapped_column(String(120))
    # A class session of an advisor, when the check was done in class; no foreign key (sessions
    # may be deleted long before the signal) and no pupil behind it.
    class_session_id: Mapped[int | None]
    school_type: Mapped[str | None] = mapped_column(String(30))
    is_demo: Mapped[bool] = mapped_column(default=False)


class InterestSignal(Base):
    """One time a pupil showed interest: an occupation asked about, a topic, a search, a request."""

    __tablename__ = "interest_signals"
    __table_args__ = (
        CheckConstraint(
            "source IN ('lookup', 'topic', 'offer_search', 'contact_request')", name="source_known"
        ),
        Index("ix_interest_signals_month_field", "month", "field"),
        Index("ix_interest_signals_contributor", "contributor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor: Mapped[str | None] = mapped_column(String(CONTRIBUTOR_LENGTH))
    month: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    profession_slug: Mapped[str | None] = mapped_column(String(120))
    # KldB 2010 Berufsbereich (first digit of the occupation's code)
    field: Mapped[str | None] = mapped_column(String(1))
    topic: Mapped[str | None] = mapped_column(String(40))
    municipality: Mapped[str | None] = mapped_column(String(120))
    offer_kind: Mapped[str | None] = mapped_column(String(20))
    radius_km: Mapped[int | None] = mapped_column(SmallInteger)
    is_demo: Mapped[bool] = mapped_column(default=False)


class HandoffSignal(Base):
    """A hand-off to a person of the region's advisory services: counted, nothing else."""

    __tablename__ = "handoff_signals"
    __table_args__ = (Index("ix_handoff_signals_month", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(default=False)


class InterestAggregate(Base):
    """Interest signals past their retention, folded per month, field and municipality.

    Only cells of at least k distinct pupils are kept (the rest is dropped), so every statistic
    that adds these cells up still rests on at least k pupils.
    """

    __tablename__ = "interest_aggregates"
    __table_args__ = (
        CheckConstraint("contributors > 0", name="contributors_positive"),
        Index("ix_interest_aggregates_month", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    field: Mapped[str | None] = mapped_column(String(1))
    municipality: Mapped[str | None] = mapped_column(String(120))
    contributors: Mapped[int]
    is_demo: Mapped[bool] = mapped_column(default=False)
