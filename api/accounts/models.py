"""Accounts, their sessions and their one-time sign-in links.

Secrets are never stored: a password as its argon2id hash, a session id and a link token as their
SHA-256 (both are 32 random bytes, so a hash cannot be reversed by guessing).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin, utc_now


class Role(StrEnum):
    ADVISOR = "advisor"  # a school's career advisor or teacher
    DISTRICT = "district"  # the district's education office (monitoring)
    ADMIN = "admin"  # runs Berufslotse: creates accounts, verifies companies
    COMPANY = "company"  # a clerk of one company of the exchange


class LinkPurpose(StrEnum):
    INVITATION = "invitation"  # sent when an account is created; valid for days
    SIGN_IN = "sign-in"  # asked for on the login page; valid for minutes


class Account(TimestampMixin, Base):
    """One person. `email` is stored lower-case, so it is unique regardless of case."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("role IN ('advisor', 'district', 'admin', 'company')", name="role_known"),
        CheckConstraint(
            "(role = 'company' AND company_id IS NOT NULL) OR (role <> 'company' AND company_id IS NULL)",
            name="company_for_company_role",
        ),
        Index("ix_accounts_company_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    # None until the person sets one; signing in by email link works without it.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    # A disabled account cannot sign in; its sessions and links are deleted when it is disabled.
    disabled_at: Mapped[datetime | None]


class AccountSession(Base):
    """A signed-in browser. The cookie holds the token; the row only its hash."""

    __tablename__ = "account_sessions"
    __table_args__ = (Index("ix_account_sessions_account_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The latest moment the session can live, however active it is.
    expires_at: Mapped[datetime]


class SignInLink(Base):
    """A one-time link: used once (`used_at`), or never after `expires_at`."""

    __tablename__ = "sign_in_links"
    __table_args__ = (
        CheckConstraint("purpose IN ('invitation', 'sign-in')", name="purpose_known"),
        Index("ix_sign_in_links_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
