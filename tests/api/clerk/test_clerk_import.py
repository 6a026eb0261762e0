"""The clerk's upload of a Bundesagentur für Arbeit job search file: the CLI's importer with the
clerk's company as the owner, idempotent by refnr, with the report of unknown occupations."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEntry
from api.companies.models import Company
from api.offers.models import Offer
from tests.api.accounts.support import csrf_from, field_errors, sign_in
from tests.api.clerk.conftest import AccountFactory
from tests.api.exchange.support import OfferFactory

DATA = Path(__file__).resolve().parents[1] / "data"
FIRST = DATA / "ba_ausbildung_osnabrueck.json"


def report_counts(page: str) -> dict[str, int]:
    return {label: int(count) for label, count in re.findall(r"<li>([A-Za-zäöü ]+): (\d+)</li>", page)}


async def upload(
    client: httpx.AsyncClient, token: str, content: bytes, name: str = "jobs.json"
) -> httpx.Response:
    return await client.post(
        "/company/import",
        data={"csrf_token": token, "angebotsart": "4"},
        files={"file": (name, content, "application/json")},
    )


async def test_an_upload_imports_the_companys_offers_once_and_reports_unknown_occupations(
    client: httpx.AsyncClient, session: Session, make_person: AccountFactory, bakery: Company
) -> None:
    clerk = make_person("company", bakery)
    await sign_in(client, clerk.email)
    token = csrf_from((await client.get("/company/import")).text)
    first = await upload(client, token, FIRST.read_bytes())
    assert first.status_code == 200, first.text
    assert report_counts(first.text) == {
        "Neu angelegt": 5,
        "Geändert": 0,
        "Unverändert": 0,
        "Nicht übernommen": 5,
    }
    assert "<li>Bäcker/in (2)</li>" in first.text  # the occupation we do not know, with its count
    offers = session.scalars(select(Offer).where(Offer.source == "ba")).all()
    assert len(offers) == 5 and {offer.company_id for offer in offers} == {bakery.id}
    companies = session.scalars(select(Company.id)).all()
    assert len(companies) == 1  # an upload never creates companies
    again = await upload(client, token, FIRST.read_bytes())
    assert report_counts(again.text)["Neu angelegt"] == 0
    assert report_counts(again.text)["Unverändert"] == 5
    assert len(session.scalars(select(Offer)).all()) == 5
    details = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "import.ba")).all()
    assert details == ["5 new, 0 changed, 0 unchanged, 5 skipped", "0 new, 0 changed, 5 unchanged, 5 skipped"]


async def test_an_upload_never_takes_over_another_companys_offer(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    bakery: Company,
    garage: Company,
) -> None:
    theirs = make_offer(garage, title="Von Mond", source="ba", external_ref="10001-1001000001-S")
    clerk = make_person("company", bakery)
    await sign_in(client, clerk.email)
    token = csrf_from((await client.get("/company/import")).text)
    response = await upload(client, token, FIRST.read_bytes())
    assert report_counts(response.text)["Neu angelegt"] == 4
    assert "Angebote eines anderen Betriebs" in response.text and "10001-1001000001-S" in response.text
    session.refresh(theirs)
    assert (theirs.company_id, theirs.title) == (garage.id, "Von Mond")


async def test_files_that_are_not_ba_results_are_refused_with_a_message(
    client: httpx.AsyncClient, make_person: AccountFactory, bakery: Company
) -> None:
    clerk = make_person("company", bakery)
    await sign_in(client, clerk.email)
    token = csrf_from((await client.get("/company/import")).text)
    for content in (b"not json", b'{"jobs": []}', b"\xff\xfe", b"[" * 100_000):
        response = await upload(client, token, content)
        assert response.status_code == 422
        assert field_errors(response.text) == {
            "file": "Diese Datei ist keine JSON-Datei aus der Jobsuche der Arbeitsagentur "
            "(es fehlt die Liste „stellenangebote“)."
        }
    missing = await client.post("/company/import", data={"csrf_token": token})
    assert missing.status_code == 422
    assert field_errors(missing.text) == {"file": "Bitte wählen Sie eine Datei aus."}
    too_big = await upload(client, token, b" " * (3 * 1024 * 1024))
    assert too_big.status_code == 413
