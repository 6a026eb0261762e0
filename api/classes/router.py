"""The class endpoints of the action server (service token):

POST   /api/v1/classes/join                    {pupil_ref, code}: join (404 unknown, 410 ended code)
GET    /api/v1/classes/membership?pupil_ref=   the pupil's class (404 when none)
DELETE /api/v1/classes/membership?pupil_ref=   leave the class
POST   /api/v1/classes/activity                {pupil_ref, topic}: count a topic (nothing outside a class)

The advisor's pages and the overview's JSON are in pages.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth.dependencies import require_service
from api.classes import service
from api.classes.exceptions import NotInClassError
from api.classes.models import ClassSession
from api.classes.schemas import (
    PUPIL_REF_MAX,
    ActivityRecorded,
    ActivityRequest,
    JoinRequest,
    MembershipDeleted,
    PupilClass,
)
from api.core.db import SessionDep
from api.core.models import utc_now

router = APIRouter(prefix="/api/v1/classes", tags=["classes"], dependencies=[Depends(require_service)])

PupilRef = Annotated[str, Query(min_length=1, max_length=PUPIL_REF_MAX)]


def pupil_class_of(row: ClassSession) -> PupilClass:
    return PupilClass(
        session_id=row.id,
        code=row.code,
        name=row.name,
        grade=row.grade,
        school=row.school,
        held_on=row.held_on,
        advisor_id=row.advisor_id,
        active=row.is_active(utc_now()),
        ends_at=row.end_time(),
    )


@router.post(
    "/join",
    response_model=PupilClass,
    responses={404: {"description": "No class has this code"}, 410: {"description": "The class has ended"}},
)
def join_class(session: SessionDep, data: JoinRequest) -> PupilClass:
    """Put the pupil's conversation into the class of the code (out of any other class)."""
    row = service.join_session(session, data.pupil_ref, data.code, utc_now())
    session.commit()
    return pupil_class_of(row)


@router.get("/membership", response_model=PupilClass, responses={404: {"description": "In no class"}})
def get_membership(session: SessionDep, pupil_ref: PupilRef) -> PupilClass:
    """The class the pupil joined (also after it ended, until it is deleted)."""
    row = service.pupil_class(session, pupil_ref)
    if row is None:
        raise NotInClassError()
    return pupil_class_of(row)


@router.delete("/membership", response_model=MembershipDeleted)
def leave_class(session: SessionDep, pupil_ref: PupilRef) -> MembershipDeleted:
    deleted = service.delete_pupil_membership(session, pupil_ref)
    session.commit()
    return MembershipDeleted(deleted=deleted)


@router.post("/activity", response_model=ActivityRecorded)
def record_activity(session: SessionDep, data: ActivityRequest) -> ActivityRecorded:
    """Count what a member asked about (a topic key, never text); starting the check also marks
    the pupil as "in the check"."""
    recorded = service.record_activity(session, data.pupil_ref, data.topic, utc_now())
    session.commit()
    return ActivityRecorded(recorded=recorded)
