"""Decisions behind the contact flow, as pure functions (no Rasa, no I/O).

- What the pupil typed as their name, email address or phone number, and whether it is usable
  (`clean_name`, `read_reach`, `clean_message`); the rules match the API's, so the API never
  refuses what the chat accepted.
- Which field "nee die email ist falsch" wants to change (`field_to_correct`).
- The consent text and the summary, from the responses in bot/domain/contact.yml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from actions.offer_logic import DomainTexts, format_date
from actions.offers_api import OfferDetail
from actions.profession_logic import TemplateValue
from actions.text_utils import fold

# The API's limits (api/contacts/schemas.py) and a little less, so that a chat message fits.
NAME_MAX = 60
NAME_MAX_WORDS = 5
MESSAGE_MAX = 500
EMAIL_MAX = 254
PHONE_DIGITS = range(7, 16)  # as the API: the shortest German numbers have 7 digits, E.164 15
DEFAULT_RETENTION_DAYS = 180
NOT_SHARED = "–"  # shown in the summary for an empty message (no words, so no language)
LOCAL_ZONE = ZoneInfo("Europe/Berlin")

# Every slot of the form and its context; all cleared when the flow ends, however it ends.
CONTACT_SLOTS = (
    "contact_offer_id",
    "contact_offer",
    "contact_consent_text",
    "contact_consent",
    "contact_name",
    "contact_reach",
    "contact_email",
    "contact_phone",
    "contact_message",
    "contact_confirmed",
)

Field = Literal["name", "reach", "message"]
# The slots behind each field the pupil can correct.
FIELD_SLOTS: Mapping[Field, tuple[str, ...]] = {
    "name": ("contact_name",),
    "reach": ("contact_reach", "contact_email", "contact_phone"),
    "message": ("contact_message",),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[a-z]{2,}$", re.IGNORECASE)
_PHONE_CANDIDATE = re.compile(r"(?<![\w@.])\+?\d[\d ()/\-]*\d(?![\w@])")
_PHONE = re.compile(r"^\+?[0-9 ()/\-]+$")
_TRIM = " \t\n\"'`´,;:!?()<>[]{}"
_NAME_INTRO = re.compile(
    r"^(?:ich hei(?:ss|ß)e|ich bin|mein name ist|man nennt mich|my name is|i am|i'm|im|name)\s*:?\s+",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    {
        "nein", "nee", "ne", "no", "nope", "ja", "yes", "ok", "okay", "egal", "keine ahnung",
        "weiss nicht", "weis nicht", "idk", "kein", "keinen", "niemand", "anonym", "hallo", "hi",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Reach:
    """How the company can reach the pupil, or why what they typed does not work.

    `problem` is "email" (an address that cannot be right), "phone" (a number with too few or
    too many digits) or "missing" (neither); `value` is what was wrong, as typed.
    """

    email: str | None = None
    phone: str | None = None
    problem: Literal["email", "phone", "missing"] | None = None
    value: str = ""

    @property
    def display(self) -> str:
        return " · ".join(part for part in (self.email, self.phone) if part)


def read_reach(text: str) -> Reach:
    """The email address and/or phone number in a message ("mia@web.de", "0171 2345678", both)."""
    words = [word.strip(_TRIM).rstrip(".") for word in text.split()]
    emails = [word for word in words if "@" in word]
    for email in emails:
        if len(email) > EMAIL_MAX or not _EMAIL.match(email):
            return Reach(problem="email", value=email)
    without_emails = " ".join(word for word in text.split() if "@" not in word)
    phones = [match.group(0).strip() for match in _PHONE_CANDIDATE.finditer(without_emails)]
    phone: str | None = None
    for candidate in phones:
        digits = sum(character.isdigit() for character in candidate)
        if digits < 3:
            continue  # "2 mal", "ab 8": not meant as a number
        if digits not in PHONE_DIGITS or not _PHONE.match(candidate):
            return Reach(problem="phone", value=candidate)
        phone = phone or " ".join(candidate.split())
    first_email = emails[0] if emails else None
    if first_email is None and phone is None:
        return Reach(problem="missing", value=text.strip())
    return Reach(email=first_email, phone=phone)


def clean_name(text: str) -> str | None:
    """The name as the company should read it; None when it is no name ("nein", an email, digits)."""
    name = _NAME_INTRO.sub("", " ".join(text.split())).strip(_TRIM + ".")
    if not name or len(name) > NAME_MAX or len(name.split()) > NAME_MAX_WORDS:
        return None
    if "@" in name or any(character.isdigit() for character in name):
        return None
    if not any(character.isalpha() for character in name) or fold(name) in _NOT_NAMES:
        return None
    # "mia schmidt" -> "Mia Schmidt"; a name typed with capitals stays as it is ("Jan-Ole", "McKenzie").
    return name.title() if name == name.lower() else name


def clean_message(text: str) -> str | None:
    """The optional message, trimmed ("" for none); None when it is too long."""
    message = text.strip()
    return message if len(message) <= MESSAGE_MAX else None


_FIELD_WORDS: tuple[tuple[Field, re.Pattern[str]], ...] = (
    (
        "reach",
        re.compile(r"\b(e ?-?mail\w*|mail\w*|adresse|address|nummer|telefon\w*|handy\w*|tel|phone|number)\b"),
    ),
    ("name", re.compile(r"\b(name|namen|heisse|heiss)\b")),
    ("message", re.compile(r"\b(nachricht|text|message|note)\b")),
)


def field_to_correct(text: str, entities: Iterable[Mapping[str, Any]] = ()) -> Field | None:
    """Which field a correction is about: the button's entity, else the words of the message."""
    for entity in entities:
        if entity.get("entity") == "contact_field" and entity.get("value") in FIELD_SLOTS:
            value: Field = entity["value"]
            return value
    if text.lstrip().startswith("/"):
        return None
    folded = fold(text)
    named = [field for field, pattern in _FIELD_WORDS if pattern.search(folded)]
    return named[0] if len(named) == 1 else None


def next_missing(required: Iterable[str], slots: Mapping[str, Any]) -> str | None:
    return next((slot for slot in required if slots.get(slot) is None), None)


# --- texts ----------------------------------------------------------------------------------------


def offer_slot(offer: OfferDetail) -> dict[str, Any]:
    """What the flow keeps about the offer (contact_offer) while the pupil fills in the form."""
    return {
        "id": offer.id,
        "title": offer.card.title,
        "company": offer.card.company_name,
        "place": offer.card.place,
        "is_demo": offer.card.is_demo,
        "apply": apply_text(offer),
    }


def apply_text(offer: OfferDetail) -> str:
    return " · ".join(part for part in (offer.apply_url, offer.apply_contact, offer.company_website) if part)


def consent_text(offer: Mapping[str, Any], retention_days: int, texts: DomainTexts) -> str:
    """The consent exactly as the pupil will read it (and as it is stored with the request)."""
    notice = f" {texts('utter_contact_demo_notice')}" if offer.get("is_demo") else ""
    return texts(
        "utter_contact_consent_text",
        company=str(offer.get("company") or ""),
        title=str(offer.get("title") or ""),
        place=str(offer.get("place") or ""),
        retention_days=retention_days,
        notice=notice,
    )


def summary_values(offer: Mapping[str, Any], slots: Mapping[str, Any]) -> dict[str, TemplateValue]:
    message = slots.get("contact_message")
    return {
        "company": str(offer.get("company") or ""),
        "title": str(offer.get("title") or ""),
        "name": str(slots.get("contact_name") or NOT_SHARED),
        "reach": str(slots.get("contact_reach") or NOT_SHARED),
        "message": str(message) if message else NOT_SHARED,
    }


def sent_values(offer: Mapping[str, Any], texts: DomainTexts) -> dict[str, TemplateValue]:
    notice = f" {texts('utter_contact_sent_demo_notice')}" if offer.get("is_demo") else ""
    return {"company": str(offer.get("company") or ""), "notice": notice}


STATUS_RESPONSES: Mapping[str, str] = {
    "new": "utter_contact_status_new",
    "seen": "utter_contact_status_seen",
    "answered": "utter_contact_status_answered",
}


def status_label(status: str, texts: DomainTexts) -> str:
    return texts(STATUS_RESPONSES.get(status, STATUS_RESPONSES["new"]))


def request_date(created_at: datetime, texts: DomainTexts) -> str:
    """The local day a request was made (the API answers in UTC)."""
    local = created_at.astimezone(LOCAL_ZONE) if created_at.tzinfo else created_at
    return format_date(local.date(), texts)
