"""Making, listing, answering and deleting contact requests."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.contacts.exceptions import (
    CompanyNotContactableError,
    ContactRequestNotFoundError,
    ContactRequestRejectedError,
    DuplicateContactRequestError,
    OfferClosedError,
)
from api.contacts.models import ContactRequest, ContactStatus
from api.contacts.schemas import (
    CONSENT_MAX,
    EMAIL_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    PHONE_MAX,
    ContactRequestCompany,
    ContactRequestCompanyPage,
    ContactRequestCreate,
    ContactRequestPupil,
    OfferRef,
)
from api.core.models import utc_now
from api.geo.models import Municipality
from api.offers.exceptions import OfferNotFoundError, Violation
from api.offers.models import Offer, OfferKind, OfferStatus
from api.offers.schemas import PlacePublic
from api.offers.service import effective_status, is_company_shown

# Deliberately permissive (the chat validates as well): one @, no spaces, a dotted domain.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()/\-]+$")
PHONE_DIGITS = range(7, 16)  # the shortest German numbers have 7 digits; E.164 allows 15


def _text(violations: list[Violation], field: str, value: str | None, limit: int) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        violations.append(
            Violation(field, "text-too-long", {"field": field, "length": len(text), "limit": limit})
        )
    return text


def check_shared_fields(data: ContactRequestCreate) -> dict[str, Any]:
    """The shared fields, trimmed; raises ContactRequestRejectedError listing every problem."""
    violations: list[Violation] = []
    name = _text(violations, "name", data.name, NAME_MAX)
    email = _text(violations, "email", data.email, EMAIL_MAX)
    phone = _text(violations, "phone", data.phone, PHONE_MAX)
    message = _text(violations, "message", data.message, MESSAGE_MAX)
    consent_text = _text(violations, "consent_text", data.consent_text, CONSENT_MAX)
    if email is not None and not EMAIL_RE.match(email):
        violations.append(Violation("email", "invalid-email", {"value": email}))
    if phone is not None:
        digits = sum(character.isdigit() for character in phone)
        if not PHONE_RE.match(phone) or digits not in PHONE_DIGITS:
            violations.append(Violation("phone", "invalid-phone", {"value": phone}))
    if email is None and phone is None:
        violations.append(Violation("email", "email-or-phone-required"))
    if consent_text is None:
        violations.append(Violation("consent_text", "field-required", {"field": "consent_text"}))
    if violations:
        raise ContactRequestRejectedError(violations)
    return {"name": name, "email": email, "phone": phone, "message": message, "consent_text": consent_text}


def notification_state(request: ContactRequest) -> str:
    if request.notified_at is not None:
        return "sent"
    return "failed" if request.notify_failed else "pending"


def _offer_ref(session: Session, offer: Offer) -> OfferRef:
    company = session.get_one(Company, offer.company_id)
    place = session.get_one(Municipality, offer.municipality_slug)
    return OfferRef(
        id=offer.id,
        kind=OfferKind(offer.kind),
        title=offer.title,
        company_name=company.name,
        place=PlacePublic(slug=place.slug, name=place.name),
        is_demo=offer.is_demo,
    )


def describe_for_pupil(session: Session, request: ContactRequest) -> ContactRequestPupil:
    offer = session.get_one(Offer, request.offer_id)
    return ContactRequestPupil(
        id=request.id,
        offer=_offer_ref(session, offer),
        name=request.name,
        email=request.email,
        phone=request.phone,
        message=request.message,
        consent_text=request.consent_text,
        consent_at=request.consent_at,
        status=ContactStatus(request.status),
        notification=notification_state(request),  # type: ignore[arg-type]
        created_at=request.created_at,
    )


def create_contact_request(
    session: Session, data: ContactRequestCreate, now: datetime | None = None
) -> ContactRequest:
    """Store the request if the offer is open and its company reachable by email."""
    now = now or utc_now()
    shared = check_shared_fields(data)
    offer = session.get(Offer, data.offer_id)
    if offer is None:
        raise OfferNotFoundError(data.offer_id)
    status = effective_status(offer, now)
    if status != OfferStatus.ACTIVE.value:
        raise OfferClosedError(offer.id, status)
    company = session.get_one(Company, offer.company_id)
    if not is_company_shown(company):  # unverified or suspended: its offers do not exist for pupils
        raise OfferNotFoundError(data.offer_id)
    if not company.email:
        raise CompanyNotContactableError(offer.id)
    existing = session.scalar(
        select(ContactRequest.id).where(
            ContactRequest.offer_id == offer.id, ContactRequest.pupil_ref == data.pupil_ref
        )
    )
    if existing is not None:
        raise DuplicateContactRequestError(offer.id, existing)
    request = ContactRequest(
        offer_id=offer.id,
        pupil_ref=data.pupil_ref,
        consent_at=data.consent_at or now,
        status=ContactStatus.NEW.value,
        notify_failed=False,
        created_at=now,
        updated_at=now,
        **shared,
    )
    session.add(request)
    session.commit()
    return request


def pupil_requests(session: Session, pupil_ref: str) -> Sequence[ContactRequest]:
    return session.scalars(
        select(ContactRequest)
        .where(ContactRequest.pupil_ref == pupil_ref)
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
    ).all()


def withdraw_request(session: Session, request_id: int, pupil_ref: str) -> None:
    """Delete the pupil's request; someone else's is "not found"."""
    request = session.scalar(
        select(ContactRequest).where(ContactRequest.id == request_id, ContactRequest.pupil_ref == pupil_ref)
    )
    if request is None:
        raise ContactRequestNotFoundError(request_id)
    session.delete(request)
    session.commit()


def delete_pupil_requests(session: Session, pupil_ref: str) -> int:
    """Every request of one conversation (privacy deletion); the caller commits."""
    result = session.execute(
        delete(ContactRequest)
        .where(ContactRequest.pupil_ref == pupil_ref)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_old_requests(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete requests made more than `retention_days` ago; the caller commits."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    result = session.execute(
        delete(ContactRequest)
        .where(ContactRequest.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- the company's side -------------------------------------------------------------------------


def _describe_for_company(request: ContactRequest, offer_title: str) -> ContactRequestCompany:
    return ContactRequestCompany(
        id=request.id,
        offer_id=request.offer_id,
        offer_title=offer_title,
        name=request.name,
        email=request.email,
        phone=request.phone,
        message=request.message,
        consent_text=request.consent_text,
        consent_at=request.consent_at,
        status=ContactStatus(request.status),
        created_at=request.created_at,
    )


def company_requests(
    session: Session,
    company: Company,
    *,
    status: ContactStatus | None,
    offer_id: int | None,
    limit: int,
    offset: int,
) -> ContactRequestCompanyPage:
    conditions = [Offer.company_id == company.id]
    if status is not None:
        conditions.append(ContactRequest.status == status.value)
    if offer_id is not None:
        conditions.append(ContactRequest.offer_id == offer_id)
    joined = select(func.count()).select_from(ContactRequest).join(Offer, Offer.id == ContactRequest.offer_id)
    total = session.scalar(joined.where(*conditions)) or 0
    rows = session.execute(
        select(ContactRequest, Offer.title)
        .join(Offer, Offer.id == ContactRequest.offer_id)
        .where(*conditions)
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return ContactRequestCompanyPage(
        items=[_describe_for_company(request, title) for request, title in rows], total=total
    )


def set_company_request_status(
    session: Session, company: Company, request_id: int, status: ContactStatus
) -> ContactRequestCompany:
    row = session.execute(
        select(ContactRequest, Offer.title)
        .join(Offer, Offer.id == ContactRequest.offer_id)
        .where(ContactRequest.id == request_id, Offer.company_id == company.id)
    ).one_or_none()
    if row is None:
        raise ContactRequestNotFoundError(request_id)
    request, title = row
    request.status = status.value
    session.commit()
    return _describe_for_company(request, title)
