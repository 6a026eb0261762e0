"""Request and response schemas of saved searches and alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.contacts.schemas import PUPIL_REF_MAX
from api.core.schemas import PublicSchema
from api.offers.models import OfferKind
from api.offers.schemas import PLACE_TEXT_MAX, PlacePublic, ProfessionRef

DELIVERY_TOKEN_MAX = 64
MAX_RADIUS_KM = 200


class SavedSearchCreate(BaseModel):
    """A search to keep watching: an occupation or a topic, optionally a place, radius and kind."""

    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(
        min_length=1, max_length=PUPIL_REF_MAX, description="The pseudonymous conversation id"
    )
    profession: str | None = Field(default=None, max_length=120, description="Slug of an occupation")
    topic: str | None = Field(default=None, max_length=40, description="Key of a topic (GET /api/v1/topics)")
    place: str | None = Field(
        default=None,
        max_length=PLACE_TEXT_MAX,
        description="A municipality of the region: name, postcode or slug",
    )
    radius_km: float | None = Field(
        default=None, gt=0, le=MAX_RADIUS_KM, description="With place; default 25 km"
    )
    kind: OfferKind | None = None
    language: Literal["de", "en"] = "de"
    delivery_token: str | None = Field(
        default=None,
        max_length=DELIVERY_TOKEN_MAX,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Opaque to the API: set by the Telegram bridge, which alone can read it",
    )


class TopicRef(PublicSchema):
    key: str
    name_de: str
    name_en: str


class SavedSearchPublic(PublicSchema):
    id: int
    profession: ProfessionRef | None
    topic: TopicRef | None
    place: PlacePublic | None
    radius_km: float | None
    kind: OfferKind | None
    language: Literal["de", "en"]
    created_at: datetime
    ends_at: datetime = Field(description="When the saved search ends by itself (retention period)")
    last_alerted_at: datetime | None


class SavedSearchesDeleted(PublicSchema):
    deleted: int = Field(ge=0)


class AlertOffer(PublicSchema):
    id: int
    kind: OfferKind
    title: str
    profession: ProfessionRef
    company_name: str
    place: PlacePublic
    start_date: date | None
    is_demo: bool


class AlertPublic(PublicSchema):
    """New offers for one saved search; delivered once (claiming marks them announced)."""

    saved_search: SavedSearchPublic
    offers: list[AlertOffer] = Field(description=f"The newest ones first, at most {5}")
    total: int = Field(ge=1, description="How many new offers there are in all")


class TelegramAlert(AlertPublic):
    pupil_ref: str
    delivery_token: str


class AlertClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(min_length=1, max_length=PUPIL_REF_MAX)
