"""A company's own offers and contact requests, with its API key (`Authorization: Bearer blk_...`).

Everything is scoped to the key's company: another company's offer or request is answered with
404, exactly like one that does not exist, so that ids reveal nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.auth.dependencies import CompanyDep
from api.contacts import service as contacts
from api.contacts.models import ContactStatus
from api.contacts.schemas import ContactRequestCompany, ContactRequestCompanyPage, ContactStatusUpdate
from api.core.db import SessionDep
from api.core.schemas import Offset
from api.offers import service as offers
from api.offers.models import OfferStatus
from api.offers.schemas import OfferCreate, OfferOwn, OfferOwnPage, OfferUpdate

router = APIRouter(prefix="/api/v1/company", tags=["company"])

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/offers", response_model=OfferOwn, status_code=status.HTTP_201_CREATED)
def create_offer(session: SessionDep, company: CompanyDep, data: OfferCreate) -> OfferOwn:
    """Publish a new offer (checked; problems are listed in `errors`, in German in `detail_de`)."""
    return offers.create_offer(session, company, data)


@router.get("/offers", response_model=OfferOwnPage)
def list_offers(
    session: SessionDep,
    company: CompanyDep,
    status: Annotated[OfferStatus | None, Query(description="Only offers with this status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> OfferOwnPage:
    """The company's offers, newest first, with every status."""
    return offers.list_own_offers(session, company, status=status, limit=limit, offset=offset)


@router.get("/offers/{offer_id}", response_model=OfferOwn)
def get_offer(session: SessionDep, company: CompanyDep, offer_id: ItemId) -> OfferOwn:
    return offers.get_own_offer(session, company, offer_id)


@router.patch("/offers/{offer_id}", response_model=OfferOwn)
def update_offer(session: SessionDep, company: CompanyDep, offer_id: ItemId, data: OfferUpdate) -> OfferOwn:
    """Change the fields sent; the others stay as they are."""
    return offers.update_offer(session, company, offer_id, data)


@router.post("/offers/{offer_id}/withdraw", response_model=OfferOwn)
def withdraw_offer(session: SessionDep, company: CompanyDep, offer_id: ItemId) -> OfferOwn:
    """Take the offer out of the search for good (use PATCH status=filled when it is taken)."""
    return offers.withdraw_offer(session, company, offer_id)


@router.get("/contact-requests", response_model=ContactRequestCompanyPage)
def list_contact_requests(
    session: SessionDep,
    company: CompanyDep,
    status: Annotated[ContactStatus | None, Query()] = None,
    offer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> ContactRequestCompanyPage:
    """Contact requests for the company's offers, newest first."""
    return contacts.company_requests(
        session, company, status=status, offer_id=offer_id, limit=limit, offset=offset
    )


@router.patch("/contact-requests/{request_id}", response_model=ContactRequestCompany)
def update_contact_request(
    session: SessionDep, company: CompanyDep, request_id: ItemId, data: ContactStatusUpdate
) -> ContactRequestCompany:
    """Mark a request as seen or answered."""
    return contacts.set_company_request_status(session, company, request_id, data.status)
