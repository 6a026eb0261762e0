"""One row per action of an admin or a company clerk (never a pupil's data: ids and field names only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, utc_now


class AuditEntry(Base):
    """Who (`actor_email`, kept when the account is deleted), what (`action`, `subject`, `detail`),
    when (`at`), for which company."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_company_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    actor_role: Mapped[str] = mapped_column(String(16))
    # A dotted verb: company.verify, company.suspend, offer.create, contact.reply, ...
    action: Mapped[str] = mapped_column(String(60))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    # What was acted on, as "offer:12" or "contact:7"; empty for the company itself.
    subject: Mapped[str] = mapped_column(String(60), default="")
    # Short and free of personal data: changed field names, counts of an import.
    detail: Mapped[str] = mapped_column(String(500), default="")
