from __future__ import annotations

from pydantic import Field

from api.core.schemas import PublicSchema


class DeletedCounts(PublicSchema):
    contact_requests: int = Field(ge=0)
    check_results: int = Field(ge=0)
    handoffs: int = Field(default=0, ge=0, description="Summaries the pupil had sent to an advisor")
    class_memberships: int = Field(default=0, ge=0, description="The class the pupil had joined (0 or 1)")
    saved_searches: int = Field(default=0, ge=0, description="Saved searches (alerts for new offers)")
    tracker_events: int | None = Field(
        ge=0, description="Events deleted from Rasa's tracker store; null when none is configured"
    )
    signals: int = Field(
        default=0, ge=0, description="Monitoring signals still individual (docs/monitoring_privacy.md)"
    )


class ConversationDeleted(PublicSchema):
    pupil_ref: str
    deleted: DeletedCounts
