"""Saved searches of pupils and the offers already announced for each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class SavedSearch(TimestampMixin, Base):
    """ "Tell me when there is something new": the filters of one search of one conversation.

    `pupil_ref` is the pseudonymous conversation id (Rasa's sender id), as for contact requests and
    check results. `delivery_token` is opaque to the API: the Telegram bridge sets it (through the
    chat's metadata) and alone can turn it back into a chat; the API never sees a chat id.
    Rows end with the pupil's "stop", a privacy deletion, or `saved_search_retention_days` after
    they were saved (`python -m api.cli purge`).
    """

    __tablename__ = "saved_searches"
    __table_args__ = (
        CheckConstraint("profession_slug IS NOT NULL OR topic_key IS NOT NULL", name="profession_or_topic"),
        CheckConstraint("language IN ('de', 'en')", name="language_known"),
        Index("ix_saved_searches_pupil_ref", "pupil_ref"),
        Index("ix_saved_searches_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(String(200))
    profession_slug: Mapped[str | None] = mapped_column(
        String(120), ForeignKey("professions.slug", ondelete="CASCADE")
    )
    topic_key: Mapped[str | None] = mapped_column(String(40), ForeignKey("topics.key", ondelete="CASCADE"))
    kind: Mapped[str | None] = mapped_column(String(20))
    municipality_slug: Mapped[str | None] = mapped_column(
        String(120), ForeignKey("municipalities.slug", ondelete="SET NULL")
    )
    # The place's point when the search was saved (a Samtgemeinde's members have their own).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_km: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(2), default="de")
    delivery_token: Mapped[str | None] = mapped_column(String(64))
    # When the pupil was last told about new offers (at most once a day).
    last_alerted_at: Mapped[datetime | None]


class AnnouncedOffer(Base):
    """An offer that was announced for a saved search: each offer is announced once per search."""

    __tablename__ = "saved_search_offers"
    __table_args__ = (Index("ix_saved_search_offers_offer_id", "offer_id"),)

    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    announced_at: Mapped[datetime]
