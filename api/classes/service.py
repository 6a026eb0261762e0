"""Class sessions: create, list (only one's own), end, delete; pupils join by code; activity; the
pupil's deletion; retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.classes.codes import new_code, normalize_code
from api.classes.exceptions import ClassCodeUnknownError, ClassSessionEndedError
from api.classes.models import ClassMember, ClassMemberTopic, ClassSession
from api.classes.schemas import ClassTopic

NAME_MAX = 100
GRADE_MAX = 20
SCHOOL_MAX = 150
# How far from today a session's date may be (a typo like 2062 is caught).
DATE_RANGE_DAYS = 366
CODE_ATTEMPTS = 20


@dataclass(frozen=True)
class SessionInput:
    name: str
    grade: str
    school: str
    held_on: date


def validate_session_input(
    name: str, grade: str, school: str, held_on: str, today: date
) -> tuple[SessionInput | None, dict[str, str]]:
    """The form's values checked; errors as field -> string key of the pages' tables."""
    errors: dict[str, str] = {}
    name, grade, school = name.strip(), grade.strip(), school.strip()
    if not name:
        errors["name"] = "class_error_name_missing"
    elif len(name) > NAME_MAX:
        errors["name"] = "class_error_name_long"
    if not grade:
        errors["grade"] = "class_error_grade_missing"
    elif len(grade) > GRADE_MAX:
        errors["grade"] = "class_error_grade_long"
    if not school:
        errors["school"] = "class_error_school_missing"
    elif len(school) > SCHOOL_MAX:
        errors["school"] = "class_error_school_long"
    parsed: date | None = None
    try:
        parsed = date.fromisoformat(held_on.strip())
    except ValueError:
        errors["held_on"] = "class_error_date_invalid"
    if parsed is not None and abs((parsed - today).days) > DATE_RANGE_DAYS:
        errors["held_on"] = "class_error_date_range"
    if errors or parsed is None:
        return None, errors
    return SessionInput(name=name, grade=grade, school=school, held_on=parsed), {}


def unused_code(session: Session) -> str:
    """A code no stored session has (so none of the active ones either)."""
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        if session.scalar(select(ClassSession.id).where(ClassSession.code == code)) is None:
            return code
    raise RuntimeError("no free class code found")  # 887 million codes: never in practice


def create_session(
    session: Session, advisor_id: int, data: SessionInput, *, hours: int, now: datetime
) -> ClassSession:
    row = ClassSession(
        advisor_id=advisor_id,
        name=data.name,
        grade=data.grade,
        school=data.school,
        held_on=data.held_on,
        code=unused_code(session),
        created_at=now,
        ends_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return row


def advisor_sessions(session: Session, advisor_id: int) -> list[ClassSession]:
    """The advisor's own sessions, newest first."""
    return list(
        session.scalars(
            select(ClassSession)
            .where(ClassSession.advisor_id == advisor_id)
            .order_by(ClassSession.created_at.desc(), ClassSession.id.desc())
        )
    )


def own_session(session: Session, advisor_id: int, session_id: int) -> ClassSession | None:
    """The session when it belongs to this advisor; None for another's (indistinguishable from none)."""
    row = session.get(ClassSession, session_id)
    if row is None or row.advisor_id != advisor_id:
        return None
    return row


def end_session(row: ClassSession, now: datetime) -> None:
    if row.is_active(now):
        row.ended_at = now


def delete_session(session: Session, row: ClassSession) -> None:
    """At once, with its members, their topics and the hand-offs sent from it (api/share)."""
    from api.share.classes import delete_class_handoffs  # api/share reads this module

    delete_class_handoffs(session, row.id)
    members = select(ClassMember.id).where(ClassMember.session_id == row.id)
    session.execute(delete(ClassMemberTopic).where(ClassMemberTopic.member_id.in_(members)))
    session.execute(delete(ClassMember).where(ClassMember.session_id == row.id))
    session.delete(row)
    session.flush()


def member_count(session: Session, session_id: int) -> int:
    return len(session.scalars(select(ClassMember.id).where(ClassMember.session_id == session_id)).all())


# --- pupils ------------------------------------------------------------------------------------


def join_session(session: Session, pupil_ref: str, typed_code: str, now: datetime) -> ClassSession:
    """Put the pupil into the class of the code (out of any other); unknown or ended codes raise."""
    code = normalize_code(typed_code)
    row = session.scalar(select(ClassSession).where(ClassSession.code == code)) if code else None
    if row is None:
        raise ClassCodeUnknownError()
    if not row.is_active(now):
        raise ClassSessionEndedError()
    member = session.scalar(select(ClassMember).where(ClassMember.pupil_ref == pupil_ref))
    if member is not None and member.session_id == row.id:
        return row  # joined twice (a second tap on the link): nothing changes
    if member is not None:
        delete_pupil_membership(session, pupil_ref)
    session.add(ClassMember(session_id=row.id, pupil_ref=pupil_ref, joined_at=now))
    session.flush()
    return row


def pupil_membership(session: Session, pupil_ref: str) -> tuple[ClassMember, ClassSession] | None:
    member = session.scalar(select(ClassMember).where(ClassMember.pupil_ref == pupil_ref))
    if member is None:
        return None
    row = session.get(ClassSession, member.session_id)
    return (member, row) if row is not None else None


def pupil_class(session: Session, pupil_ref: str) -> ClassSession | None:
    """The class the pupil joined (active or ended but not yet deleted); None when none."""
    found = pupil_membership(session, pupil_ref)
    return found[1] if found else None


def record_activity(session: Session, pupil_ref: str, topic: ClassTopic, now: datetime) -> bool:
    """Count a topic for a member of an active class; the check's start also marks "in the check".
    Outside an active class nothing is stored."""
    found = pupil_membership(session, pupil_ref)
    if found is None or not found[1].is_active(now):
        return False
    member = found[0]
    if topic is ClassTopic.CHECK and member.check_started_at is None:
        member.check_started_at = now
    exists = session.get(ClassMemberTopic, (member.id, topic.value))
    if exists is None:
        session.add(ClassMemberTopic(member_id=member.id, topic=topic.value))
    session.flush()
    return True


def delete_pupil_membership(session: Session, pupil_ref: str) -> int:
    """The pupil's membership and topics (their "lösch meine Daten"); how many memberships went."""
    members = select(ClassMember.id).where(ClassMember.pupil_ref == pupil_ref)
    session.execute(delete(ClassMemberTopic).where(ClassMemberTopic.member_id.in_(members)))
    result = session.execute(delete(ClassMember).where(ClassMember.pupil_ref == pupil_ref))
    return int(getattr(result, "rowcount", 0) or 0)


# --- retention ---------------------------------------------------------------------------------


def purge_ended_sessions(session: Session, retention_days: int, now: datetime) -> int:
    """Delete sessions (with members and topics) that ended more than `retention_days` ago."""
    cutoff = now - timedelta(days=retention_days)
    old = [
        row
        for row in session.scalars(
            select(ClassSession).where(
                (ClassSession.ends_at < cutoff)
                | (ClassSession.ended_at.is_not(None) & (ClassSession.ended_at < cutoff))
            )
        )
        if row.end_time() < cutoff
    ]
    for row in old:
        delete_session(session, row)
    return len(old)
