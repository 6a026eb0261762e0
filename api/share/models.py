"""What a pupil chose to share with an advisor (a hand-off), and which advisers serve the region.

A hand-off holds no free text but the pupil's own optional question: the result as codes and
scores, the occupations as slugs; names and sentences are made from them when it is shown, in the
pupil's language, so the advisor reads exactly what the pupil confirmed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, utc_now


class Recipient:
    CLASS = "class"  # the advisor of the class session the pupil joined
    REGION = "region"  # the region's advisers (accounts marked in region_advisers)


class Handoff(Base):
    """One summary a pupil sent. One per pupil: sending again replaces it; withdrawing deletes it."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint("recipient IN ('class', 'region')", name="recipient_known"),
        CheckConstraint(
            "(recipient = 'class' AND advisor_id IS NOT NULL) "
            "OR (recipient = 'region' AND advisor_id IS NULL)",
            name="advisor_for_class",
        ),
        CheckConstraint("language IN ('de', 'en')", name="language_known"),
        Index("ix_handoffs_advisor_id", "advisor_id"),
        Index("ix_handoffs_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The conversation's pseudonym, as in check_results: never shown to the advisor.
    pupil_ref: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(10))
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # The class session it was sent from (no foreign key: the class may be deleted first; the
    # purge deletes the hand-off then).
    class_session_id: Mapped[int | None]
    language: Mapped[str] = mapped_column(String(2))
    # {"scores": {R..C}, "holland_code": "SAE", "occupations": [slug, ...], "completed_on": "2026-12-06"}
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    question: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    # When an advisor opened it in the inbox (the pupil can see that it was read).
    read_at: Mapped[datetime | None]


class RegionAdviser(Base):
    """An advisor account that also reads the summaries sent to the region's advisers."""

    __tablename__ = "region_advisers"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ResultLink(Base):
    """A link to a pupil's result as a PDF, for a short while. The URL holds a random token (only
    its SHA-256 is stored), never the pupil's pseudonym, so a forwarded link gives nothing away
    but the PDF itself, and only until it expires."""

    __tablename__ = "result_links"
    __table_args__ = (
        CheckConstraint("language IN ('de', 'en')", name="language_known"),
        Index("ix_result_links_pupil_ref", "pupil_ref"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
