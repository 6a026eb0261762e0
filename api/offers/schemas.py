"""Request and response schemas of the offer endpoints.

Text lengths are checked by the service (so that a clerk reads which field is too long, in German);
the limits are published in the JSON schema through `maxLength`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from api.core.schemas import PublicSchema
from api.offers.models import OfferKind

TITLE_MAX = 200
DESCRIPTION_MAX = 4000
APPLY_URL_MAX = 500
APPLY_CONTACT_MAX = 300
PLACE_TEXT_MAX = 120


def _max_length(limit: int) -> dict[str, Any]:
    return {"maxLength": limit}


class HowToApply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, json_schema_extra=_max_length(APPLY_URL_MAX))
    contact: str | None = Field(
        default=None,
        description="A person, an email address or a phone number",
        json_schema_extra=_max_length(APPLY_CONTACT_MAX),
    )


class OfferCreate(BaseModel):
    """A new offer from a company. `municipality` takes a name, a postcode or a slug of the region."""

    model_config = ConfigDict(extra="forbid")

    kind: OfferKind
    profession: str = Field(max_length=120, description="Slug of the occupation (see /api/v1/professions)")
    title: str = Field(json_schema_extra=_max_length(TITLE_MAX))
    description: str = Field(default="", json_schema_extra=_max_length(DESCRIPTION_MAX))
    start_date: date
    places: int = Field(default=1, ge=1, le=999)
    municipality: str = Field(max_length=PLACE_TEXT_MAX)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    certificate_expected: str | None = Field(default=None, max_length=30)
    how_to_apply: HowToApply
    expires_at: AwareDatetime | None = Field(default=None, description="Default: the end of the start day")


class OfferUpdate(BaseModel):
    """Changes to an offer: only the fields sent are applied. `status` may be active or filled
    (withdrawing has its own endpoint)."""

    model_config = ConfigDict(extra="forbid")

    kind: OfferKind | None = None
    profession: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, json_schema_extra=_max_length(TITLE_MAX))
    description: str | None = Field(default=None, json_schema_extra=_max_length(DESCRIPTION_MAX))
    start_date: date | None = None
    places: int | None = Field(default=None, ge=1, le=999)
    municipality: str | None = Field(default=None, max_length=PLACE_TEXT_MAX)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    certificate_expected: str | None = Field(default=None, max_length=30)
    how_to_apply: HowToApply | None = None
    expires_at: AwareDatetime | None = None
    status: Literal["active", "filled"] | None = None

    @field_validator(
        "kind",
        "profession",
        "title",
        "start_date",
        "places",
        "municipality",
        "how_to_apply",
        "expires_at",
        "status",
    )
    @classmethod
    def not_null(cls, value: object) -> object:
        # Runs only for values that were sent: leaving a field out keeps it, null cannot clear it.
        if value is None:
            raise ValueError("this field cannot be emptied")
        return value


class PlacePublic(PublicSchema):
    slug: str
    name: str


class ProfessionRef(PublicSchema):
    slug: str
    name: str
    name_en: str


class HowToApplyPublic(PublicSchema):
    url: str | None
    contact: str | None


class OfferSummary(PublicSchema):
    """One search result: enough for a short card in the chat."""

    id: int
    kind: OfferKind
    title: str
    profession: ProfessionRef
    company_id: int
    company_name: str
    place: PlacePublic
    lat: float
    lon: float
    start_date: date | None
    places: int
    certificate_expected: str | None
    expires_at: datetime
    distance_km: float | None = Field(description="From the place given in `near`; null without it")
    related: bool = Field(description="True for offers of a related occupation (include_related)")
    contactable: bool = Field(description="Whether a contact request can reach the company")
    is_demo: bool = Field(description="Generated demo data, not a real offer")


class OfferPage(PublicSchema):
    items: list[OfferSummary]
    total: int = Field(ge=0, description="Number of offers that pass every filter")


class CompanyPublic(PublicSchema):
    id: int
    name: str
    place: PlacePublic | None
    city: str | None
    sector: str | None
    website: str | None
    verified: bool
    is_demo: bool


class OfferPublic(OfferSummary):
    """One offer with everything a pupil may read."""

    description: str
    how_to_apply: HowToApplyPublic
    published_at: datetime
    company: CompanyPublic


class OfferOwn(PublicSchema):
    """An offer as its company sees it. `status` is `expired` once `expires_at` has passed."""

    id: int
    kind: OfferKind
    profession: str
    title: str
    description: str
    start_date: date | None
    places: int
    place: PlacePublic
    lat: float
    lon: float
    certificate_expected: str | None
    how_to_apply: HowToApplyPublic
    published_at: datetime
    expires_at: datetime
    status: str
    source: str
    external_ref: str | None
    is_demo: bool
    created_at: datetime
    updated_at: datetime


class OfferOwnPage(PublicSchema):
    items: list[OfferOwn]
    total: int = Field(ge=0)
