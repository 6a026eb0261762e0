"""A class session of one advisor, the pupils who joined it (by pseudonym only) and the topics they
asked about (keys, never text)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, utc_now


class ClassSession(Base):
    """One lesson: the advisor creates it and shows its code; it ends by hand or at `ends_at`.

    The code is unique among all stored sessions (so among the active ones too); a session's rows
    are deleted `class_retention_days` after it ended (`python -m api.cli purge`).
    """

    __tablename__ = "class_sessions"
    __table_args__ = (Index("ix_class_sessions_advisor_id", "advisor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisor_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(20))
    school: Mapped[str] = mapped_column(String(150))
    held_on: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    ends_at: Mapped[datetime]
    # Set when the advisor ends the session early; otherwise it ends at `ends_at`.
    ended_at: Mapped[datetime | None]

    def end_time(self) -> datetime:
        """When the session ended or will end."""
        if self.ended_at is not None and self.ended_at < self.ends_at:
            return self.ended_at
        return self.ends_at

    def is_active(self, now: datetime) -> bool:
        return now < self.end_time()


class ClassMember(Base):
    """A pupil in a class session: only the conversation's pseudonym (`pupil_ref`, as in
    check_results), never a name. A pupil is in one class at a time: joining another moves them."""

    __tablename__ = "class_members"
    __table_args__ = (Index("ix_class_members_session_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    pupil_ref: Mapped[str] = mapped_column(String(200), unique=True)
    joined_at: Mapped[datetime] = mapped_column(default=utc_now)
    # When the pupil started the check in this class (the action server says so).
    check_started_at: Mapped[datetime | None]


class ClassMemberTopic(Base):
    """A topic a member asked about (a key of `CLASS_TOPICS`), counted once per pupil."""

    __tablename__ = "class_member_topics"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("class_members.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
