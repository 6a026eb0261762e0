from __future__ import annotations

from pydantic import Field

from api.core.schemas import PublicSchema


class DeletedCounts(PublicSchema):
    contact_requests: int = Field(ge=0)
    check_results: int = Field(ge=0)
    saved_searches: int = Field(default=0, ge=0)
    tracker_events: int | None = Field(
        ge=0, description="Events deleted from Rasa's tracker store; null when none is configured"
    )


class ConversationDeleted(PublicSchema):
    pupil_ref: str
    deleted: DeletedCounts
