"""The emails of the account system: the invitation with its first sign-in link, and a sign-in link
asked for on the login page. Both in German and English (we do not know the reader's language).

Sent through the project's one SMTP mailer (api/notifications/service.py); from a request, in a
background task (smtplib blocks), so the page answers at once and the same whether or not an
email went out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from api.accounts.models import Account
from api.core.config import Settings
from api.notifications.service import (
    NotificationError,
    RenderedEmail,
    SmtpConfig,
    build_message,
    render,
    send,
)

logger = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
ROLE_NAMES = {
    "advisor": ("Berufsberatung / Lehrkraft", "career advisor / teacher"),
    "district": ("Bildungsbüro des Landkreises", "district education office"),
    "admin": ("Administration", "administrator"),
    "company": ("Ausbildungsbetrieb", "training company"),
}


def invitation_email(account: Account, link: str, expires_at: datetime) -> RenderedEmail:
    local = expires_at.astimezone(LOCAL_ZONE)
    role_de, role_en = ROLE_NAMES[account.role]
    return render(
        "account_invitation.txt",
        {
            "email": account.email,
            "role_de": role_de,
            "role_en": role_en,
            "link": link,
            "expires_de": local.strftime("%d.%m.%Y, %H:%M Uhr"),
            "expires_en": local.strftime("%d %B %Y, %H:%M") + " (Berlin time)",
        },
    )


def sign_in_email(link: str, valid_for: timedelta) -> RenderedEmail:
    return render("sign_in_link.txt", {"link": link, "minutes": str(int(valid_for.total_seconds() // 60))})


def deliver(settings: Settings, to: str, email: RenderedEmail) -> bool:
    """Send `email` to `to`; False (and a log line without the link) when it could not be sent."""
    config = SmtpConfig.from_settings(settings)
    if config is None:
        logger.warning("account email not sent: no SMTP host configured")
        return False
    try:
        send(config, build_message(config, to, email))
    except NotificationError as error:
        logger.warning("account email not sent: %s", error)
        return False
    return True
