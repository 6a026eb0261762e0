"""The pupil's side of contact requests, called by the action server with its service token:
POST /api/v1/contact-requests, GET /api/v1/contact-requests?pupil_ref=, DELETE .../{id}?pupil_ref=."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Response, status
from sqlalchemy.orm import Session

from api.auth.dependencies import require_service
from api.contacts import service
from api.contacts.notify import notify_company
from api.contacts.schemas import PUPIL_REF_MAX, ContactRequestCreate, ContactRequestPupil
from api.core.config import SettingsDep
from api.core.db import SessionDep, session_factory_for
from api.monitoring.dependencies import SignalRecorderDep
from api.monitoring.models import InterestSource
from api.offers.models import Offer

router = APIRouter(prefix="/api/v1", tags=["contact requests"], dependencies=[Depends(require_service)])

PupilRefQuery = Annotated[
    str, Query(min_length=1, max_length=PUPIL_REF_MAX, description="The pseudonymous conversation id")
]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def background_sessions(settings: SettingsDep) -> Callable[[], AbstractContextManager[Session]]:
    """Sessions for work done after the response (the request's own session is closed by then)."""
    return session_factory_for(settings.database_url)


BackgroundSessionsDep = Annotated[Callable[[], AbstractContextManager[Session]], Depends(background_sessions)]


@router.post(
    "/contact-requests",
    response_model=ContactRequestPupil,
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "No such offer"},
        409: {
            "description": "The offer is closed, the company takes no requests, or the pupil asked already"
        },
    },
)
def create_contact_request(
    session: SessionDep,
    settings: SettingsDep,
    sessions: BackgroundSessionsDep,
    background: BackgroundTasks,
    recorder: SignalRecorderDep,
    data: ContactRequestCreate,
) -> ContactRequestPupil:
    """Store the request and email the company in the background (`notification` says how it went)."""
    request = service.create_contact_request(session, data)
    background.add_task(notify_company, sessions, settings, request.id)
    described = service.describe_for_pupil(session, request)
    offer = session.get(Offer, data.offer_id)
    if offer is not None:
        recorder.interest(
            pupil_ref=data.pupil_ref,
            source=InterestSource.CONTACT_REQUEST,
            profession_slug=offer.profession_slug,
            municipality=offer.municipality_slug,
            offer_kind=offer.kind,
        )
    # End this request's (read) transaction before the background task writes: on SQLite an open
    # reader blocks the notification's write ("database is locked").
    session.commit()
    return described


@router.get("/contact-requests", response_model=list[ContactRequestPupil])
def list_contact_requests(session: SessionDep, pupil_ref: PupilRefQuery) -> list[ContactRequestPupil]:
    """The requests of one conversation, newest first."""
    return [
        service.describe_for_pupil(session, request) for request in service.pupil_requests(session, pupil_ref)
    ]


@router.delete("/contact-requests/{request_id}", status_code=status.HTTP_204_NO_CONTENT)
def withdraw_contact_request(
    session: SessionDep, request_id: RequestId, pupil_ref: PupilRefQuery
) -> Response:
    """Withdraw (delete) one of the conversation's requests."""
    service.withdraw_request(session, request_id, pupil_ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
