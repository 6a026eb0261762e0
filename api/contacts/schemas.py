"""Request and response schemas of the contact-request endpoints.

Shared fields are checked by the service (email and phone formats, lengths, "email or phone") so
that the problem body names each one in plain words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.contacts.models import ContactStatus
from api.core.schemas import PublicSchema
from api.offers.models import OfferKind
from api.offers.schemas import PlacePublic

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_MAX = 40
MESSAGE_MAX = 1000
CONSENT_MAX = 2000
PUPIL_REF_MAX = 200


class ContactRequestCreate(BaseModel):
    """Sent by the action server after the pupil agreed; at least email or phone."""

    model_config = ConfigDict(extra="forbid")

    offer_id: int = Field(ge=1, le=2**31 - 1)
    pupil_ref: str = Field(
        min_length=1, max_length=PUPIL_REF_MAX, description="The pseudonymous conversation id"
    )
    name: str | None = Field(default=None, json_schema_extra={"maxLength": NAME_MAX})
    email: str | None = Field(default=None, json_schema_extra={"maxLength": EMAIL_MAX})
    phone: str | None = Field(default=None, json_schema_extra={"maxLength": PHONE_MAX})
    message: str | None = Field(default=None, json_schema_extra={"maxLength": MESSAGE_MAX})
    consent_text: str = Field(
        description="The exact consent the pupil agreed to", json_schema_extra={"maxLength": CONSENT_MAX}
    )
    consent_at: AwareDatetime | None = Field(default=None, description="When the pupil agreed; default: now")


class OfferRef(PublicSchema):
    id: int
    kind: OfferKind
    title: str
    company_name: str
    place: PlacePublic
    is_demo: bool


class ContactRequestPupil(PublicSchema):
    """A request as the pupil (through the action server) sees it."""

    id: int
    offer: OfferRef
    name: str | None
    email: str | None
    phone: str | None
    message: str | None
    consent_text: str
    consent_at: datetime
    status: ContactStatus
    notification: Literal["pending", "sent", "failed"] = Field(
        description="Whether the company's email went out (sent in the background after the request)"
    )
    created_at: datetime


class ContactRequestCompany(PublicSchema):
    """A request as the company sees it: what the pupil shared, never the conversation id."""

    id: int
    offer_id: int
    offer_title: str
    name: str | None
    email: str | None
    phone: str | None
    message: str | None
    consent_text: str
    consent_at: datetime
    status: ContactStatus
    created_at: datetime


class ContactRequestCompanyPage(PublicSchema):
    items: list[ContactRequestCompany]
    total: int = Field(ge=0)


class ContactStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ContactStatus
