"""Telling the company about a new contact request by email, after the request was answered.

Runs as a background task (in a worker thread, since smtplib blocks) with its own session. A
failure never loses the request: it is logged and the request keeps `notify_failed = true`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.companies.models import Company
from api.contacts.models import ContactRequest
from api.core.config import Settings
from api.core.models import utc_now
from api.geo.models import Municipality
from api.notifications.service import NotificationError, SmtpConfig, build_message, render, send
from api.offers.models import Offer

logger = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
TEMPLATE = "contact_request.de.txt"
# Shown in the email for what the pupil did not share (no words, so no language to pick).
NOT_SHARED = "–"

SessionScope = Callable[[], AbstractContextManager[Session]]


def email_values(
    request: ContactRequest, offer: Offer, company: Company, place: Municipality, retention_days: int
) -> dict[str, str]:
    consent_at = request.consent_at.astimezone(LOCAL_ZONE)
    return {
        "greeting_name": f" {company.contact_person}" if company.contact_person else "",
        "offer_title": offer.title,
        "offer_id": str(offer.id),
        "offer_place": place.name,
        "offer_start": offer.start_date.strftime("%d.%m.%Y") if offer.start_date else NOT_SHARED,
        "name": request.name or NOT_SHARED,
        "email": request.email or NOT_SHARED,
        "phone": request.phone or NOT_SHARED,
        "message": request.message or NOT_SHARED,
        "consent_date": consent_at.strftime("%d.%m.%Y"),
        "consent_time": consent_at.strftime("%H:%M"),
        "consent_text": request.consent_text,
        "retention_days": str(retention_days),
        "request_id": str(request.id),
    }


def notify_company(
    sessions: SessionScope, settings: Settings, request_id: int, now: datetime | None = None
) -> str:
    """Email the company about request `request_id`; returns "sent", "failed" or "gone"."""
    config = SmtpConfig.from_settings(settings)
    with sessions() as session:
        request = session.get(ContactRequest, request_id)
        if request is None:  # withdrawn in the meantime
            return "gone"
        offer = session.get_one(Offer, request.offer_id)
        company = session.get_one(Company, offer.company_id)
        place = session.get_one(Municipality, offer.municipality_slug)
        outcome = "failed"
        if config is None:
            logger.warning("contact request %s: no SMTP host configured, company not notified", request_id)
        elif not company.email:
            logger.warning("contact request %s: company %s has no email address", request_id, company.id)
        else:
            rendered = render(
                TEMPLATE, email_values(request, offer, company, place, settings.contact_retention_days)
            )
            message = build_message(config, company.email, rendered, reply_to=request.email)
            try:
                send(config, message)
                outcome = "sent"
            except NotificationError as error:
                logger.warning(
                    "contact request %s: email to company %s failed: %s", request_id, company.id, error
                )
        if outcome == "sent":
            request.notified_at = now or utc_now()
            request.notify_failed = False
        else:
            request.notify_failed = True
        session.commit()
        return outcome
