"""Creating companies and issuing or revoking their API keys (admin commands)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.accounts.models import Account, AccountSession, SignInLink
from api.audit import service as audit
from api.auth.keys import issue_key
from api.companies.models import COMPANY_SIZES, ApiKey, Company
from api.contacts.service import EMAIL_RE, PHONE_DIGITS, PHONE_RE
from api.core.models import utc_now
from api.offers.exceptions import RejectedError, Violation
from api.offers.models import Offer
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


# --- the clerk's profile page -------------------------------------------------------------------

PROFILE_LIMITS = {
    "name": 200,
    "street": 200,
    "postcode": 10,
    "sector": 100,
    "contact_person": 200,
    "email": 254,
    "phone": 40,
    "website": 500,
}
PROFILE_FIELDS = (*PROFILE_LIMITS, "municipality", "size")


class ProfileRejectedError(RejectedError):
    problem = "profile-rejected"


def check_profile(session: Session, values: dict[str, str]) -> dict[str, Any]:
    """The column values of a profile form; raises ProfileRejectedError listing every problem,
    in the same words as the API's offer and contact checks."""
    violations: list[Violation] = []
    columns: dict[str, Any] = {}
    for name, limit in PROFILE_LIMITS.items():
        text = (values.get(name) or "").strip()
        if len(text) > limit:
            params = {"field": name, "length": len(text), "limit": limit}
            violations.append(Violation(name, "text-too-long", params))
        columns[name] = text or None
    if not columns["name"]:
        violations.append(Violation("name", "field-required", {"field": "name"}))
    email = columns["email"]
    if email is not None and not EMAIL_RE.match(email):
        violations.append(Violation("email", "invalid-email", {"value": email}))
    phone = columns["phone"]
    if phone is not None:
        digits = sum(character.isdigit() for character in phone)
        if not PHONE_RE.match(phone) or digits not in PHONE_DIGITS:
            violations.append(Violation("phone", "invalid-phone", {"value": phone}))
    website = columns["website"]
    if website is not None and not website.lower().startswith(("http://", "https://")):
        violations.append(Violation("website", "invalid-url", {"value": website}))
    size = (values.get("size") or "").strip()
    if size and size not in COMPANY_SIZES:
        violations.append(Violation("size", "field-required", {"field": "size"}))
    columns["size"] = size or None
    where = (values.get("municipality") or "").strip()
    if where:
        place = Region.load(session).resolve(where)
        if place is None:
            violations.append(Violation("municipality", "place-outside-region", {"value": where}))
        else:
            columns.update(city=place.name, municipality_slug=place.slug, lat=place.lat, lon=place.lon)
    else:
        columns.update(city=None, municipality_slug=None, lat=None, lon=None)
    if violations:
        raise ProfileRejectedError(violations)
    return columns


def update_profile(session: Session, company: Company, actor: Account, values: dict[str, str]) -> list[str]:
    """Apply a profile form; returns the names of the changed columns (audited, committed)."""
    columns = check_profile(session, values)
    changed = [name for name, value in columns.items() if getattr(company, name) != value]
    for name in changed:
        setattr(company, name, columns[name])
    if changed:
        audit.record(session, actor, "profile.update", company_id=company.id, detail=", ".join(changed))
    session.commit()
    return changed


# --- the admin's pages: verifying and suspending ------------------------------------------------


def list_companies(session: Session, *, include_demo: bool = False) -> list[tuple[Company, int, int]]:
    """Companies (unverified and suspended first, then by name) with their offer and clerk counts."""
    offers = (
        select(Offer.company_id, func.count().label("n")).group_by(Offer.company_id).subquery("offer_counts")
    )
    clerks = (
        select(Account.company_id, func.count().label("n"))
        .group_by(Account.company_id)
        .subquery("clerk_counts")
    )
    query = (
        select(Company, func.coalesce(offers.c.n, 0), func.coalesce(clerks.c.n, 0))
        .outerjoin(offers, offers.c.company_id == Company.id)
        .outerjoin(clerks, clerks.c.company_id == Company.id)
        .order_by(Company.suspended_at.is_(None), Company.verified, Company.name, Company.id)
    )
    if not include_demo:
        query = query.where(Company.is_demo.is_(False))
    return [
        (company, int(offer_count), int(clerk_count))
        for company, offer_count, clerk_count in session.execute(query)
    ]


def set_verified(session: Session, company: Company, actor: Account, verified: bool) -> None:
    if company.verified != verified:
        company.verified = verified
        action = "company.verify" if verified else "company.unverify"
        audit.record(session, actor, action, company_id=company.id)
    session.commit()


def suspend_company(session: Session, company: Company, actor: Account, now: datetime | None = None) -> None:
    """Hide the company's offers and lock its clerks out: their sessions and open links end now
    (its API keys are refused while it is suspended)."""
    if company.suspended_at is None:
        company.suspended_at = now or utc_now()
        clerk_ids = select(Account.id).where(Account.company_id == company.id)
        session.execute(delete(AccountSession).where(AccountSession.account_id.in_(clerk_ids)))
        session.execute(delete(SignInLink).where(SignInLink.account_id.in_(clerk_ids)))
        audit.record(session, actor, "company.suspend", company_id=company.id, now=now)
    session.commit()


def reinstate_company(session: Session, company: Company, actor: Account) -> None:
    if company.suspended_at is not None:
        company.suspended_at = None
        audit.record(session, actor, "company.reinstate", company_id=company.id)
    session.commit()
