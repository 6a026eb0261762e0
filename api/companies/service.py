"""Creating companies and issuing or revoking their API keys (admin commands)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.keys import issue_key
from api.companies.models import COMPANY_SIZES, ApiKey, Company
from api.contacts.service import EMAIL_RE
from api.core.models import utc_now
from api.offers.places import Region


class CompanyAdminError(Exception):
    """A company command could not be carried out; the message says why."""


@dataclass(frozen=True)
class CompanyDetails:
    name: str
    email: str | None = None
    municipality: str | None = None  # name, postcode or slug of the region
    street: str | None = None
    postcode: str | None = None
    sector: str | None = None
    size: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    website: str | None = None
    verified: bool = False


def create_company(session: Session, details: CompanyDetails) -> Company:
    """A company of the region (the caller commits)."""
    if not details.name.strip():
        raise CompanyAdminError("a company needs a name")
    if details.email is not None and not EMAIL_RE.match(details.email):
        raise CompanyAdminError(f"{details.email!r} is not an email address")
    if details.size is not None and details.size not in COMPANY_SIZES:
        raise CompanyAdminError(f"size must be one of {', '.join(COMPANY_SIZES)}")
    place = None
    if details.municipality:
        place = Region.load(session).resolve(details.municipality)
        if place is None:
            raise CompanyAdminError(f"{details.municipality!r} is not a municipality of the region")
    company = Company(
        name=details.name.strip(),
        email=details.email,
        street=details.street,
        postcode=details.postcode,
        city=place.name if place else None,
        municipality_slug=place.slug if place else None,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        sector=details.sector,
        size=details.size,
        contact_person=details.contact_person,
        phone=details.phone,
        website=details.website,
        verified=details.verified,
        is_demo=False,
    )
    session.add(company)
    session.flush()
    return company


def create_api_key(
    session: Session, company_id: int, pepper: str, now: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key for the company: the row (hash only) and the key itself, to be shown once."""
    company = session.get(Company, company_id)
    if company is None:
        raise CompanyAdminError(f"there is no company with id {company_id}")
    issued = issue_key(pepper)
    row = ApiKey(
        company_id=company.id, prefix=issued.prefix, key_hash=issued.key_hash, created_at=now or utc_now()
    )
    session.add(row)
    session.flush()
    return row, issued.key


def revoke_api_key(session: Session, prefix: str, now: datetime | None = None) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        raise CompanyAdminError(f"there is no key with the prefix {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = now or utc_now()
    session.flush()
    return row
