from __future__ import annotations

from api.core.schemas import PublicSchema


class HealthPublic(PublicSchema):
    status: str
    database: str
    knowledge_hash: str | None
