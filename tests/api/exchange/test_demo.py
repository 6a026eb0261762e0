"""The demo generator: deterministic, plausible for the region, clearly marked, replaceable."""

from __future__ import annotations

from collections import Counter
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.demo.service import DemoPlace, DemoProfession, demo_vocabulary, generate_demo, seed_demo
from api.offers.models import Offer
from knowledge import loader
from tests.api.exchange.support import CompanyFactory, OfferFactory

TODAY = date(2026, 3, 10)


def real_inputs() -> tuple[list[DemoPlace], list[DemoProfession]]:
    places = [
        DemoPlace(slug=m.slug, name=m.name, lat=m.lat, lon=m.lon)
        for m in loader.load_municipalities()
        if m.kind != "samtgemeinde"
    ]
    professions = [
        DemoProfession(p.slug, p.name_short, p.name_masc, p.duration_months, p.certificate_typical)
        for p in loader.load_professions()
    ]
    return places, professions


@pytest.fixture(scope="module")
def inputs() -> tuple[list[DemoPlace], list[DemoProfession]]:
    return real_inputs()


def test_the_same_seed_gives_the_same_data(inputs: tuple[list[DemoPlace], list[DemoProfession]]) -> None:
    places, professions = inputs
    first = generate_demo(7, 120, 400, places, professions, TODAY)
    second = generate_demo(7, 120, 400, list(reversed(places)), list(reversed(professions)), TODAY)
    assert first == second
    other = generate_demo(8, 120, 400, places, professions, TODAY)
    assert other.offers != first.offers


def test_a_plausible_region(inputs: tuple[list[DemoPlace], list[DemoProfession]]) -> None:
    places, professions = inputs
    data = generate_demo(42, 800, 3000, places, professions, TODAY)
    assert len(data.companies) == 800 and len(data.offers) == 3000
    assert all(row["is_demo"] for row in data.companies + data.offers)

    kinds = Counter(offer["kind"] for offer in data.offers)
    assert kinds.most_common(1)[0][0] == "apprenticeship"
    assert 0.70 < kinds["apprenticeship"] / 3000 < 0.88
    assert min(kinds["internship"], kinds["praktikumswoche"], kinds["dual_study"]) > 30
    # About as many training places as the region reported (2,989 in 2024/25).
    training = sum(o["places"] for o in data.offers if o["kind"] in ("apprenticeship", "dual_study"))
    assert 2500 < training < 3600

    seats = Counter(company["municipality_slug"] for company in data.companies)
    larger = ["osnabrueck", "melle", "georgsmarienhuette", "bramsche", "quakenbrueck"]
    top = [slug for slug, _ in seats.most_common(6)]
    assert top[0] == "osnabrueck"
    assert sum(slug in top for slug in larger) >= 4
    assert seats["kettenkamp"] < seats["quakenbrueck"]
    assert not any(slug.startswith("samtgemeinde") for slug in seats)

    occupations = Counter(offer["profession_slug"] for offer in data.offers)
    industrial = sum(
        occupations[slug]
        for slug in (
            "industriemechaniker",
            "zerspanungsmechaniker",
            "mechatroniker",
            "fachkraft-fuer-lebensmitteltechnik",
        )
    )
    assert industrial > occupations["friseur"] * 4
    assert len(occupations) > 60

    for offer in data.offers:
        assert offer["description"].startswith("Demo-Angebot:")
        assert offer["expires_at"].date() >= offer["start_date"]
        assert offer["start_date"] > TODAY
        if offer["kind"] == "praktikumswoche":
            assert offer["start_date"].month == 7 and offer["start_date"].weekday() < 5
    stems = tuple(demo_vocabulary()["name_stems"])
    assert all(company["name"].startswith(stems) for company in data.companies)
    assert all(company["email"].endswith(".example") for company in data.companies)


def test_every_occupation_in_the_demo_data_exists_in_the_knowledge_base(
    inputs: tuple[list[DemoPlace], list[DemoProfession]],
) -> None:
    known = {profession.slug for profession in inputs[1]}
    vocabulary = demo_vocabulary()
    listed = {slug for sector in vocabulary["sectors"].values() for slug in sector["occupations"]}
    assert listed - known == set()
    assert set(vocabulary["dual_study"]) - known == set()
    places = {place.slug for place in inputs[0]}
    assert set(vocabulary["municipality_weights"]) == places


def test_seeding_replaces_demo_rows_only(
    session: Session, region: object, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    real = make_company(name="Echt GmbH")
    real_offer = make_offer(real)
    first = seed_demo(session, seed=3, companies=30, offers=90, today=TODAY)
    assert (first.companies, first.offers, first.removed_companies, first.removed_offers) == (30, 90, 0, 0)
    ids_first = sorted(session.scalars(select(Offer.title).where(Offer.is_demo.is_(True))))
    second = seed_demo(session, seed=3, companies=30, offers=90, today=TODAY)
    assert (second.removed_companies, second.removed_offers) == (30, 90)
    assert sorted(session.scalars(select(Offer.title).where(Offer.is_demo.is_(True)))) == ids_first
    assert session.scalar(select(func.count()).select_from(Company).where(Company.is_demo.is_(True))) == 30
    assert session.get(Company, real.id) is not None and session.get(Offer, real_offer.id) is not None
    # Only occupations and places that exist here were used (the test region is small).
    used = set(session.scalars(select(Offer.profession_slug).where(Offer.is_demo.is_(True))))
    assert used <= {
        "industriemechaniker",
        "kraftfahrzeugmechatroniker",
        "medizinischer-fachangestellter",
        "zahnmedizinischer-fachangestellter",
        "fachinformatiker",
        "pflegefachmann",
        "kaufmann-fuer-digitalisierungsmanagement",
    }
    skipped = seed_demo(session, only_if_empty=True)
    assert skipped.skipped


async def test_the_api_marks_demo_offers(client: httpx.AsyncClient, session: Session, region: object) -> None:
    seed_demo(session, seed=1, companies=10, offers=40, today=date.today())
    body = (await client.get("/api/v1/offers", params={"limit": 100})).json()
    assert body["total"] == 40
    assert all(item["is_demo"] is True for item in body["items"])
    detail = (await client.get(f"/api/v1/offers/{body['items'][0]['id']}")).json()
    assert detail["is_demo"] is True and detail["company"]["is_demo"] is True
    assert detail["description"].startswith("Demo-Angebot:")
