"""Contact requests and what the pupil chose to share."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class ContactStatus(StrEnum):
    NEW = "new"
    SEEN = "seen"
    ANSWERED = "answered"


class ContactRequest(TimestampMixin, Base):
    """What a pupil shared with one company about one offer, and the consent they gave.

    `pupil_ref` is the pseudonymous conversation id (Rasa's sender id); nothing else identifies the
    pupil unless they chose to share it. Rows are deleted after `contact_retention_days` and when
    the pupil asks (withdrawal or privacy deletion).
    """

    __tablename__ = "contact_requests"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="email_or_phone"),
        CheckConstraint("status IN ('new', 'seen', 'answered')", name="status_known"),
        Index("ix_contact_requests_pupil_ref", "pupil_ref"),
        Index("ix_contact_requests_offer_id", "offer_id"),
        Index("ix_contact_requests_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    pupil_ref: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    consent_text: Mapped[str] = mapped_column(Text)
    consent_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=ContactStatus.NEW.value)
    # When the company's email was accepted by the SMTP server; `notify_failed` when it was not.
    notified_at: Mapped[datetime | None]
    notify_failed: Mapped[bool] = mapped_column(default=False)
