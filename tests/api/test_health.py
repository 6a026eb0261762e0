"""GET /healthz."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from api.knowledge_sync.meta import KNOWLEDGE_HASH, write_meta


async def test_healthz_names_the_database_and_the_loaded_knowledge(
    client: httpx.AsyncClient, session: Session, backend: str
) -> None:
    before = (await client.get("/healthz")).json()
    assert before == {"status": "ok", "database": backend, "knowledge_hash": None}
    write_meta(session, KNOWLEDGE_HASH, "abc123")
    after = await client.get("/healthz")
    assert after.status_code == 200
    assert after.json()["knowledge_hash"] == "abc123"
