"""The email that reminds a company of offers about to expire (`python -m api.cli remind-expiring`,
daily), through a real SMTP server on 127.0.0.1. The page's notice: test_clerk_pages.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from api.clerk.service import EXPIRY_REMINDER_DAYS, send_expiry_reminders
from api.companies.models import Company
from api.core.config import Settings
from tests.api.exchange.support import CompanyFactory, OfferFactory, SmtpSink, now

IN_A_WEEK = timedelta(days=EXPIRY_REMINDER_DAYS, hours=3)


def test_each_company_hears_once_about_its_offers_that_expire_in_a_week(
    session: Session,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
    bakery: Company,
    smtp_sink: SmtpSink,
    with_smtp: Callable[[], Settings],
) -> None:
    settings = with_smtp()
    start = now()
    soon = make_offer(bakery, title="Ausbildung Bäcker/in 2027", expires_at=start + IN_A_WEEK)
    make_offer(bakery, title="Praktikum Sommer", expires_at=start + IN_A_WEEK + timedelta(hours=2))
    make_offer(bakery, title="Schon morgen", expires_at=start + timedelta(days=1))  # the page says it
    make_offer(bakery, title="Noch lange", expires_at=start + timedelta(days=60))
    make_offer(bakery, title="Zurückgezogen", expires_at=start + IN_A_WEEK, status="withdrawn")
    no_address = make_company(email=None)
    make_offer(no_address, expires_at=start + IN_A_WEEK)
    demo = make_company(is_demo=True)
    make_offer(demo, expires_at=start + IN_A_WEEK)

    assert send_expiry_reminders(session, settings, start) == (1, 0)
    (message,) = smtp_sink.messages
    assert message["To"] == "ausbildung@sonne.example"
    assert "Bäckerei Sonne GmbH" in message["Subject"]
    body = message.get_content()
    assert "Ausbildung Bäcker/in 2027" in body and "Praktikum Sommer" in body
    assert f"https://berufslotse.example/company/offers/{soon.id}" in body
    for other in ("Schon morgen", "Noch lange", "Zurückgezogen"):
        assert other not in body
    assert "in 7 Tagen" in body and "in 7 days" in body

    # the next day's run: nothing new to say about these offers
    assert send_expiry_reminders(session, settings, start + timedelta(days=1)) == (0, 0)
    assert len(smtp_sink.messages) == 1


def test_without_a_mail_server_nothing_is_sent(
    session: Session, make_offer: OfferFactory, bakery: Company, settings: Settings, smtp_sink: SmtpSink
) -> None:
    make_offer(bakery, expires_at=now() + IN_A_WEEK)
    assert send_expiry_reminders(session, settings) == (0, 0)
    assert smtp_sink.messages == []
