"""Where a hand-off meets the class sessions (api/classes): the pupil's class and its advisor.

A pupil who joined a class sends to that class's advisor, during the lesson and afterwards, as long
as a hand-off sent now would still be kept a while (`handoff_after_class_days` after the class
ended); otherwise, and without a class, to the region's advisers. When a class session is deleted
(by its advisor, or by retention) its hand-offs go with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.classes.models import ClassSession
from api.classes.service import pupil_class
from api.share.models import Handoff


@dataclass(frozen=True)
class JoinedClass:
    session_id: int
    advisor_id: int
    name: str
    ends_at: datetime


def current_class(
    session: Session, pupil_ref: str, now: datetime, kept_after_end: timedelta
) -> JoinedClass | None:
    """The class the pupil joined, unless it ended so long ago that a hand-off would not be kept."""
    row = pupil_class(session, pupil_ref)
    if row is None or row.end_time() + kept_after_end <= now:
        return None
    return JoinedClass(session_id=row.id, advisor_id=row.advisor_id, name=row.name, ends_at=row.end_time())


def class_name(session: Session, class_session_id: int | None) -> str | None:
    if class_session_id is None:
        return None
    row = session.get(ClassSession, class_session_id)
    return row.name if row is not None else None


def delete_class_handoffs(session: Session, class_session_id: int) -> int:
    """The hand-offs sent from a class that is being deleted (api/classes/service.delete_session)."""
    result = session.execute(
        delete(Handoff)
        .where(Handoff.class_session_id == class_session_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_ended_class_handoffs(session: Session, now: datetime) -> int:
    """Hand-offs whose class session no longer exists (deleted without this module, or by hand)."""
    existing = select(ClassSession.id)
    result = session.execute(
        delete(Handoff)
        .where(Handoff.class_session_id.is_not(None), Handoff.class_session_id.not_in(existing))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
