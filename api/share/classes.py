"""Where a hand-off meets the class sessions: the pupil's current class and its advisor.

The one place that reads the class sessions (api/classes, helper "class"). Until they are part of
this branch, no pupil is in a class: every hand-off goes to the region's advisers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class JoinedClass:
    session_id: int
    advisor_id: int
    name: str
    ends_at: datetime


def current_class(session: Session, pupil_ref: str, now: datetime) -> JoinedClass | None:
    """The active class session the pupil joined, or None."""
    return None


def class_name(session: Session, class_session_id: int | None) -> str | None:
    return None


def purge_ended_class_handoffs(session: Session, now: datetime) -> int:
    """Hand-offs of class sessions that were deleted or ended early enough are deleted with them."""
    return 0
