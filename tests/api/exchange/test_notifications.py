"""A new contact request emails the company, through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.contacts.models import ContactRequest
from api.core.config import Settings
from api.notifications.service import RenderedEmail, SmtpConfig, build_message, render
from api.offers.models import Offer
from tests.api.exchange.support import CompanyFactory, OfferFactory, SmtpSink, free_port

CONSENT = (
    "Ich bin einverstanden, dass Berufslotse meinen Namen, meine E-Mail und meine Nachricht "
    "an den Betrieb schickt."
)


def use_settings(app: FastAPI, settings: Settings, **changes: object) -> Settings:
    changed = settings.model_copy(update=changes)
    app.state.settings = changed
    return changed


def body_text(message: EmailMessage) -> str:
    text = message.get_content()
    assert isinstance(text, str)
    return text


@pytest.fixture
def company(make_company: CompanyFactory) -> Company:
    return make_company(name="Alpha GmbH", email="azubi@alpha.example", contact_person="Frau Sommer")


@pytest.fixture
def offer(company: Company, make_offer: OfferFactory) -> Offer:
    return make_offer(company, title="Ausbildung Industriemechaniker (m/w/d)", place="bramsche")


async def test_the_company_gets_a_german_email_with_what_the_pupil_shared(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    smtp_sink: SmtpSink,
    offer: Offer,
    service_headers: dict[str, str],
    session: Session,
) -> None:
    use_settings(
        app, settings, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port, smtp_from="bot@berufslotse.example"
    )
    response = await client.post(
        "/api/v1/contact-requests",
        json={
            "offer_id": offer.id,
            "pupil_ref": "telegram-123",
            "name": "Mia Beispiel",
            "email": "mia@schule.example",
            "phone": "0541 987654",
            "message": "Ich mache gern Praktika in den Ferien.",
            "consent_text": CONSENT,
        },
        headers=service_headers,
    )
    assert response.status_code == 201, response.text
    request_id = response.json()["id"]

    assert len(smtp_sink.envelopes) == 1
    envelope = smtp_sink.envelopes[0]
    assert envelope.mail_from == "bot@berufslotse.example"
    assert envelope.rcpt_tos == ["azubi@alpha.example"]
    message = smtp_sink.messages[0]
    assert parseaddr(message["Reply-To"])[1] == "mia@schule.example"
    assert (
        message["Subject"]
        == f"Kontaktanfrage zu Ihrem Angebot „Ausbildung Industriemechaniker (m/w/d)“ (Nr. {offer.id})"
    )
    text = body_text(message)
    assert text.startswith("Guten Tag Frau Sommer,")
    for expected in (
        "Ausbildung Industriemechaniker (m/w/d)",
        f"(Nr. {offer.id})",
        "Ort:       Bramsche",
        "Name:      Mia Beispiel",
        "E-Mail:    mia@schule.example",
        "Telefon:   0541 987654",
        "Ich mache gern Praktika in den Ferien.",
        f"„{CONSENT}“",
        "nach 180 Tagen",
        f"PATCH /api/v1/company/contact-requests/{request_id}",
    ):
        assert expected in text, expected
    assert "telegram-123" not in text  # the conversation id never leaves us

    stored = session.get_one(ContactRequest, request_id)
    assert stored.notified_at is not None and stored.notify_failed is False
    listed = await client.get(
        "/api/v1/contact-requests", params={"pupil_ref": "telegram-123"}, headers=service_headers
    )
    assert listed.json()[0]["notification"] == "sent"


async def test_what_was_not_shared_shows_as_a_dash(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    smtp_sink: SmtpSink,
    offer: Offer,
    service_headers: dict[str, str],
) -> None:
    use_settings(app, settings, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port)
    response = await client.post(
        "/api/v1/contact-requests",
        json={"offer_id": offer.id, "pupil_ref": "p", "phone": "0541 987654", "consent_text": CONSENT},
        headers=service_headers,
    )
    assert response.status_code == 201
    message = smtp_sink.messages[0]
    assert message["Reply-To"] is None
    text = body_text(message)
    assert "Name:      –" in text and "E-Mail:    –" in text and "Telefon:   0541 987654" in text


async def test_a_failing_smtp_server_keeps_the_request_and_flags_it(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    offer: Offer,
    service_headers: dict[str, str],
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_settings(
        app, settings, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2
    )  # nobody listens
    response = await client.post(
        "/api/v1/contact-requests",
        json={"offer_id": offer.id, "pupil_ref": "p", "email": "mia@schule.example", "consent_text": CONSENT},
        headers=service_headers,
    )
    assert response.status_code == 201  # the pupil's request is not lost
    stored = session.get_one(ContactRequest, response.json()["id"])
    assert stored.notify_failed is True and stored.notified_at is None
    assert any("email to company" in record.getMessage() for record in caplog.records)


def test_templates_must_get_every_value() -> None:
    with pytest.raises(KeyError):
        render("contact_request.de.txt", {"offer_title": "only this"})


def test_messages_are_utf8_with_the_subject_encoded() -> None:
    config = SmtpConfig("127.0.0.1", 25, None, None, "Berufslotse <bot@example.org>", False, 5)
    message = build_message(config, "a@b.example", RenderedEmail("Anfrage „Bäcker“", "Grüße"))
    assert "Bäcker" in str(message["Subject"])
    assert message.get_content_charset() == "utf-8"
