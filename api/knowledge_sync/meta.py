"""Reading and writing the knowledge meta table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.knowledge_sync.models import KnowledgeMeta

KNOWLEDGE_HASH = "knowledge_hash"
SEARCH_HASH = "search_hash"
# hash of every row an occupation's description reads (the description cache is keyed by it)
PROFILES_HASH = "profiles_hash"


def read_meta(session: Session, key: str) -> str | None:
    return session.scalar(select(KnowledgeMeta.value).where(KnowledgeMeta.key == key))


def write_meta(session: Session, key: str, value: str) -> None:
    row = session.get(KnowledgeMeta, key)
    if row is None:
        session.add(KnowledgeMeta(key=key, value=value))
    elif row.value != value:
        row.value = value
    session.flush()
