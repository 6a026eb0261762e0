"""The clerk's pages: offers through the offers service (same rules, same words as the API),
contact requests with the reply by email, the profile, the notice of offers about to expire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEntry
from api.companies.models import Company
from api.contacts.models import ContactRequest
from api.core.config import Settings
from api.offers.models import Offer
from api.offers.service import OfferFilters, end_of_day, search_offers
from tests.api.accounts.support import HTML, csrf_from, field_errors, sign_in
from tests.api.clerk.conftest import AccountFactory
from tests.api.exchange.support import OfferFactory, SmtpSink, now, today


def offer_fields(**overrides: Any) -> dict[str, str]:
    values = {
        "kind": "apprenticeship",
        "profession": "industriemechaniker",
        "title": "Ausbildung Industriemechaniker/in 2027",
        "description": "Du baust und wartest Maschinen.",
        "start_date": (today() + timedelta(days=200)).isoformat(),
        "places": "2",
        "municipality": "Melle",
        "certificate_expected": "",
        "apply_url": "https://sonne.example/ausbildung",
        "apply_contact": "",
        "expires_on": "",
    }
    values.update(overrides)
    return values


async def signed_in_clerk(client: httpx.AsyncClient, make_person: AccountFactory, company: Company) -> str:
    clerk = make_person("company", company)
    assert (await sign_in(client, clerk.email)).status_code == 303
    page = await client.get("/company/offers/new")
    assert page.status_code == 200
    return csrf_from(page.text)


def own_offers(session: Session, company: Company) -> list[Offer]:
    return list(session.scalars(select(Offer).where(Offer.company_id == company.id).order_by(Offer.id)))


async def test_sign_in_leads_a_clerk_to_the_company_start_page(
    client: httpx.AsyncClient, make_person: AccountFactory, bakery: Company
) -> None:
    clerk = make_person("company", bakery)
    response = await sign_in(client, clerk.email)
    assert response.headers["location"] == "/company"
    page = await client.get("/company")
    assert page.status_code == 200 and bakery.name in page.text
    assert 'aria-current="page"' in page.text


async def test_a_clerk_creates_an_offer_that_pupils_then_find(
    client: httpx.AsyncClient, session: Session, make_person: AccountFactory, bakery: Company
) -> None:
    token = await signed_in_clerk(client, make_person, bakery)
    response = await client.post("/company/offers/new", data={**offer_fields(), "csrf_token": token})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/company/offers?done=created"
    (offer,) = own_offers(session, bakery)
    assert (offer.title, offer.profession_slug, offer.places, offer.municipality_slug) == (
        "Ausbildung Industriemechaniker/in 2027",
        "industriemechaniker",
        2,
        "melle",
    )
    assert offer.start_date is not None
    assert offer.expires_at == end_of_day(offer.start_date)  # the API's default
    found = search_offers(
        session, OfferFilters(profession="industriemechaniker", near="Melle"), limit=10, offset=0
    )
    assert [item.id for item in found.items] == [offer.id]
    listing = await client.get(response.headers["location"])
    assert "Das Angebot ist gespeichert." in listing.text and offer.title in listing.text
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.company_id == bakery.id)).all()
    assert actions == ["offer.create"]


async def test_the_form_lists_every_occupation_for_browsers_without_script(
    client: httpx.AsyncClient, make_person: AccountFactory, bakery: Company
) -> None:
    await signed_in_clerk(client, make_person, bakery)
    page = (await client.get("/company/offers/new")).text
    assert '<select class="field__input" id="profession" name="profession"' in page
    assert 'data-combobox="/api/v1/professions"' in page
    assert '<option value="industriemechaniker">Industriemechaniker' in page
    assert '<label class="field__label" for="profession">Beruf</label>' in page
    english = (await client.get("/company/offers/new?lang=en")).text
    assert '<label class="field__label" for="profession">Occupation</label>' in english
    response = await client.get("/company/offers/new")
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": ""}, {"title": "Bitte füllen Sie das Feld „Titel“ aus."}),
        (
            {"start_date": "2020-01-01"},
            {"start_date": "Der Beginn (2020-01-01) liegt in der Vergangenheit."},
        ),
        (
            {"apply_url": "sonne.example"},
            {"apply_url": "„sonne.example“ ist keine Internetadresse; sie muss mit http://"},
        ),
        (
            {"municipality": "Münster"},
            {
                "municipality": "„Münster“ ist keine Gemeinde der Region Osnabrück (Stadt und Landkreis). "
                "Bitte geben Sie Namen oder Postleitzahl des Ortes an, an dem das Angebot stattfindet."
            },
        ),
        (
            {"places": "viele"},
            {"places": "„viele“ ist keine Zahl von Plätzen."},
        ),
        (
            {"start_date": "1.8.2027"},
            {"start_date": "„1.8.2027“ ist kein Datum. Bitte schreiben Sie es als Jahr-Monat-Tag"},
        ),
        (
            {"profession": "zauberer"},
            {"profession": "Einen Beruf mit der Kennung „zauberer“ kennen wir nicht."},
        ),
    ],
)
async def test_refused_offers_show_the_apis_messages_beside_each_field(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    bakery: Company,
    overrides: dict[str, str],
    expected: dict[str, str],
) -> None:
    token = await signed_in_clerk(client, make_person, bakery)
    response = await client.post(
        "/company/offers/new", data={**offer_fields(**overrides), "csrf_token": token}
    )
    assert response.status_code == 422
    errors = field_errors(response.text)
    for field, message in expected.items():
        assert errors.get(field, "").startswith(message), errors
    assert 'aria-invalid="true"' in response.text
    assert own_offers(session, bakery) == []
    # what the clerk typed stays in the form
    if "title" not in overrides:
        assert "Ausbildung Industriemechaniker/in 2027" in response.text


async def test_every_problem_is_listed_at_once_in_english_too(
    client: httpx.AsyncClient, make_person: AccountFactory, bakery: Company
) -> None:
    token = await signed_in_clerk(client, make_person, bakery)
    fields = offer_fields(title="", apply_url="", municipality="Berlin", start_date="")
    response = await client.post("/company/offers/new?lang=en", data={**fields, "csrf_token": token})
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert set(errors) >= {"title", "apply_url", "municipality", "start_date"}
    assert errors["title"] == "Please fill in the field Title."
    assert "Please say how to apply" in errors["apply_url"]


async def test_edit_copy_for_next_year_filled_and_withdraw(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    bakery: Company,
) -> None:
    offer = make_offer(bakery, title="Ausbildung 2027")
    token = await signed_in_clerk(client, make_person, bakery)
    form = (await client.get(f"/company/offers/{offer.id}")).text
    assert 'value="Ausbildung 2027"' in form
    edited = await client.post(
        f"/company/offers/{offer.id}",
        data={
            **offer_fields(
                title="Ausbildung 2027 (2 Plätze)",
                municipality="Osnabrück",
                start_date=offer.start_date.isoformat() if offer.start_date else "",
            ),
            "csrf_token": token,
        },
    )
    assert edited.status_code == 303, edited.text
    session.refresh(offer)
    assert offer.title == "Ausbildung 2027 (2 Plätze)"
    # the place did not change, so the offer keeps its own point
    assert offer.municipality_slug == "osnabrueck"

    copy = (await client.get(f"/company/offers/new?copy_of={offer.id}")).text
    assert offer.start_date is not None
    next_year = offer.start_date.replace(year=offer.start_date.year + 1)
    assert f'value="{next_year.isoformat()}"' in copy
    created = await client.post(
        "/company/offers/new",
        data={**offer_fields(title="Ausbildung 2028", start_date=next_year.isoformat()), "csrf_token": token},
    )
    assert created.status_code == 303

    filled = await client.post(f"/company/offers/{offer.id}/filled", data={"csrf_token": token})
    assert filled.status_code == 303
    session.refresh(offer)
    assert offer.status == "filled"
    withdrawn = await client.post(f"/company/offers/{offer.id}/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    session.refresh(offer)
    assert offer.status == "withdrawn"
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.company_id == bakery.id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["offer.update", "offer.create", "offer.filled", "offer.withdraw"]


async def test_offers_about_to_expire_are_named_on_the_start_page(
    client: httpx.AsyncClient, make_person: AccountFactory, make_offer: OfferFactory, bakery: Company
) -> None:
    soon = make_offer(bakery, title="Praktikum Herbst", expires_at=now() + timedelta(days=5))
    make_offer(bakery, title="Ausbildung später", expires_at=now() + timedelta(days=90))
    await signed_in_clerk(client, make_person, bakery)
    start = (await client.get("/company")).text
    assert "Angebote laufen bald ab" in start
    assert "Praktikum Herbst" in start and "Ausbildung später" not in start
    listing = (await client.get("/company/offers")).text
    assert listing.count("läuft bald ab") == 1
    assert f"/company/offers/{soon.id}" in start


async def test_contact_requests_show_what_was_shared_and_the_consent(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
    bakery: Company,
) -> None:
    offer = make_offer(bakery)
    request = make_contact_request(offer, phone="0541 123456")
    await signed_in_clerk(client, make_person, bakery)
    listing = (await client.get("/company/contacts?status=new")).text
    assert "Mia" in listing and offer.title in listing
    page = (await client.get(f"/company/contacts/{request.id}")).text
    assert "mia@schule.example" in page and "0541 123456" in page
    assert "Ich bin einverstanden, dass meine Angaben an den Betrieb gehen." in page
    assert "Ich interessiere mich für die Ausbildung." in page
    session.refresh(request)
    assert request.status == "seen"  # opening it marks it seen
    assert "pupil_ref" not in page and "conversation-1" not in page


async def test_a_reply_goes_to_the_pupil_by_email_and_marks_the_request_answered(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
    bakery: Company,
    smtp_sink: SmtpSink,
    with_smtp: Callable[[], Settings],
) -> None:
    offer = make_offer(bakery)
    request = make_contact_request(offer)
    token = await signed_in_clerk(client, make_person, bakery)
    empty = await client.post(
        f"/company/contacts/{request.id}/reply", data={"reply": " ", "csrf_token": token}
    )
    assert empty.status_code == 422
    assert field_errors(empty.text) == {"reply": "Bitte schreiben Sie eine Antwort."}
    without_server = await client.post(
        f"/company/contacts/{request.id}/reply", data={"reply": "Hallo Mia!", "csrf_token": token}
    )
    assert without_server.status_code == 422
    assert "aus Ihrem eigenen E-Mail-Programm" in without_server.text
    with_smtp()
    response = await client.post(
        f"/company/contacts/{request.id}/reply",
        data={"reply": "Hallo Mia, komm gern am Dienstag vorbei.", "csrf_token": token},
    )
    assert response.status_code == 303, response.text
    (message,) = smtp_sink.messages
    assert message["To"] == "mia@schule.example"
    assert message["Reply-To"] == "ausbildung@sonne.example"
    assert "Bäckerei Sonne GmbH" in message["Subject"]
    assert "Hallo Mia, komm gern am Dienstag vorbei." in message.get_content()
    session.refresh(request)
    assert request.status == "answered"
    page = (await client.get(response.headers["location"])).text
    assert "Ihre Antwort ist verschickt." in page


async def test_a_request_with_a_phone_number_only_has_no_reply_form(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
    bakery: Company,
) -> None:
    request = make_contact_request(make_offer(bakery), email=None, phone="0541 123456")
    token = await signed_in_clerk(client, make_person, bakery)
    page = (await client.get(f"/company/contacts/{request.id}")).text
    assert "nur eine Telefonnummer" in page and 'name="reply"' not in page
    answered = await client.post(
        f"/company/contacts/{request.id}/status", data={"status": "answered", "csrf_token": token}
    )
    assert answered.status_code == 303
    session.refresh(request)
    assert request.status == "answered"
    unknown = await client.post(
        f"/company/contacts/{request.id}/status", data={"status": "lost", "csrf_token": token}
    )
    assert unknown.status_code == 422


async def test_the_profile_is_saved_or_refused_with_the_apis_words(
    client: httpx.AsyncClient, session: Session, make_person: AccountFactory, bakery: Company
) -> None:
    token = await signed_in_clerk(client, make_person, bakery)
    page = (await client.get("/company/profile")).text
    assert 'value="Bäckerei Sonne GmbH"' in page
    fields = {
        "name": "Bäckerei Sonne GmbH & Co. KG",
        "municipality": "49565",
        "email": "azubi@sonne.example",
        "phone": "05461 12345",
        "website": "https://sonne.example",
        "size": "small",
    }
    saved = await client.post("/company/profile", data={**fields, "csrf_token": token})
    assert saved.status_code == 303
    session.refresh(bakery)
    assert (bakery.name, bakery.municipality_slug, bakery.email, bakery.size) == (
        "Bäckerei Sonne GmbH & Co. KG",
        "bramsche",
        "azubi@sonne.example",
        "small",
    )
    refused = await client.post(
        "/company/profile",
        data={
            **fields,
            "name": "",
            "email": "azubi(at)sonne",
            "website": "sonne.example",
            "csrf_token": token,
        },
    )
    assert refused.status_code == 422
    errors = field_errors(refused.text)
    assert errors["name"] == "Bitte füllen Sie das Feld „Name des Betriebs“ aus."
    assert errors["email"] == "„azubi(at)sonne“ ist keine gültige E-Mail-Adresse."
    assert errors["website"].startswith("„sonne.example“ ist keine Internetadresse")
    session.refresh(bakery)
    assert bakery.email == "azubi@sonne.example"


async def test_pages_answer_in_english(
    client: httpx.AsyncClient, make_person: AccountFactory, bakery: Company
) -> None:
    await signed_in_clerk(client, make_person, bakery)
    for path in ("/company", "/company/offers", "/company/contacts", "/company/import", "/company/profile"):
        page = await client.get(path, params={"lang": "en"}, headers=HTML)
        assert page.status_code == 200
        assert '<html lang="en">' in page.text
