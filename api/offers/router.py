"""GET /api/v1/offers and /api/v1/offers/{id}: the public search."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.core.db import SessionDep
from api.core.schemas import Offset
from api.monitoring.dependencies import SignalPupilDep, SignalRecorderDep
from api.monitoring.models import InterestSource
from api.offers import service
from api.offers.models import OfferKind
from api.offers.schemas import OfferPage, OfferPublic

router = APIRouter(prefix="/api/v1", tags=["offers"])

# Ids are 32-bit integers on PostgreSQL; a larger number cannot name a row.
MAX_ID = 2**31 - 1


@router.get("/offers", response_model=OfferPage)
def search_offers(
    session: SessionDep,
    pupil: SignalPupilDep,
    recorder: SignalRecorderDep,
    profession: Annotated[str | None, Query(max_length=120, description="Slug of an occupation")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Free text: title, description, company, occupation")
    ] = None,
    kind: Annotated[OfferKind | None, Query(description="Kind of offer")] = None,
    near: Annotated[
        str | None,
        Query(max_length=120, description="A municipality of the region (typos are fine) or a postcode"),
    ] = None,
    radius_km: Annotated[
        float | None, Query(gt=0, le=200, description=f"With near; default {service.DEFAULT_RADIUS_KM:g} km")
    ] = None,
    start_from: Annotated[date | None, Query(description="Offers starting on or after this day")] = None,
    certificate: Annotated[
        str | None, Query(max_length=30, description="Keep offers that expect at most this certificate")
    ] = None,
    include_related: Annotated[
        bool, Query(description="With profession: add offers of related occupations, marked related")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> OfferPage:
    """Open offers, nearest first when `near` is given (then by start date). Expired, filled and
    withdrawn offers never appear. Demo offers carry `is_demo: true`."""
    filters = service.OfferFilters(
        profession=profession,
        q=q,
        kind=kind,
        near=near,
        radius_km=radius_km,
        start_from=start_from,
        certificate=certificate,
        include_related=include_related,
    )
    page = service.search_offers(session, filters, limit=limit, offset=offset)
    if pupil is not None and offset == 0:
        recorder.interest(
            pupil_ref=pupil,
            source=InterestSource.OFFER_SEARCH,
            profession_slug=profession,
            municipality=service.resolve_place_slug(session, near),
            offer_kind=kind.value if kind is not None else None,
            radius_km=(radius_km or service.DEFAULT_RADIUS_KM) if near else None,
        )
    return page


@router.get("/offers/{offer_id}", response_model=OfferPublic)
def get_offer(session: SessionDep, offer_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> OfferPublic:
    """One open offer with its description, how to apply and the company."""
    return service.get_public_offer(session, offer_id)
