"""GET /healthz: the API is up and its database answers."""

from __future__ import annotations

from fastapi import APIRouter

from api.core.db import SessionDep
from api.health.schemas import HealthPublic
from api.knowledge_sync.meta import KNOWLEDGE_HASH, read_meta

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthPublic)
def healthz(session: SessionDep) -> HealthPublic:
    """`knowledge_hash` is null until `python -m api.cli load-knowledge` has run.

    A database that cannot be reached is answered with 503 (problem+json) by the error handlers.
    """
    knowledge_hash = read_meta(session, KNOWLEDGE_HASH)
    return HealthPublic(status="ok", database=session.get_bind().dialect.name, knowledge_hash=knowledge_hash)
