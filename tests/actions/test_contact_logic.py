"""The pure parts of the contact flow: names, email addresses, phone numbers, corrections, texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from actions.contact_logic import (
    MESSAGE_MAX,
    NOT_SHARED,
    Reach,
    clean_message,
    clean_name,
    consent_text,
    field_to_correct,
    next_missing,
    read_reach,
    request_date,
    summary_values,
)
from actions.offer_logic import DomainTexts
from tests.actions.exchange_fakes import entity, load_domain

DOMAIN = load_domain()
OFFER = {"id": 1, "title": "Ausbildung Koch/Köchin", "company": "Muster-Gasthaus", "place": "Bramsche"}


@pytest.mark.parametrize(
    ("text", "reach"),
    [
        ("mia@example.de", Reach(email="mia@example.de")),
        ("meine mail ist Mia.B@schule-example.de.", Reach(email="Mia.B@schule-example.de")),
        ("0171 2345678", Reach(phone="0171 2345678")),
        ("+49 (541) 123-456", Reach(phone="+49 (541) 123-456")),
        ("mia@example.de oder 0541/123456", Reach(email="mia@example.de", phone="0541/123456")),
        ("mia@gmail", Reach(problem="email", value="mia@gmail")),
        ("mia@gmail,com", Reach(problem="email", value="mia@gmail,com")),
        ("mia.example.de@", Reach(problem="email", value="mia.example.de@")),
        ("0171 23", Reach(problem="phone", value="0171 23")),
        ("01234567890123456789", Reach(problem="phone", value="01234567890123456789")),
        ("ruf mich an", Reach(problem="missing", value="ruf mich an")),
        ("ab 8 uhr", Reach(problem="missing", value="ab 8 uhr")),
    ],
)
def test_email_and_phone(text: str, reach: Reach) -> None:
    assert read_reach(text) == reach


def test_both_are_shown_together() -> None:
    assert read_reach("mia@example.de 0171 2345678").display == "mia@example.de · 0171 2345678"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mia", "Mia"),
        ("mia schmidt", "Mia Schmidt"),
        ("ich heiße lena", "Lena"),
        ("Mein Name ist Jan-Ole McKenzie.", "Jan-Ole McKenzie"),
        ("my name is Sam", "Sam"),
        ("nein", None),
        ("keine ahnung", None),
        ("mia@example.de", None),
        ("0171 2345678", None),
        ("ich bin ein sehr langer satz mit vielen wörtern", None),
        ("?!", None),
    ],
)
def test_names(text: str, name: str | None) -> None:
    assert clean_name(text) == name


def test_messages() -> None:
    assert clean_message("  Ich kann ab 14 Uhr.  ") == "Ich kann ab 14 Uhr."
    assert clean_message("") == ""
    assert clean_message("x" * (MESSAGE_MAX + 1)) is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("nee die email ist falsch", "reach"),
        ("die handynummer stimmt nicht", "reach"),
        ("wrong phone number", "reach"),
        ("mein name ist falsch geschrieben", "name"),
        ("nachricht ändern", "message"),
        ("ich will was ändern", None),
        ("name und email sind falsch", None),  # two fields: ask which
    ],
)
def test_which_field_a_correction_means(text: str, field: str | None) -> None:
    assert field_to_correct(text) == field


def test_a_button_names_the_field() -> None:
    payload = '/correct_contact{"contact_field":"message"}'
    assert field_to_correct(payload, [entity("contact_field", "message")]) == "message"
    assert field_to_correct(payload, [entity("contact_field", "password")]) is None


def test_next_missing() -> None:
    order = ("contact_consent", "contact_name", "contact_reach")
    assert next_missing(order, {"contact_consent": True, "contact_name": None}) == "contact_name"
    assert (
        next_missing(order, {"contact_consent": False, "contact_name": "Mia", "contact_reach": "x"}) is None
    )


def test_the_consent_says_what_goes_to_whom_and_why() -> None:
    german = consent_text(OFFER, 180, DomainTexts(DOMAIN, "de"))
    assert german.startswith(
        "Ich kann Muster-Gasthaus bitten, sich wegen „Ausbildung Koch/Köchin“ in Bramsche"
    )
    assert "deinen Namen, deine E-Mail-Adresse oder Telefonnummer" in german
    assert "nach 180 Tagen gelöscht" in german and "Demo" not in german
    english = consent_text({**OFFER, "is_demo": True}, 90, DomainTexts(DOMAIN, "en"))
    assert "in Bramsche. Note: this is a demo offer, the company is made up. For that I send" in english
    assert "deleted after 90 days" in english


def test_the_summary_shows_a_dash_for_what_is_not_shared() -> None:
    slots = {"contact_name": "Mia", "contact_reach": "mia@example.de", "contact_message": ""}
    assert summary_values(OFFER, slots) == {
        "company": "Muster-Gasthaus",
        "title": "Ausbildung Koch/Köchin",
        "name": "Mia",
        "reach": "mia@example.de",
        "message": NOT_SHARED,
    }


def test_request_dates_are_local_days() -> None:
    late_evening = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on 3 March in Osnabrück
    assert request_date(late_evening, DomainTexts(DOMAIN, "de")) == "3. März 2026"
    assert request_date(late_evening, DomainTexts(DOMAIN, "en")) == "3 Mar 2026"
