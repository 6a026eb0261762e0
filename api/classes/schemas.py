"""What the action server sends and gets back about classes, and the overview's JSON."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from api.core.schemas import PublicSchema

PUPIL_REF_MAX = 200


class ClassTopic(StrEnum):
    """What a class member asked about, as the action server names it (never the pupil's words)."""

    CHECK = "check"
    OCCUPATION = "occupation"
    PAY = "pay"
    DURATION = "duration"
    CERTIFICATE = "certificate"
    EXPLORE = "explore"
    COMPARE = "compare"
    OFFERS = "offers"
    TRAINING_RULES = "training_rules"
    CONTACT = "contact"
    ADVICE = "advice"


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(min_length=1, max_length=PUPIL_REF_MAX)
    code: str = Field(min_length=1, max_length=20, description="As typed: case and spaces do not matter")


class ActivityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(min_length=1, max_length=PUPIL_REF_MAX)
    topic: ClassTopic


class PupilClass(PublicSchema):
    """The class a pupil is in (for the hand-off to the class's advisor)."""

    session_id: int
    code: str
    name: str
    grade: str
    school: str
    held_on: date
    advisor_id: int
    active: bool
    ends_at: datetime


class ActivityRecorded(PublicSchema):
    recorded: bool = Field(description="False when the pupil is in no active class (nothing stored)")


class MembershipDeleted(PublicSchema):
    deleted: int = Field(ge=0)


# --- the overview -----------------------------------------------------------------------------


class CountedItem(PublicSchema):
    key: str
    name: str
    count: int = Field(ge=0)


class TypeShare(PublicSchema):
    code: str
    name: str
    mean_score: float
    top_count: int | None = Field(description="Pupils whose strongest type it is; null when fewer than k")


class ClassOverview(PublicSchema):
    """Everything aggregated; a part is null (hidden) while its group has fewer than k pupils."""

    session_id: int
    active: bool
    min_group: int = Field(description="k: no aggregate is shown for fewer pupils")
    joined: int
    in_check: int
    finished: int
    profile: list[TypeShare] | None
    fields: list[CountedItem] | None
    occupations: list[CountedItem] | None
    topics: list[CountedItem] | None
    summary: str = Field(description="One sentence for a screen reader (aria-live)")
