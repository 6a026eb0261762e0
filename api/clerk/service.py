"""What only the clerk's pages need beyond the API's services: the start page's figures, the
offers about to expire, showing a contact request (new -> seen) and replying to it by email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import Account
from api.audit import service as audit
from api.companies.models import Company
from api.contacts.exceptions import ContactRequestNotFoundError
from api.contacts.models import ContactRequest, ContactStatus
from api.core.config import Settings
from api.core.models import utc_now
from api.notifications.service import NotificationError, SmtpConfig, build_message, render, send
from api.offers.models import Offer, OfferStatus
from api.professions.models import Profession

# An offer that expires within this many days is named on the start page and in the list.
EXPIRY_NOTICE_DAYS = 14
REPLY_MAX = 4000


def expiring_offers(session: Session, company: Company, now: datetime | None = None) -> list[Offer]:
    """Active offers of the company that expire within EXPIRY_NOTICE_DAYS, soonest first."""
    now = now or utc_now()
    return list(
        session.scalars(
            select(Offer)
            .where(
                Offer.company_id == company.id,
                Offer.status == OfferStatus.ACTIVE.value,
                Offer.expires_at > now,
                Offer.expires_at <= now + timedelta(days=EXPIRY_NOTICE_DAYS),
            )
            .order_by(Offer.expires_at, Offer.id)
        )
    )


def new_request_count(session: Session, company: Company) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ContactRequest)
            .join(Offer, Offer.id == ContactRequest.offer_id)
            .where(Offer.company_id == company.id, ContactRequest.status == ContactStatus.NEW.value)
        )
        or 0
    )


def occupation_choices(session: Session, language: str) -> list[tuple[str, str]]:
    """Every occupation of the knowledge base as (slug, name), by name: the plain select that the
    combobox enhances (and that works without script)."""
    name = Profession.name_en if language == "en" else Profession.name
    return [(slug, label) for slug, label in session.execute(select(Profession.slug, name).order_by(name))]


@dataclass(frozen=True)
class OwnRequest:
    request: ContactRequest
    offer: Offer


def own_request(session: Session, company: Company, request_id: int) -> OwnRequest:
    """The company's contact request; another company's is "not found" like one that does not exist."""
    row = session.execute(
        select(ContactRequest, Offer)
        .join(Offer, Offer.id == ContactRequest.offer_id)
        .where(ContactRequest.id == request_id, Offer.company_id == company.id)
    ).one_or_none()
    if row is None:
        raise ContactRequestNotFoundError(request_id)
    return OwnRequest(request=row[0], offer=row[1])


def mark_seen(session: Session, actor: Account, found: OwnRequest) -> None:
    """Opening a new request marks it seen (audited)."""
    if found.request.status == ContactStatus.NEW.value:
        found.request.status = ContactStatus.SEEN.value
        audit.record(
            session,
            actor,
            "contact.seen",
            company_id=found.offer.company_id,
            subject=f"contact:{found.request.id}",
        )
        session.commit()


def set_status(session: Session, actor: Account, found: OwnRequest, status: ContactStatus) -> None:
    if found.request.status != status.value:
        found.request.status = status.value
        audit.record(
            session,
            actor,
            f"contact.{status.value}",
            company_id=found.offer.company_id,
            subject=f"contact:{found.request.id}",
        )
    session.commit()


class ReplyError(Exception):
    """The reply could not be sent; `code` names the page's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def send_reply(
    session: Session, settings: Settings, actor: Account, company: Company, found: OwnRequest, text: str
) -> None:
    """Email the clerk's reply to the address the pupil shared (answers go to the company), then
    mark the request answered. Blocking (smtplib): call it from a sync route (a worker thread)."""
    reply = text.strip()
    if not reply:
        raise ReplyError("reply-empty")
    if len(reply) > REPLY_MAX:
        raise ReplyError("reply-too-long")
    if not found.request.email:
        raise ReplyError("reply-no-email")
    config = SmtpConfig.from_settings(settings)
    if config is None:
        raise ReplyError("reply-no-mail-server")
    email = render(
        "contact_reply.txt",
        {"company_name": company.name, "offer_title": found.offer.title, "reply": reply},
    )
    reply_to = company.email or actor.email
    try:
        send(config, build_message(config, found.request.email, email, reply_to=reply_to))
    except NotificationError as error:
        raise ReplyError("reply-not-sent") from error
    found.request.status = ContactStatus.ANSWERED.value
    audit.record(
        session, actor, "contact.reply", company_id=company.id, subject=f"contact:{found.request.id}"
    )
    session.commit()


# --- the reminder by email ---------------------------------------------------------------------------

# A company hears by email when one of its offers expires in this many days (the page shows it
# from EXPIRY_NOTICE_DAYS on). `python -m api.cli remind-expiring` runs once a day: each run mails
# the offers that expire within the 24 hours starting this many days ahead, so a daily run names
# every offer once.
EXPIRY_REMINDER_DAYS = 7


def offers_to_remind(session: Session, now: datetime) -> dict[Company, list[Offer]]:
    """Active offers that expire within 24 hours from EXPIRY_REMINDER_DAYS ahead, by company (real,
    not suspended companies with an email address), soonest first."""
    start = now + timedelta(days=EXPIRY_REMINDER_DAYS)
    rows = session.execute(
        select(Company, Offer)
        .join(Offer, Offer.company_id == Company.id)
        .where(
            Offer.status == OfferStatus.ACTIVE.value,
            Offer.expires_at >= start,
            Offer.expires_at < start + timedelta(days=1),
            Company.email.is_not(None),
            Company.is_demo.is_(False),
            Company.suspended_at.is_(None),
        )
        .order_by(Company.id, Offer.expires_at, Offer.id)
    ).all()
    grouped: dict[Company, list[Offer]] = {}
    for company, offer in rows:
        grouped.setdefault(company, []).append(offer)
    return grouped


def send_expiry_reminders(
    session: Session, settings: Settings, now: datetime | None = None
) -> tuple[int, int]:
    """Email each company whose offers expire in EXPIRY_REMINDER_DAYS days; (sent, failed).
    Blocking (smtplib): for the CLI. Without a mail server nothing is sent."""
    config = SmtpConfig.from_settings(settings)
    if config is None:
        return 0, 0
    sent = failed = 0
    for company, offers in offers_to_remind(session, now or utc_now()).items():
        lines = "\n".join(
            f"- {offer.title}: {settings.public_url.rstrip('/')}/company/offers/{offer.id}"
            for offer in offers
        )
        email = render(
            "offer_expiring.txt",
            {"company_name": company.name, "days": str(EXPIRY_REMINDER_DAYS), "offers": lines},
        )
        try:
            send(config, build_message(config, company.email or "", email))
        except NotificationError:
            failed += 1
        else:
            sent += 1
    return sent, failed
