"""Schema pieces shared by several domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict

# Paging past this many items is refused with a 422 (no list is that long; a bigger number would
# overflow the database's 64-bit integers and used to end in a 500).
MAX_OFFSET = 1_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip, at most {MAX_OFFSET}")]


class PublicSchema(BaseModel):
    """Base of every response schema: built from attributes, unknown input refused."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class LocalizedLabel(PublicSchema):
    de: str
    en: str


class CodedLabel(PublicSchema):
    code: str
    de: str
    en: str
