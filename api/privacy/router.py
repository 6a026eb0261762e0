"""DELETE /api/v1/privacy/conversations/{pupil_ref}: the action server (service token) or the
Telegram bridge (its privacy token, which opens nothing else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import Connection, Engine

from api.auth.dependencies import require_privacy_caller
from api.contacts.schemas import PUPIL_REF_MAX
from api.core.config import SettingsDep
from api.core.db import SessionDep, engine_for
from api.privacy import service
from api.privacy.schemas import ConversationDeleted

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"], dependencies=[Depends(require_privacy_caller)])


def tracker_store(settings: SettingsDep) -> Engine | Connection | None:
    """Rasa's SQL tracker store, when configured."""
    return engine_for(settings.tracker_store_url) if settings.tracker_store_url else None


TrackerStoreDep = Annotated[Engine | Connection | None, Depends(tracker_store)]


@router.delete("/conversations/{pupil_ref}", response_model=ConversationDeleted)
def delete_conversation(
    session: SessionDep,
    settings: SettingsDep,
    store: TrackerStoreDep,
    pupil_ref: Annotated[str, Path(min_length=1, max_length=PUPIL_REF_MAX)],
) -> ConversationDeleted:
    """Delete everything held about this conversation; answers how much was deleted (0 is fine)."""
    return service.delete_conversation(session, pupil_ref, store, settings)
