"""GET /api/v1/offers and /api/v1/offers/{id}: radius, filters, expiry, paging, related occupations."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.orm import Session

from api.offers.places import haversine_km
from tests.api.exchange.support import PLACES, CompanyFactory, OfferFactory, now, today


def distance_from_osnabrueck(place: str) -> float:
    origin, target = PLACES["osnabrueck"], PLACES[place]
    return haversine_km(origin["lat"], origin["lon"], target["lat"], target["lon"])


async def search(client: httpx.AsyncClient, **params: str | int | float | bool | None) -> dict[str, object]:
    response = await client.get("/api/v1/offers", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def titles(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["title"] for item in items]


async def test_near_keeps_the_radius_and_sorts_by_distance(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    company = make_company()
    for place in ("quakenbrueck", "melle", "bramsche", "bad-iburg", "georgsmarienhuette", "osnabrueck"):
        make_offer(company, place=place, title=f"in {place}")
    within_15 = await search(client, near="Osnabrück", radius_km=15)
    assert titles(within_15) == ["in osnabrueck", "in georgsmarienhuette", "in bad-iburg"]
    assert within_15["total"] == 3
    items = within_15["items"]
    assert isinstance(items, list)
    for item in items:
        expected = distance_from_osnabrueck(item["place"]["slug"])
        assert item["distance_km"] == pytest.approx(expected, abs=0.051)  # rounded to 0.1 km
    within_25 = await search(client, near="Osnabrück", radius_km=25)
    assert titles(within_25)[3:] == ["in bramsche", "in melle"]  # 16 km, then 20 km
    assert "in quakenbrueck" not in titles(await search(client, near="Osnabrück"))  # 45 km > 25 km default
    assert titles(await search(client, near="Osnabrück", radius_km=50))[-1] == "in quakenbrueck"


@pytest.mark.parametrize(
    ("near", "nearest"),
    [
        ("Bramsche", "bramsche"),
        ("49565", "bramsche"),  # a postcode
        ("Bramsch", "bramsche"),  # a typo
        ("Qakenbrück", "quakenbrueck"),
        ("melle", "melle"),
        ("49326", "melle"),  # one of Melle's three postcodes
        ("GM-Hütte", "georgsmarienhuette"),  # an everyday short form
    ],
)
async def test_near_takes_names_typos_and_postcodes(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory, near: str, nearest: str
) -> None:
    company = make_company()
    for place in ("bramsche", "melle", "quakenbrueck", "georgsmarienhuette"):
        make_offer(company, place=place, title=place)
    body = await search(client, near=near, radius_km=200)
    items = body["items"]
    assert isinstance(items, list)
    assert items[0]["place"]["slug"] == nearest
    assert items[0]["distance_km"] == 0.0


async def test_an_unknown_place_is_a_problem_with_german_text(
    client: httpx.AsyncClient, region: object
) -> None:
    response = await client.get("/api/v1/offers", params={"near": "Berlin"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/unknown-place"
    assert body["parameter"] == "near"
    assert body["detail_de"].startswith("Einen Ort „Berlin“ finden wir in der Region Osnabrück nicht")


async def test_equal_distance_is_ordered_by_start_date_then_id(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    company = make_company()
    later = make_offer(company, title="later", start_date=today() + timedelta(days=200))
    sooner = make_offer(company, title="sooner", start_date=today() + timedelta(days=20))
    first_of_twins = make_offer(company, title="twin", start_date=today() + timedelta(days=50))
    second_of_twins = make_offer(company, title="twin", start_date=today() + timedelta(days=50))
    undated = make_offer(company, title="undated", start_date=None)
    for params in ({"near": "Osnabrück"}, {}):
        body = await search(client, **params)
        items = body["items"]
        assert isinstance(items, list)
        assert [item["id"] for item in items] == [
            sooner.id,
            first_of_twins.id,
            second_of_twins.id,
            later.id,
            undated.id,
        ]


async def test_filters_kind_profession_start_and_certificate(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    company = make_company()
    make_offer(company, title="apprenticeship", certificate_expected="hauptschule")
    make_offer(company, title="internship", kind="internship", start_date=today() + timedelta(days=10))
    make_offer(company, title="nurse", profession_slug="pflegefachmann", certificate_expected="abitur")
    make_offer(company, title="day", kind="praktikumswoche", start_date=today() + timedelta(days=30))

    assert titles(await search(client, kind="internship")) == ["internship"]
    assert titles(await search(client, kind="praktikumswoche")) == ["day"]
    assert sorted(titles(await search(client, profession="industriemechaniker"))) == [
        "apprenticeship",
        "day",
        "internship",
    ]
    later = (today() + timedelta(days=60)).isoformat()
    assert sorted(titles(await search(client, start_from=later))) == ["apprenticeship", "nurse"]
    # Offers expecting at most a Realschulabschluss, or nothing in particular.
    assert sorted(titles(await search(client, certificate="realschule"))) == [
        "apprenticeship",
        "day",
        "internship",
    ]
    assert len(titles(await search(client, certificate="abitur"))) == 4


async def test_unknown_filter_values_are_problems(client: httpx.AsyncClient, region: object) -> None:
    kind = await client.get("/api/v1/offers", params={"kind": "holiday-job"})
    assert kind.status_code == 422 and kind.json()["type"] == "/problems/invalid-request"
    certificate = await client.get("/api/v1/offers", params={"certificate": "diplom"})
    assert certificate.status_code == 422
    assert certificate.json()["type"] == "/problems/invalid-filter"
    assert "realschule" in certificate.json()["allowed"]
    profession = await client.get("/api/v1/offers", params={"profession": "industriemechanikr"})
    assert profession.status_code == 422
    body = profession.json()
    assert body["type"] == "/problems/unknown-profession"
    assert body["suggestions"][0] == "industriemechaniker"
    assert "Einen Beruf mit der Kennung „industriemechanikr“ kennen wir nicht" in body["detail_de"]


async def test_q_searches_titles_descriptions_companies_and_occupations(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    garage = make_company(name="Autohaus Sonnenschein")
    make_offer(garage, title="Werkstatt-Team", profession_slug="kraftfahrzeugmechatroniker", description="")
    make_offer(make_company(), title="Praxis sucht MFA", profession_slug="medizinischer-fachangestellter")
    make_offer(make_company(), title="Büro", description="Auch in den Sommerferien möglich.")

    assert titles(await search(client, q="Kfz-Mechaniker")) == ["Werkstatt-Team"]  # via the occupation
    assert titles(await search(client, q="sonnenschein")) == ["Werkstatt-Team"]  # the company, any case
    assert titles(await search(client, q="Sommerferien")) == ["Büro"]  # the description
    assert titles(await search(client, q="praxis")) == ["Praxis sucht MFA"]
    assert (await search(client, q="%"))["total"] == 0  # LIKE wildcards are matched literally


async def test_expired_filled_and_withdrawn_offers_never_appear(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    company = make_company()
    visible = make_offer(company, title="open")
    past = make_offer(company, title="expired by date", expires_at=now() - timedelta(minutes=1))
    hidden = [
        past,
        make_offer(company, title="expired", status="expired"),
        make_offer(company, title="filled", status="filled"),
        make_offer(company, title="withdrawn", status="withdrawn"),
    ]
    assert titles(await search(client)) == ["open"]
    assert titles(await search(client, near="Osnabrück")) == ["open"]
    assert (await client.get(f"/api/v1/offers/{visible.id}")).status_code == 200
    for offer in hidden:
        response = await client.get(f"/api/v1/offers/{offer.id}")
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/offer-not-found"


async def test_paging_keeps_the_total_and_the_order(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    company = make_company()
    for day in range(7):
        make_offer(company, title=f"day {day}", start_date=today() + timedelta(days=10 + day))
    pages = [await search(client, limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [page["total"] for page in pages] == [7, 7, 7, 7]
    assert [titles(page) for page in pages] == [
        ["day 0", "day 1", "day 2"],
        ["day 3", "day 4", "day 5"],
        ["day 6"],
        [],
    ]
    too_many = await client.get("/api/v1/offers", params={"limit": 101})
    assert too_many.status_code == 422


async def test_related_occupations_come_after_and_are_marked(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    practice = make_company()
    # zahnmedizinischer-fachangestellter is related to medizinischer-fachangestellter in the catalogue.
    dental = make_offer(practice, title="ZFA", profession_slug="zahnmedizinischer-fachangestellter")
    medical = make_offer(
        practice, title="MFA far", profession_slug="medizinischer-fachangestellter", place="melle"
    )
    make_offer(practice, title="unrelated", profession_slug="fachinformatiker")

    plain = await search(client, profession="medizinischer-fachangestellter", near="Osnabrück")
    assert titles(plain) == ["MFA far"]
    widened = await search(
        client, profession="medizinischer-fachangestellter", near="Osnabrück", include_related=True
    )
    items = widened["items"]
    assert isinstance(items, list)
    # The occupation asked for comes first although the related offer is nearer.
    assert [(item["id"], item["related"]) for item in items] == [(medical.id, False), (dental.id, True)]
    assert widened["total"] == 2


async def test_items_carry_company_place_and_demo_marks(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    real = make_company(name="Echt GmbH")
    demo = make_company(name="Musterkamp Metallbau GmbH", is_demo=True, email=None)
    make_offer(real, title="real", place="bramsche", certificate_expected="hauptschule")
    make_offer(demo, title="demo", start_date=today() + timedelta(days=400))
    body = await search(client)
    items = body["items"]
    assert isinstance(items, list)
    first, second = items
    assert first["title"] == "real" and first["is_demo"] is False and first["contactable"] is True
    assert first["company_name"] == "Echt GmbH"
    assert first["place"] == {"slug": "bramsche", "name": "Bramsche"}
    assert first["profession"] == {
        "slug": "industriemechaniker",
        "name": "Industriemechaniker/in",
        "name_en": "Industrial mechanic",
    }
    assert first["distance_km"] is None and first["related"] is False
    assert first["certificate_expected"] == "hauptschule"
    assert second["is_demo"] is True and second["contactable"] is False


async def test_offer_detail_has_description_application_and_company(
    client: httpx.AsyncClient, make_company: CompanyFactory, make_offer: OfferFactory, session: Session
) -> None:
    company = make_company(name="Echt GmbH", website="https://echt.example", sector="Metall")
    offer = make_offer(company, apply_contact="Frau Beispiel, 0541 123456")
    response = await client.get(f"/api/v1/offers/{offer.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Du lernst Maschinen zu bauen und zu warten."
    assert body["how_to_apply"] == {
        "url": "https://betrieb.example/ausbildung",
        "contact": "Frau Beispiel, 0541 123456",
    }
    assert body["company"]["name"] == "Echt GmbH"
    assert body["company"]["place"] == {"slug": "osnabrueck", "name": "Osnabrück"}
    assert body["company"]["website"] == "https://echt.example"
    assert "email" not in body["company"]  # companies are reached through contact requests
    missing = await client.get("/api/v1/offers/999999")
    assert missing.status_code == 404
    assert missing.json()["detail_de"].startswith("Ein Angebot mit der Nummer 999999 gibt es nicht")
