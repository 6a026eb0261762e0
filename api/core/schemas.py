"""Schema pieces shared by several domains."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
