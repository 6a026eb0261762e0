"""GET /api/v1/professions with topic, reachable_with, duration_max and sort=pay; GET /api/v1/topics."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from knowledge import schema

ProfessionFactory = Callable[..., schema.Profession]
Loader = Callable[..., object]


def _topic(key: str, *occupations: str) -> schema.Topic:
    return schema.Topic(
        key=key,
        name=schema.LocalizedText(de=key.title(), en=key),
        words={"de": (key,), "en": (key,)},
        occupations=occupations,
    )


def slugs(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


@pytest.fixture
def explore_catalogue(
    load: Loader,
    make_profession: ProfessionFactory,
    make_minimum_pay: Callable[[int, tuple[int, ...]], list[schema.MinimumPay]],
) -> None:
    load(
        professions=[
            make_profession("tierpfleger", certificate_typical="realschule"),
            make_profession("pferdewirt", certificate_typical="hauptschule"),
            make_profession("fachlagerist", duration_months=24, certificate_typical="hauptschule"),
            make_profession("friseur", certificate_typical="hauptschule"),
            make_profession("zimmerer", duration_months=36, certificate_typical="realschule"),
            make_profession("elektroniker", duration_months=42, certificate_typical="realschule"),
            make_profession(
                "erzieher",
                training_type="school",
                duration_months=48,
                certificate_typical="realschule",
                certificate_required="realschule",
                legal_minimum_pay=False,
                pay_note=schema.LocalizedText(de="Schule", en="school"),
            ),
        ],
        topics=[
            _topic("animals", "tierpfleger", "pferdewirt"),
            _topic("wood", "zimmerer"),
            _topic("children", "erzieher"),
            _topic("logistics_warehouse", "fachlagerist"),
            _topic("beauty_hair", "friseur"),
            _topic("electricity", "elektroniker"),
        ],
        agreed_pay=[
            schema.AgreedPay("zimmerer", 2024, 1343, "Beruf (gesamt)", "Zimmerer/Zimmerin", "https://z"),
            # reported before the minimum rose: below today's minimum, so never used as current pay
            schema.AgreedPay("friseur", 2024, 719, "Beruf (gesamt)", "Friseur/-in", "https://f"),
        ],
        minimum_pay=make_minimum_pay(2026, (724, 854, 977, 1014)),
    )


@pytest.mark.usefixtures("explore_catalogue")
async def test_a_topic_lists_its_occupations_most_typical_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"topic": "animals"})
    assert slugs(response) == ["tierpfleger", "pferdewirt"]
    assert response.json()["total"] == 2


@pytest.mark.usefixtures("explore_catalogue")
async def test_an_unknown_topic_is_a_problem_listing_the_topics(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"topic": "dragons"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "animals" in response.json()["allowed"]


@pytest.mark.usefixtures("explore_catalogue")
async def test_reachable_with_uses_requirement_and_typical_certificate(client: httpx.AsyncClient) -> None:
    hauptschule = await client.get(
        "/api/v1/professions", params={"topic": "animals", "reachable_with": "hauptschule"}
    )
    # required nothing, typically started with a Realschulabschluss: one step above is within reach
    assert slugs(hauptschule) == ["tierpfleger", "pferdewirt"]
    none = await client.get("/api/v1/professions", params={"reachable_with": "none", "limit": 50})
    # Tierpfleger/-in requires nothing but is typically started two steps above: not within reach
    assert slugs(none) == ["fachlagerist", "friseur", "pferdewirt"]
    realschule = await client.get("/api/v1/professions", params={"reachable_with": "realschule", "limit": 50})
    assert "erzieher" in slugs(realschule)
    hauptschule_all = await client.get(
        "/api/v1/professions", params={"reachable_with": "hauptschule", "limit": 50}
    )
    assert "erzieher" not in slugs(hauptschule_all)  # requires a Realschulabschluss


@pytest.mark.usefixtures("explore_catalogue")
async def test_duration_max_and_training_type(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"duration_max": 24})
    assert slugs(response) == ["fachlagerist"]
    dual = await client.get("/api/v1/professions", params={"training_type": "school"})
    assert slugs(dual) == ["erzieher"]


@pytest.mark.usefixtures("explore_catalogue")
async def test_sort_by_pay_is_honest_about_its_basis(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"sort": "pay"})
    items = response.json()["items"]
    by_slug = {item["slug"]: item["pay"] for item in items}
    assert [item["slug"] for item in items] == [
        "zimmerer",  # 1343 agreed (2024)
        "elektroniker",  # 42 months: today's minimum averaged over 4 years (892)
        "friseur",  # 36 months: 852, ties in slug order
        "pferdewirt",
        "tierpfleger",
        "fachlagerist",  # 24 months: 789
        "erzieher",  # school-based, no legal minimum: unknown, last
    ]
    assert by_slug["zimmerer"] == {
        "basis": "agreed",
        "eur_per_month": 1343,
        "year": 2024,
        "scope": "Beruf (gesamt)",
        "source_url": "https://z",
    }
    # 719 EUR reported for 2024 is below today's minimum (724/854/977): the minimum is shown instead
    assert by_slug["friseur"] == {
        "basis": "minimum",
        "eur_per_month": round((724 + 854 + 977) / 3),
        "year": 2026,
        "scope": None,
        "source_url": None,
    }
    assert by_slug["fachlagerist"]["eur_per_month"] == round((724 + 854) / 2)
    assert by_slug["elektroniker"]["eur_per_month"] == round((724 + 854 + 977 + 1014) / 4)
    assert by_slug["erzieher"] == {
        "basis": "unknown",
        "eur_per_month": None,
        "year": None,
        "scope": None,
        "source_url": None,
    }
    amounts = [item["pay"]["eur_per_month"] for item in items]
    known = [amount for amount in amounts if amount is not None]
    assert known == sorted(known, reverse=True)
    assert items[-1]["slug"] == "erzieher"


@pytest.mark.usefixtures("explore_catalogue")
async def test_sort_by_pay_with_filters_and_paging(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/professions",
        params={"sort": "pay", "reachable_with": "none", "limit": 1, "offset": 1},
    )
    body = response.json()
    assert body["total"] == 3
    assert [item["slug"] for item in body["items"]] == ["pferdewirt"]


@pytest.mark.usefixtures("explore_catalogue")
async def test_an_unknown_sort_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"sort": "fun"})
    assert response.status_code == 422


@pytest.mark.usefixtures("explore_catalogue")
async def test_topics_lists_every_topic_with_its_count(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/topics")
    assert response.status_code == 200
    topics = response.json()
    assert topics[0] == {"key": "animals", "de": "Animals", "en": "animals", "count": 2}
    assert [topic["key"] for topic in topics][:2] == ["animals", "wood"]


async def test_sync_removes_topics_that_are_gone(
    client: httpx.AsyncClient, load: Loader, make_profession: ProfessionFactory
) -> None:
    load(professions=[make_profession("tierpfleger")], topics=[_topic("animals", "tierpfleger", "ghost")])
    assert slugs(await client.get("/api/v1/professions", params={"topic": "animals"})) == ["tierpfleger"]
    load(professions=[make_profession("tierpfleger")], topics=[_topic("wood", "tierpfleger")])
    assert [topic["key"] for topic in (await client.get("/api/v1/topics")).json()] == ["wood"]
