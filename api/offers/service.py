"""Searching offers, showing one, and companies managing their own.

Search runs as one SQL statement for the page and one for the count, on SQLite and PostgreSQL
alike: filters, the great-circle distance (haversine, also used for the radius and the order),
then distance, start date and id as the order. Expired offers are filtered by `expires_at`, so
they disappear the moment they expire, whether or not `purge` has marked them yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Unpack
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, update
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.core.errors import InvalidFilterError
from api.core.models import utc_now
from api.geo.models import Municipality
from api.offers.exceptions import (
    OfferNotFoundError,
    OfferRejectedError,
    UnknownPlaceError,
    UnknownProfessionError,
    Violation,
)
from api.offers.models import Offer, OfferKind, OfferSource, OfferStatus
from api.offers.places import Place, Region, bounding_box, distance_km_sql, haversine_km
from api.offers.schemas import (
    APPLY_CONTACT_MAX,
    APPLY_URL_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    CompanyPublic,
    HowToApplyPublic,
    OfferCreate,
    OfferOwn,
    OfferOwnPage,
    OfferPage,
    OfferPublic,
    OfferSummary,
    OfferUpdate,
    PlacePublic,
    ProfessionRef,
)
from api.professions.models import Profession, VocabularyKind
from api.professions.search import profession_search
from api.professions.service import vocabulary

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
DEFAULT_RADIUS_KM = 25.0
# Coordinates given with an offer must lie this close to the municipality named with it.
COORDINATE_TOLERANCE_KM = 15.0
# Occupations found for `q` by the matcher from this score on (prefix and compound matches and better).
Q_PROFESSION_MIN_SCORE = 0.8


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_ZONE).date()


def end_of_day(day: date) -> datetime:
    """Midnight after `day`, local time: an offer "until 1 August" is visible all of that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE)


def company_shown() -> ColumnElement[bool]:
    """Companies whose offers pupils may see: verified by an admin (or generated demo data, marked
    as such everywhere) and not suspended."""
    return and_(Company.suspended_at.is_(None), or_(Company.verified.is_(True), Company.is_demo.is_(True)))


def visible(now: datetime) -> list[ColumnElement[bool]]:
    """What the public may see: active, not expired, of a shown company (see `company_shown`)."""
    # correlate(None): a query that also joins Company must not turn this into a correlated subquery
    shown_companies = select(Company.id).where(company_shown()).correlate(None)
    return [
        Offer.status == OfferStatus.ACTIVE.value,
        Offer.expires_at > now,
        Offer.company_id.in_(shown_companies),
    ]


def is_company_shown(company: Company) -> bool:
    return company.suspended_at is None and (company.verified or company.is_demo)


def effective_status(offer: Offer, now: datetime) -> str:
    if offer.status == OfferStatus.ACTIVE.value and offer.expires_at <= now:
        return OfferStatus.EXPIRED.value
    return offer.status


# --- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferFilters:
    profession: str | None = None
    q: str | None = None
    kind: OfferKind | None = None
    near: str | None = None
    radius_km: float | None = None
    start_from: date | None = None
    certificate: str | None = None
    include_related: bool = False


def require_profession(session: Session, slug: str) -> Profession:
    profession = session.get(Profession, slug)
    if profession is None:
        raise UnknownProfessionError(slug, suggest_professions(session, slug))
    return profession


def suggest_professions(session: Session, text: str, limit: int = 3) -> list[str]:
    return [hit.slug for hit in profession_search.search(session, text.replace("-", " "))[:limit]]


def reachable_certificates(session: Session, certificate: str) -> list[str]:
    """The certificate codes at most as high as `certificate`; unknown codes are refused."""
    terms = vocabulary(session, VocabularyKind.CERTIFICATE)
    if certificate not in terms:
        raise InvalidFilterError("certificate", certificate, list(terms))
    ceiling = terms[certificate].rank or 0
    return [code for code, term in terms.items() if (term.rank or 0) <= ceiling]


@dataclass(frozen=True)
class SearchPlan:
    """The filter conditions and the order of one search, ready to be run as SQL."""

    conditions: list[ColumnElement[bool]]
    needs_company: bool
    distance: ColumnElement[float] | None
    related: ColumnElement[bool]
    order: list[Any]


def resolve_place_slug(session: Session, near: str | None) -> str | None:
    """The municipality slug `near` names (as the search resolves it), else None."""
    if not near:
        return None
    place = Region.load(session).resolve(near)
    return place.slug if place is not None else None


def plan_search(session: Session, filters: OfferFilters, now: datetime) -> SearchPlan:
    conditions = visible(now)
    needs_company = False
    related: ColumnElement[bool] = false()
    if filters.kind is not None:
        conditions.append(Offer.kind == filters.kind.value)
    if filters.profession:
        profession = require_profession(session, filters.profession)
        slugs = [profession.slug]
        if filters.include_related:
            slugs += profession.document.related
            related = Offer.profession_slug != profession.slug
        conditions.append(Offer.profession_slug.in_(slugs))
    if filters.start_from is not None:
        conditions.append(Offer.start_date >= filters.start_from)
    if filters.certificate:
        reachable = reachable_certificates(session, filters.certificate)
        conditions.append(
            or_(Offer.certificate_expected.is_(None), Offer.certificate_expected.in_(reachable))
        )
    query = (filters.q or "").strip()
    if query:
        needs_company = True
        matched = [
            hit.slug
            for hit in profession_search.search(session, query)
            if hit.score >= Q_PROFESSION_MIN_SCORE
        ]
        text_matches: list[ColumnElement[bool]] = [
            Offer.title.icontains(query, autoescape=True),
            Offer.description.icontains(query, autoescape=True),
            Company.name.icontains(query, autoescape=True),
        ]
        if matched:
            text_matches.append(Offer.profession_slug.in_(matched))
        conditions.append(or_(*text_matches))
    distance: ColumnElement[float] | None = None
    if filters.near:
        origin = Region.load(session).resolve(filters.near)
        if origin is None:
            raise UnknownPlaceError(filters.near)
        radius = filters.radius_km if filters.radius_km is not None else DEFAULT_RADIUS_KM
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin.lat, origin.lon, radius)
        distance = distance_km_sql(Offer.lat, Offer.lon, origin.lat, origin.lon)
        conditions += [
            Offer.lat.between(min_lat, max_lat),
            Offer.lon.between(min_lon, max_lon),
            distance <= radius,
        ]
    order: list[Any] = []
    if filters.include_related and filters.profession:
        order.append(related)  # the occupation asked for first, related ones after
    if distance is not None:
        order.append(distance)
    order += [Offer.start_date.asc().nulls_last(), Offer.id]
    return SearchPlan(conditions, needs_company, distance, related, order)


def _summary_columns(
    distance: ColumnElement[float] | None, related: ColumnElement[bool]
) -> Select[Unpack[tuple[Any, ...]]]:
    return (
        select(
            Offer,
            Company.name.label("company_name"),
            Company.email.is_not(None).label("contactable"),
            Municipality.name.label("place_name"),
            Profession.name.label("profession_name"),
            Profession.name_en.label("profession_name_en"),
            (distance if distance is not None else literal(None)).label("distance_km"),
            related.label("related"),
        )
        .join(Company, Company.id == Offer.company_id)
        .join(Municipality, Municipality.slug == Offer.municipality_slug)
        .join(Profession, Profession.slug == Offer.profession_slug)
    )


def _summary(row: Any) -> dict[str, Any]:
    offer: Offer = row.Offer
    return {
        "id": offer.id,
        "kind": offer.kind,
        "title": offer.title,
        "profession": ProfessionRef(
            slug=offer.profession_slug, name=row.profession_name, name_en=row.profession_name_en
        ),
        "company_id": offer.company_id,
        "company_name": row.company_name,
        "place": PlacePublic(slug=offer.municipality_slug, name=row.place_name),
        "lat": offer.lat,
        "lon": offer.lon,
        "start_date": offer.start_date,
        "places": offer.places,
        "certificate_expected": offer.certificate_expected,
        "expires_at": offer.expires_at,
        "distance_km": round(row.distance_km, 1) if row.distance_km is not None else None,
        "related": bool(row.related),
        "contactable": bool(row.contactable),
        "is_demo": offer.is_demo,
    }


def search_offers(
    session: Session, filters: OfferFilters, *, limit: int, offset: int, now: datetime | None = None
) -> OfferPage:
    now = now or utc_now()
    plan = plan_search(session, filters, now)
    counted = select(func.count()).select_from(Offer)
    if plan.needs_company:
        counted = counted.join(Company, Company.id == Offer.company_id)
    total = session.scalar(counted.where(*plan.conditions)) or 0
    if total <= offset:
        return OfferPage(items=[], total=total)
    rows = session.execute(
        _summary_columns(plan.distance, plan.related)
        .where(*plan.conditions)
        .order_by(*plan.order)
        .limit(limit)
        .offset(offset)
    ).all()
    return OfferPage(items=[OfferSummary(**_summary(row)) for row in rows], total=total)


def get_public_offer(session: Session, offer_id: int, now: datetime | None = None) -> OfferPublic:
    now = now or utc_now()
    row = session.execute(
        _summary_columns(None, false()).where(Offer.id == offer_id, *visible(now))
    ).one_or_none()
    if row is None:
        raise OfferNotFoundError(offer_id)
    offer: Offer = row.Offer
    company = session.get_one(Company, offer.company_id)
    company_place = (
        session.get(Municipality, company.municipality_slug) if company.municipality_slug else None
    )
    return OfferPublic(
        **_summary(row),
        description=offer.description,
        how_to_apply=HowToApplyPublic(url=offer.apply_url, contact=offer.apply_contact),
        published_at=offer.published_at,
        company=CompanyPublic(
            id=company.id,
            name=company.name,
            place=PlacePublic(slug=company_place.slug, name=company_place.name) if company_place else None,
            city=company.city,
            sector=company.sector,
            website=company.website,
            verified=company.verified,
            is_demo=company.is_demo,
        ),
    )


# --- companies' own offers ----------------------------------------------------------------------


def own_offer(session: Session, company: Company, offer_id: int) -> Offer:
    """The company's offer; another company's offer is "not found" like one that does not exist."""
    offer = session.scalar(select(Offer).where(Offer.id == offer_id, Offer.company_id == company.id))
    if offer is None:
        raise OfferNotFoundError(offer_id)
    return offer


def get_own_offer(session: Session, company: Company, offer_id: int, now: datetime | None = None) -> OfferOwn:
    return describe_own(session, own_offer(session, company, offer_id), now or utc_now())


def describe_own(session: Session, offer: Offer, now: datetime) -> OfferOwn:
    place = session.get_one(Municipality, offer.municipality_slug)
    return OfferOwn(
        id=offer.id,
        kind=OfferKind(offer.kind),
        profession=offer.profession_slug,
        title=offer.title,
        description=offer.description,
        start_date=offer.start_date,
        places=offer.places,
        place=PlacePublic(slug=place.slug, name=place.name),
        lat=offer.lat,
        lon=offer.lon,
        certificate_expected=offer.certificate_expected,
        how_to_apply=HowToApplyPublic(url=offer.apply_url, contact=offer.apply_contact),
        published_at=offer.published_at,
        expires_at=offer.expires_at,
        status=effective_status(offer, now),
        source=offer.source,
        external_ref=offer.external_ref,
        is_demo=offer.is_demo,
        created_at=offer.created_at,
        updated_at=offer.updated_at,
    )


def status_condition(status: OfferStatus, now: datetime) -> ColumnElement[bool]:
    """Offers whose effective status (see `effective_status`) is `status`."""
    if status is OfferStatus.ACTIVE:
        # the company's own view: its offers are active whether or not the company is shown yet
        return and_(Offer.status == OfferStatus.ACTIVE.value, Offer.expires_at > now)
    if status is OfferStatus.EXPIRED:
        return or_(
            Offer.status == OfferStatus.EXPIRED.value,
            and_(Offer.status == OfferStatus.ACTIVE.value, Offer.expires_at <= now),
        )
    return Offer.status == status.value


def list_own_offers(
    session: Session,
    company: Company,
    *,
    status: OfferStatus | None,
    limit: int,
    offset: int,
    now: datetime | None = None,
) -> OfferOwnPage:
    now = now or utc_now()
    conditions = [Offer.company_id == company.id]
    if status is not None:
        conditions.append(status_condition(status, now))
    total = session.scalar(select(func.count()).select_from(Offer).where(*conditions)) or 0
    offers = session.scalars(
        select(Offer)
        .where(*conditions)
        .order_by(Offer.published_at.desc(), Offer.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return OfferOwnPage(items=[describe_own(session, offer, now) for offer in offers], total=total)


def _check_text(
    violations: list[Violation], field: str, value: str | None, limit: int, *, required: bool
) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            violations.append(Violation(field, "field-required", {"field": field}))
        return None
    if len(text) > limit:
        violations.append(
            Violation(field, "text-too-long", {"field": field, "length": len(text), "limit": limit})
        )
    return text


def check_offer(
    session: Session, values: dict[str, Any], current: Offer | None, now: datetime
) -> dict[str, Any]:
    """Check what a company sent (all fields on create, the sent ones on update) and return the
    column values to write; raises OfferRejectedError listing every violation."""
    violations: list[Violation] = []
    columns: dict[str, Any] = {}
    today = local_today(now)

    if "kind" in values:
        columns["kind"] = OfferKind(values["kind"]).value
    if "places" in values:
        columns["places"] = values["places"]
    if "profession" in values:
        slug = values["profession"]
        if session.get(Profession, slug) is None:
            violations.append(Violation("profession", "unknown-profession", {"value": slug}))
        columns["profession_slug"] = slug
    if "title" in values:
        columns["title"] = _check_text(violations, "title", values["title"], TITLE_MAX, required=True)
    if "description" in values:
        columns["description"] = (
            _check_text(violations, "description", values["description"], DESCRIPTION_MAX, required=False)
            or ""
        )
    if "certificate_expected" in values and values["certificate_expected"] is not None:
        code = values["certificate_expected"]
        known = vocabulary(session, VocabularyKind.CERTIFICATE)
        if code not in known:
            violations.append(
                Violation(
                    "certificate_expected",
                    "unknown-certificate",
                    {"value": code, "allowed": ", ".join(known)},
                )
            )
    if "certificate_expected" in values:
        columns["certificate_expected"] = values["certificate_expected"]
    if "how_to_apply" in values:
        how = values["how_to_apply"] or {}
        url = _check_text(violations, "how_to_apply.url", how.get("url"), APPLY_URL_MAX, required=False)
        contact = _check_text(
            violations, "how_to_apply.contact", how.get("contact"), APPLY_CONTACT_MAX, required=False
        )
        if url and not url.lower().startswith(("http://", "https://")):
            violations.append(Violation("how_to_apply.url", "invalid-url", {"value": url}))
        if not url and not contact:
            violations.append(Violation("how_to_apply", "no-way-to-apply"))
        columns["apply_url"], columns["apply_contact"] = url, contact

    _check_place(session, values, current, violations, columns)
    _check_dates(values, current, now, today, violations, columns)
    if violations:
        raise OfferRejectedError(violations)
    return columns


def _check_place(
    session: Session,
    values: dict[str, Any],
    current: Offer | None,
    violations: list[Violation],
    columns: dict[str, Any],
) -> None:
    place: Place | None = None
    region = Region.load(session)
    if "municipality" in values:
        place = region.resolve(values["municipality"])
        if place is None:
            violations.append(
                Violation("municipality", "place-outside-region", {"value": values["municipality"]})
            )
            return
        columns["municipality_slug"] = place.slug
    elif current is not None and ("lat" in values or "lon" in values):
        place = region.get(current.municipality_slug)
    if place is None:
        return
    lat, lon = values.get("lat"), values.get("lon")
    if lat is None and lon is None:
        columns["lat"], columns["lon"] = place.lat, place.lon
        return
    if lat is None or lon is None:
        violations.append(Violation("lat" if lat is None else "lon", "field-required", {"field": "lat, lon"}))
        return
    distance = haversine_km(lat, lon, place.lat, place.lon)
    if distance > COORDINATE_TOLERANCE_KM:
        violations.append(
            Violation(
                "lat",
                "coordinates-outside-place",
                {"lat": lat, "lon": lon, "distance": round(distance), "place": place.name},
            )
        )
        return
    columns["lat"], columns["lon"] = lat, lon


def _check_dates(
    values: dict[str, Any],
    current: Offer | None,
    now: datetime,
    today: date,
    violations: list[Violation],
    columns: dict[str, Any],
) -> None:
    start: date | None = values.get("start_date", current.start_date if current else None)
    if "start_date" in values:
        if start is not None and start < today:
            violations.append(Violation("start_date", "start-date-in-past", {"value": start.isoformat()}))
        columns["start_date"] = start
    expires: datetime | None = values.get("expires_at")
    if expires is None:
        if current is None:
            # Visible until the end of the start day unless the company says otherwise.
            expires = end_of_day(start) if start is not None else now + timedelta(days=180)
            columns["expires_at"] = expires
        else:
            expires = current.expires_at
    else:
        columns["expires_at"] = expires
    local_expiry = expires.astimezone(LOCAL_ZONE)
    expiry_given = values.get("expires_at") is not None
    reactivated = values.get("status") == OfferStatus.ACTIVE.value
    if (expiry_given or reactivated) and expires <= now:
        field = "expires_at" if expiry_given else "status"
        violations.append(Violation(field, "expiry-in-past", {"value": local_expiry.isoformat()}))
        return  # an expiry in the past says all there is to say about the dates
    if ("start_date" in values or expiry_given) and start is not None and start > local_expiry.date():
        params = {"start": start.isoformat(), "expires": local_expiry.date().isoformat()}
        violations.append(Violation("expires_at", "start-after-expiry", params))


def create_offer(
    session: Session, company: Company, data: OfferCreate, now: datetime | None = None
) -> OfferOwn:
    now = now or utc_now()
    columns = check_offer(session, data.model_dump(), None, now)
    offer = Offer(
        company_id=company.id,
        published_at=now,
        status=OfferStatus.ACTIVE.value,
        source=OfferSource.COMPANY.value,
        is_demo=company.is_demo,
        **columns,
    )
    session.add(offer)
    session.commit()
    return describe_own(session, offer, now)


def update_offer(
    session: Session, company: Company, offer_id: int, data: OfferUpdate, now: datetime | None = None
) -> OfferOwn:
    now = now or utc_now()
    offer = own_offer(session, company, offer_id)
    changes = data.model_dump(exclude_unset=True)
    columns = check_offer(session, changes, offer, now)
    if "status" in changes:
        columns["status"] = changes["status"]
    for name, value in columns.items():
        setattr(offer, name, value)
    session.commit()
    return describe_own(session, offer, now)


def withdraw_offer(
    session: Session, company: Company, offer_id: int, now: datetime | None = None
) -> OfferOwn:
    now = now or utc_now()
    offer = own_offer(session, company, offer_id)
    offer.status = OfferStatus.WITHDRAWN.value
    session.commit()
    return describe_own(session, offer, now)


def mark_expired(session: Session, now: datetime | None = None) -> int:
    """Set status `expired` on active offers past their expiry (search hides them anyway)."""
    now = now or utc_now()
    result = session.execute(
        update(Offer)
        .where(Offer.status == OfferStatus.ACTIVE.value, Offer.expires_at <= now)
        .values(status=OfferStatus.EXPIRED.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
