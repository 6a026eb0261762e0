"""Requests and answers of the sharing endpoints (the action server's, with the service token)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.check.schemas import PUPIL_REF_MAX, Language
from api.core.schemas import PublicSchema

QUESTION_MAX = 500
OCCUPATIONS_MAX = 3
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError("not an occupation slug")
    return value


Slug = Annotated[str, Field(max_length=120), AfterValidator(_slug)]


class HandoffRequest(BaseModel):
    """What the pupil wants to send: their saved result goes with it; nothing else is accepted."""

    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(min_length=1, max_length=PUPIL_REF_MAX, description="The conversation's pseudonym")
    language: Language = Language.DE
    question: str | None = Field(
        default=None, max_length=QUESTION_MAX, description="The pupil's own optional question, their words"
    )
    occupations: list[Slug] = Field(
        default_factory=list, max_length=OCCUPATIONS_MAX, description="Occupations the pupil asked about"
    )


class HandoffCreate(HandoffRequest):
    digest: str = Field(
        min_length=64, max_length=64, description="The digest of the preview the pupil confirmed"
    )


class HandoffPreview(PublicSchema):
    recipient: str = Field(description="class (the class's advisor) or region (the region's advisers)")
    recipient_label: str
    lines: list[str] = Field(description="Exactly what the advisor will read, line by line")
    text: str = Field(description="The lines as one text")
    digest: str = Field(description="Send it back with the pupil's confirmation")


class HandoffPublic(PublicSchema):
    id: int
    recipient: str
    created_at: datetime
    expires_at: datetime
    read: bool = Field(description="An advisor has opened it in the inbox")


class HandoffList(PublicSchema):
    items: list[HandoffPublic]


class HandoffsWithdrawn(PublicSchema):
    pupil_ref: str
    withdrawn: int = Field(ge=0)


class ResultLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(min_length=1, max_length=PUPIL_REF_MAX)
    language: Language = Language.DE


class ResultLinkPublic(PublicSchema):
    url: str = Field(description="Opens the PDF without a token until it expires")
    filename: str
    expires_at: datetime
