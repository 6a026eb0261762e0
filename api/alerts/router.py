"""Saved searches and alerts of pupils.

The action server (service token): POST/GET/DELETE /api/v1/saved-searches, DELETE
/api/v1/saved-searches/{id}, POST /api/v1/alerts/claim (a conversation's due alerts).
The Telegram bridge (its alert token, or the service token): POST /api/v1/alerts/telegram/claim.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.alerts import service
from api.alerts.schemas import (
    AlertClaim,
    AlertPublic,
    SavedSearchCreate,
    SavedSearchesDeleted,
    SavedSearchPublic,
    TelegramAlert,
)
from api.auth.dependencies import require_alert_caller, require_service
from api.contacts.schemas import PUPIL_REF_MAX
from api.core.config import SettingsDep
from api.core.db import SessionDep

router = APIRouter(prefix="/api/v1", tags=["saved searches"])

PupilRefQuery = Annotated[
    str, Query(min_length=1, max_length=PUPIL_REF_MAX, description="The pseudonymous conversation id")
]
SearchId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Service = [Depends(require_service)]


@router.post(
    "/saved-searches",
    response_model=SavedSearchPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=Service,
    responses={
        409: {"description": "The same search is saved already, or the conversation has the most allowed"},
        422: {"description": "No occupation or topic, or an unknown occupation, topic or place"},
    },
)
def save_search(session: SessionDep, settings: SettingsDep, data: SavedSearchCreate) -> SavedSearchPublic:
    """Keep watching a search for this conversation; new matching offers become alerts."""
    return service.save_search(session, data, service.AlertRules.from_settings(settings))


@router.get("/saved-searches", response_model=list[SavedSearchPublic], dependencies=Service)
def list_searches(
    session: SessionDep, settings: SettingsDep, pupil_ref: PupilRefQuery
) -> list[SavedSearchPublic]:
    """The conversation's saved searches, oldest first."""
    return service.list_searches(session, pupil_ref, service.AlertRules.from_settings(settings))


@router.delete("/saved-searches/{search_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=Service)
def delete_search(session: SessionDep, search_id: SearchId, pupil_ref: PupilRefQuery) -> Response:
    """Stop one of the conversation's saved searches."""
    service.delete_search(session, search_id, pupil_ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/saved-searches", response_model=SavedSearchesDeleted, dependencies=Service)
def delete_all_searches(session: SessionDep, pupil_ref: PupilRefQuery) -> SavedSearchesDeleted:
    """Stop every saved search of the conversation (0 is fine)."""
    deleted = service.delete_pupil_searches(session, pupil_ref)
    session.commit()
    return SavedSearchesDeleted(deleted=deleted)


@router.post("/alerts/claim", response_model=list[AlertPublic], dependencies=Service)
def claim_alerts(session: SessionDep, settings: SettingsDep, data: AlertClaim) -> list[AlertPublic]:
    """The conversation's due alerts, marked delivered: show them now, they are not given again."""
    return service.claim_pupil_alerts(session, data.pupil_ref, service.AlertRules.from_settings(settings))


@router.post(
    "/alerts/telegram/claim", response_model=list[TelegramAlert], dependencies=[Depends(require_alert_caller)]
)
def claim_telegram_alerts(
    session: SessionDep, settings: SettingsDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[TelegramAlert]:
    """Due alerts of Telegram conversations, marked delivered; the bridge sends each to its chat."""
    return service.claim_telegram_alerts(session, service.AlertRules.from_settings(settings), limit=limit)
