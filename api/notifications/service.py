"""Rendering emails from template files and sending them over SMTP.

A template is a text file in `templates/`: the first line is `Subject: ...`, then a blank line,
then the body; `${name}` placeholders are filled with `string.Template` (missing values are an
error, so a template and its caller cannot drift apart silently).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from string import Template

from api.core.config import Settings

TEMPLATES_DIR = Path(__file__).with_name("templates")


class NotificationError(Exception):
    """The message could not be handed to the SMTP server."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """None when no SMTP host is configured (nothing can be sent)."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            sender=settings.smtp_from,
            starttls=settings.smtp_starttls,
            timeout_seconds=settings.smtp_timeout_seconds,
        )


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def render(template_name: str, values: Mapping[str, str]) -> RenderedEmail:
    text = (TEMPLATES_DIR / template_name).read_text(encoding="utf-8")
    header, _, body = text.partition("\n\n")
    if not header.startswith("Subject: "):
        raise ValueError(f"{template_name}: the first line must be 'Subject: ...'")
    subject = Template(header.removeprefix("Subject: ").strip()).substitute(values)
    return RenderedEmail(subject=" ".join(subject.split()), body=Template(body).substitute(values))


def build_message(
    config: SmtpConfig, to: str, email: RenderedEmail, reply_to: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain="berufslotse")
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(email.body)  # utf-8, quoted-printable or base64 as needed
    return message


def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server (blocking; call it from a worker thread)."""
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise NotificationError(f"{type(error).__name__}: {error}") from error
