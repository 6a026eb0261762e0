"""The email that tells advisors of a new hand-off: where to read it, nothing of what it says.

Sent through the project's one SMTP mailer (api/notifications/service.py) from a background task
(smtplib blocks), after the hand-off is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from api.core.config import Settings
from api.notifications.service import (
    NotificationError,
    RenderedEmail,
    SmtpConfig,
    build_message,
    render,
    send,
)
from api.share.models import Recipient

logger = logging.getLogger(__name__)

RECIPIENT_NAMES = {
    Recipient.CLASS: ("an Sie als Lehrkraft der Klasse", "to you as the class's teacher"),
    Recipient.REGION: ("an die Berufsberatung der Region", "to the region's careers advisers"),
}


def handoff_email(settings: Settings, recipient: str) -> RenderedEmail:
    name_de, name_en = RECIPIENT_NAMES[recipient]
    return render(
        "handoff_new.txt",
        {"link": f"{settings.public_url}/advisor/inbox", "recipient_de": name_de, "recipient_en": name_en},
    )


def tell_advisers(settings: Settings, addresses: Sequence[str], recipient: str) -> int:
    """Send the notice to every address; returns how many went out (0 without a mail server)."""
    config = SmtpConfig.from_settings(settings)
    if config is None:
        logger.warning("hand-off notice not sent: no SMTP host configured")
        return 0
    email = handoff_email(settings, recipient)
    sent = 0
    for address in addresses:
        try:
            send(config, build_message(config, address, email))
            sent += 1
        except NotificationError as error:
            logger.warning("hand-off notice not sent: %s", error)
    return sent
