"""Companies and the API keys they manage their offers with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin, utc_now

COMPANY_SIZES = ("micro", "small", "medium", "large")  # < 10, < 50, < 250, >= 250 employees


class Company(TimestampMixin, Base):
    """A training company. `municipality_slug` is set when its seat lies in the region."""

    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint("size IS NULL OR size IN ('micro', 'small', 'medium', 'large')", name="size_known"),
        Index("ix_companies_name", "name"),
        Index("ix_companies_is_demo", "is_demo"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    # The place as written (the import keeps what the source says, even outside the region).
    city: Mapped[str | None] = mapped_column(String(200))
    municipality_slug: Mapped[str | None] = mapped_column(ForeignKey("municipalities.slug"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    sector: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(10))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(500))
    # An admin checked that the company is real; until then its offers are not shown to pupils.
    verified: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Suspended by an admin: its offers are hidden, its clerks cannot sign in, its API keys fail.
    suspended_at: Mapped[datetime | None]


class ApiKey(Base):
    """A company's key, kept only as a keyed hash; `prefix` (shown in the key) finds the row."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_company_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None]
