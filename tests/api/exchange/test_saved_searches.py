"""Saved searches and alerts: POST/GET/DELETE /api/v1/saved-searches, POST /api/v1/alerts/claim,
POST /api/v1/alerts/telegram/claim; matching, once a day, isolation, deletion, retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.alerts import service
from api.alerts.models import AnnouncedOffer, SavedSearch
from api.core.config import Settings
from api.professions.models import ProfessionTopic, Topic
from tests.api.exchange.support import CompanyFactory, OfferFactory, bearer, now

ALERT_TOKEN = "test-alert-token"
RULES = service.AlertRules(max_per_pupil=3, retention_days=90, interval_hours=24)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "alert_token": SecretStr(ALERT_TOKEN),
            "saved_searches_per_pupil": RULES.max_per_pupil,
            "saved_search_retention_days": RULES.retention_days,
            "alert_interval_hours": RULES.interval_hours,
        }
    )


def search_body(pupil: str = "web-a", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"pupil_ref": pupil, "profession": "industriemechaniker"}
    body.update(overrides)
    return body


async def save(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/saved-searches", json=search_body(**body), headers=headers)
    assert response.status_code == 201, response.text
    saved: dict[str, Any] = response.json()
    return saved


async def claim(client: httpx.AsyncClient, headers: dict[str, str], pupil: str) -> list[dict[str, Any]]:
    response = await client.post("/api/v1/alerts/claim", json={"pupil_ref": pupil}, headers=headers)
    assert response.status_code == 200, response.text
    alerts: list[dict[str, Any]] = response.json()
    return alerts


# --- saving, listing, deleting --------------------------------------------------------------------


async def test_a_search_is_saved_listed_and_stopped(
    client: httpx.AsyncClient, service_headers: dict[str, str], region: object
) -> None:
    saved = await save(client, service_headers, place="Bramsche", radius_km=15, kind="apprenticeship")
    assert saved["profession"]["slug"] == "industriemechaniker"
    assert saved["place"] == {"slug": "bramsche", "name": "Bramsche"}
    assert saved["radius_km"] == 15
    assert saved["kind"] == "apprenticeship"
    assert saved["last_alerted_at"] is None

    listed = await client.get(
        "/api/v1/saved-searches", params={"pupil_ref": "web-a"}, headers=service_headers
    )
    assert [item["id"] for item in listed.json()] == [saved["id"]]

    stop = await client.delete(
        f"/api/v1/saved-searches/{saved['id']}", params={"pupil_ref": "web-a"}, headers=service_headers
    )
    assert stop.status_code == 204
    again = await client.delete(
        f"/api/v1/saved-searches/{saved['id']}", params={"pupil_ref": "web-a"}, headers=service_headers
    )
    assert again.status_code == 404
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["type"] == "/problems/saved-search-not-found"


async def test_one_pupil_never_sees_or_stops_another_pupils_searches(
    client: httpx.AsyncClient, service_headers: dict[str, str], region: object
) -> None:
    mine = await save(client, service_headers, pupil="web-a")
    await save(client, service_headers, pupil="web-b", place="Melle")

    listed = await client.get(
        "/api/v1/saved-searches", params={"pupil_ref": "web-b"}, headers=service_headers
    )
    assert [item["place"]["slug"] for item in listed.json()] == ["melle"]
    foreign = await client.delete(
        f"/api/v1/saved-searches/{mine['id']}", params={"pupil_ref": "web-b"}, headers=service_headers
    )
    assert foreign.status_code == 404
    gone = await client.delete(
        "/api/v1/saved-searches", params={"pupil_ref": "web-b"}, headers=service_headers
    )
    assert gone.json() == {"deleted": 1}
    left = await client.get("/api/v1/saved-searches", params={"pupil_ref": "web-a"}, headers=service_headers)
    assert [item["id"] for item in left.json()] == [mine["id"]]


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"profession": None}, 422, "saved-search-needs-subject"),
        ({"profession": "zauberer"}, 422, "unknown-profession"),
        ({"profession": None, "topic": "drachen"}, 422, "unknown-topic"),
        ({"place": "Atlantis"}, 422, "unknown-place"),
        ({"radius_km": 500, "place": "Melle"}, 422, "invalid-request"),
        ({"kind": "job"}, 422, "invalid-request"),
        ({"delivery_token": "no spaces/please"}, 422, "invalid-request"),
    ],
)
async def test_bad_input_is_a_friendly_problem(
    client: httpx.AsyncClient,
    service_headers: dict[str, str],
    region: object,
    body: dict[str, Any],
    status: int,
    problem: str,
) -> None:
    response = await client.post("/api/v1/saved-searches", json=search_body(**body), headers=service_headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem_body = response.json()
    assert problem_body["type"].endswith(problem)
    assert problem_body["detail"]
    assert problem_body.get("detail_de")


async def test_the_same_search_twice_and_one_too_many_are_refused(
    client: httpx.AsyncClient, service_headers: dict[str, str], region: object
) -> None:
    first = await save(client, service_headers)
    twice = await client.post("/api/v1/saved-searches", json=search_body(), headers=service_headers)
    assert twice.status_code == 409
    assert twice.json()["search_id"] == first["id"]
    await save(client, service_headers, place="Melle")
    await save(client, service_headers, place="Bramsche")
    too_many = await client.post(
        "/api/v1/saved-searches", json=search_body(place="Osnabrück"), headers=service_headers
    )
    assert too_many.status_code == 409
    assert too_many.json()["type"] == "/problems/saved-search-limit"
    assert too_many.json()["limit"] == RULES.max_per_pupil
    # another pupil is not limited by this one's searches
    await save(client, service_headers, pupil="web-other", place="Osnabrück")


async def test_only_the_service_token_opens_saved_searches(client: httpx.AsyncClient, region: object) -> None:
    for headers in ({}, bearer("wrong"), bearer(ALERT_TOKEN)):
        response = await client.post("/api/v1/saved-searches", json=search_body(), headers=headers)
        assert response.status_code == 401
        listed = await client.get("/api/v1/saved-searches", params={"pupil_ref": "web-a"}, headers=headers)
        assert listed.status_code == 401
    claimed = await client.post("/api/v1/alerts/telegram/claim", headers=bearer("wrong"))
    assert claimed.status_code == 401


# --- matching and claiming --------------------------------------------------------------------------


async def test_a_new_matching_offer_is_announced_once(
    client: httpx.AsyncClient,
    service_headers: dict[str, str],
    session: Session,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
) -> None:
    company = make_company()
    old = now() - timedelta(days=3)
    make_offer(company, created_at=old, published_at=old)  # there before the search: not new
    await save(client, service_headers, place="Osnabrück", radius_km=10)
    assert await claim(client, service_headers, "web-a") == []

    fresh = make_offer(company, title="Industriemechaniker ab August", published_at=now())
    make_offer(company, profession_slug="fachinformatiker", published_at=now())  # another occupation
    make_offer(company, place="melle", published_at=now())  # too far away
    make_offer(company, kind="internship", published_at=now())  # kind not asked: still matches
    unverified = make_company(verified=False)
    make_offer(unverified, published_at=now())
    make_offer(company, status="withdrawn", published_at=now())
    make_offer(company, published_at=now(), expires_at=now() - timedelta(minutes=1))

    [alert] = await claim(client, service_headers, "web-a")
    assert alert["total"] == 2
    ids = {offer["id"] for offer in alert["offers"]}
    assert fresh.id in ids
    assert alert["saved_search"]["last_alerted_at"] is not None
    assert alert["offers"][0]["company_name"] == company.name

    # delivered: never again, not even for another caller
    assert await claim(client, service_headers, "web-a") == []
    assert await claim(client, service_headers, "web-b") == []


async def test_a_topic_search_matches_the_topics_occupations(
    client: httpx.AsyncClient,
    service_headers: dict[str, str],
    session: Session,
    region: object,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
) -> None:
    session.add(Topic(key="wood", position=0, name_de="Holz", name_en="Wood"))
    session.flush()
    session.add(ProfessionTopic(topic_key="wood", profession_slug="fachinformatiker", position=0))
    session.flush()
    saved = await save(client, service_headers, profession=None, topic="wood")
    assert saved["topic"] == {"key": "wood", "name_de": "Holz", "name_en": "Wood"}
    company = make_company()
    make_offer(company, published_at=now())  # industriemechaniker: not in the topic
    informatiker = make_offer(
        company, profession_slug="fachinformatiker", title="Fachinformatiker/in", published_at=now()
    )
    [alert] = await claim(client, service_headers, "web-a")
    assert [offer["id"] for offer in alert["offers"]] == [informatiker.id]


def test_at_most_one_alert_a_day_per_search(
    session: Session, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    start = now() - timedelta(days=5)
    search = SavedSearch(
        pupil_ref="web-a",
        profession_slug="industriemechaniker",
        language="de",
        created_at=start,
        updated_at=start,
    )
    session.add(search)
    session.flush()
    company = make_company()
    first = make_offer(company, published_at=start + timedelta(days=1), created_at=start + timedelta(days=1))
    day_one = start + timedelta(days=1, hours=1)
    [alert] = service.claim_pupil_alerts(session, "web-a", RULES, now=day_one)
    assert [offer.id for offer in alert.offers] == [first.id]

    second = make_offer(company, published_at=day_one + timedelta(hours=1), created_at=day_one)
    assert service.claim_pupil_alerts(session, "web-a", RULES, now=day_one + timedelta(hours=23)) == []
    [later] = service.claim_pupil_alerts(session, "web-a", RULES, now=day_one + timedelta(hours=24))
    assert [offer.id for offer in later.offers] == [second.id]  # the first one is not announced twice
    announced = set(session.scalars(select(AnnouncedOffer.offer_id)))
    assert announced == {first.id, second.id}


async def test_the_telegram_claim_takes_only_telegram_searches_with_a_delivery_token(
    client: httpx.AsyncClient,
    service_headers: dict[str, str],
    make_company: CompanyFactory,
    make_offer: OfferFactory,
) -> None:
    await save(client, service_headers, pupil="tg-aaaa", delivery_token="tok_en-1", language="en")
    await save(client, service_headers, pupil="tg-bbbb")  # no token: the bridge could not reach it
    await save(client, service_headers, pupil="web-c", delivery_token="tok")
    make_offer(make_company(), published_at=now())

    alert_headers = bearer(ALERT_TOKEN)
    response = await client.post("/api/v1/alerts/telegram/claim", headers=alert_headers)
    assert response.status_code == 200, response.text
    [alert] = response.json()
    assert alert["pupil_ref"] == "tg-aaaa"
    assert alert["delivery_token"] == "tok_en-1"
    assert alert["saved_search"]["language"] == "en"
    again = await client.post("/api/v1/alerts/telegram/claim", headers=alert_headers)
    assert again.json() == []
    # the alert token opens nothing else
    denied = await client.post("/api/v1/alerts/claim", json={"pupil_ref": "web-c"}, headers=alert_headers)
    assert denied.status_code == 401
    # the widget's pupil still gets theirs
    assert len(await claim(client, service_headers, "web-c")) == 1


# --- privacy and retention ------------------------------------------------------------------------


async def test_deleting_my_data_removes_the_saved_searches(
    client: httpx.AsyncClient, service_headers: dict[str, str], session: Session, region: object
) -> None:
    await save(client, service_headers, pupil="web-a")
    await save(client, service_headers, pupil="web-b")
    response = await client.delete("/api/v1/privacy/conversations/web-a", headers=service_headers)
    assert response.status_code == 200
    assert response.json()["deleted"]["saved_searches"] == 1
    assert set(session.scalars(select(SavedSearch.pupil_ref))) == {"web-b"}


def test_retention_ends_old_searches_and_stops_their_alerts(
    session: Session, make_company: CompanyFactory, make_offer: OfferFactory
) -> None:
    old_day = now() - timedelta(days=RULES.retention_days + 1)
    young_day = now() - timedelta(days=1)
    for pupil, day in (("web-old", old_day), ("web-young", young_day)):
        session.add(
            SavedSearch(
                pupil_ref=pupil,
                profession_slug="industriemechaniker",
                language="de",
                created_at=day,
                updated_at=day,
            )
        )
    session.flush()
    make_offer(make_company(), published_at=now())
    # past retention: no alert even before purge runs
    assert service.claim_pupil_alerts(session, "web-old", RULES) == []
    assert service.purge_old_searches(session, RULES.retention_days) == 1
    assert set(session.scalars(select(SavedSearch.pupil_ref))) == {"web-young"}
    assert len(service.claim_pupil_alerts(session, "web-young", RULES)) == 1
