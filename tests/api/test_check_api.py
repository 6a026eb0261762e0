"""The check endpoints on SQLite and PostgreSQL: items, scoring, matches and the result chart.

The item bank is the real one from knowledge/check, loaded as `load-knowledge` does; occupations
come from the small factory catalogue, or from the real knowledge base where that matters.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.orm import Session

from api.check.chart import clear_chart_cache
from api.check.scoring import RIASEC
from api.check.sync import CheckBankSnapshot, read_check_bank, sync_check_bank
from knowledge import loader

Loader = Callable[..., object]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def check_snapshot() -> CheckBankSnapshot:
    return read_check_bank()


@pytest.fixture
def check_bank(session: Session, check_snapshot: CheckBankSnapshot) -> CheckBankSnapshot:
    """The real item bank, written into the test database as load-knowledge does."""
    sync_check_bank(session, check_snapshot)
    return check_snapshot


def problem(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{name}"
    assert body["detail"] and body["detail_de"]
    return body


def quick_answers(snapshot: CheckBankSnapshot, per_type: dict[str, int | None]) -> dict[str, int | None]:
    return {item.id: per_type[item.type] for item in snapshot.items.sequence("quick")}


# --- GET /api/v1/check/items -------------------------------------------------------------------


async def test_quick_items_in_order_with_both_languages_and_the_scale(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    response = await client.get("/api/v1/check/items")
    assert response.status_code == 200
    body = response.json()
    assert body["variant"] == "quick"
    assert body["count"] == len(body["items"]) == 30
    assert [item["id"] for item in body["items"]] == list(check_bank.items.quick_order)
    assert [item["position"] for item in body["items"]] == list(range(1, 31))
    assert [item["type"] for item in body["items"][:6]] == list(RIASEC)
    first = check_bank.items.item(body["items"][0]["id"])
    assert body["items"][0] == {
        "id": first.id,
        "type": first.type,
        "position": 1,
        "text": {"de": first.text.de, "en": first.text.en},
        "example_occupation": first.example_occupation,
    }
    assert [option["value"] for option in body["scale"]] == [1, 2, 3, 4, 5]
    assert body["scale"][4]["button"] == {
        "de": check_bank.scale.option(5).button.de,
        "en": check_bank.scale.option(5).button.en,
    }


async def test_the_full_check_has_all_items_and_starts_with_the_quick_one(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    quick = (await client.get("/api/v1/check/items", params={"variant": "quick"})).json()
    full = (await client.get("/api/v1/check/items", params={"variant": "full"})).json()
    assert full["count"] == 48
    assert [item["id"] for item in full["items"]][:30] == [item["id"] for item in quick["items"]]
    for code in RIASEC:
        assert sum(item["type"] == code for item in full["items"]) == 8


async def test_an_unknown_variant_is_refused(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    body = problem(
        await client.get("/api/v1/check/items", params={"variant": "long"}), 422, "invalid-request"
    )
    assert body["errors"][0]["field"] == "variant"


async def test_without_a_loaded_check_the_service_is_unavailable(client: httpx.AsyncClient) -> None:
    problem(await client.get("/api/v1/check/items"), 503, "check-unavailable")
    problem(await client.post("/api/v1/check/score", json={"answers": {"r01": 4}}), 503, "check-unavailable")


# --- POST /api/v1/check/score ------------------------------------------------------------------


async def test_scoring_gives_six_scores_top_types_with_explanations_and_the_code(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    answers = quick_answers(check_bank, {"R": 5, "I": 4, "A": 1, "S": 3, "E": 2, "C": None})
    response = await client.post("/api/v1/check/score", json={"answers": answers})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scores"] == {"R": 100.0, "I": 75.0, "A": 0.0, "S": 50.0, "E": 25.0, "C": None}
    assert body["holland_code"] == "RIS"
    assert body["unscored_types"] == ["C"]
    assert (body["answered"], body["skipped"]) == (25, 5)
    r_type = check_bank.types.get("R")
    assert body["top_types"][0] == {
        "code": "R",
        "score": 100.0,
        "emoji": r_type.emoji,
        "name": {"de": r_type.name.de, "en": r_type.name.en},
        "explanation": {"de": r_type.explanation.de, "en": r_type.explanation.en},
    }
    assert [entry["code"] for entry in body["top_types"]] == ["R", "I", "S"]


async def test_scoring_ignores_the_order_of_the_answers(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    answers = quick_answers(check_bank, {"R": 2, "I": 4, "A": 4, "S": 5, "E": 1, "C": 3})
    forward = await client.post("/api/v1/check/score", json={"answers": answers})
    backward = await client.post("/api/v1/check/score", json={"answers": dict(reversed(answers.items()))})
    assert forward.json() == backward.json()


async def test_scoring_accepts_nothing_but_the_answers(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    answers = quick_answers(check_bank, {"R": 5, "I": 4, "A": 1, "S": 3, "E": 2, "C": 4})
    plain = await client.post("/api/v1/check/score", json={"answers": answers})
    assert plain.status_code == 200
    for extra in ({"gender": "female"}, {"gender": "male"}, {"name": "Anna"}, {"age": 15}):
        body = problem(
            await client.post("/api/v1/check/score", json={"answers": answers, **extra}),
            422,
            "invalid-request",
        )
        assert body["errors"][0]["field"] == f"body.{next(iter(extra))}"
    # Smuggled in as an "answer", a gender is an unknown item.
    body = problem(
        await client.post("/api/v1/check/score", json={"answers": {**answers, "gender": 1}}),
        422,
        "unknown-check-item",
    )
    assert body["items"] == ["gender"]
    again = await client.post("/api/v1/check/score", json={"answers": answers})
    assert again.json() == plain.json()


async def test_scoring_refuses_unknown_items_and_values_outside_the_scale(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    body = problem(
        await client.post("/api/v1/check/score", json={"answers": {"r01": 4, "z09": 2, "x01": 1}}),
        422,
        "unknown-check-item",
    )
    assert body["items"] == ["x01", "z09"]
    for value in (0, 6, "4", True, 2.5):
        problem(
            await client.post("/api/v1/check/score", json={"answers": {"r01": value}}), 422, "invalid-request"
        )


# --- GET /api/v1/matches -----------------------------------------------------------------------

R_HEAVY = {"R": 90, "I": 30, "A": 10, "S": 15, "E": 20, "C": 35}
S_HEAVY = {"R": 10, "I": 55, "A": 20, "S": 95, "E": 30, "C": 40}


@pytest.mark.usefixtures("loaded_catalogue", "check_bank")
async def test_matches_rank_occupations_with_reasons_in_both_languages(
    client: httpx.AsyncClient, check_snapshot: CheckBankSnapshot
) -> None:
    response = await client.get("/api/v1/matches", params={**S_HEAVY, "limit": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 7
    items = body["items"]
    assert set(items[0]) == {
        "slug",
        "name",
        "name_en",
        "fit",
        "riasec",
        "reasons",
        "reason",
        "needs_higher_certificate",
        "training_type",
        "field",
        "reason_item",
        "offers_nearby",
        "places_nearby",
    }
    assert items[0]["riasec"][0] == "S"
    # Without answers there is no reason from an answer and without a place no supply.
    assert all(item["reason_item"] is None and item["offers_nearby"] is None for item in items)
    fits = [item["fit"] for item in items]
    assert fits[0] == max(fits)  # variety may move one of a crowded field down, never the best
    assert all(0 <= value <= 100 for value in fits)
    medical = next(item for item in items if item["slug"] == "medizinischer-fachangestellter")
    assert medical["name"] == "Medizinische/r Fachangestellte/r"
    assert medical["name_en"] == "Medical assistant"
    assert medical["riasec"] == "SCI"
    # Without answers the reason is the liked top types in the code, a combination no occupation
    # before it in the list has.
    assert medical["reasons"] and set(medical["reasons"]) <= {"S", "I"}
    types = check_snapshot.types
    # The type sentence with one of the occupation's own tasks, so two never read the same.
    assert medical["reason"]["de"].startswith(types.fit_reason(medical["reasons"], "de"))
    assert medical["reason"]["en"].startswith(types.fit_reason(medical["reasons"], "en"))
    assert "Zum Beispiel: " in medical["reason"]["de"] and "For example: " in medical["reason"]["en"]
    # (The test catalogue gives every occupation the same tasks; the real one is checked by the
    # persona suite: no reason twice on one screen.)
    # The first two suggestions never share their reason.
    assert items[0]["reason"] != items[1]["reason"]
    # An occupation sharing no liked top type gets no made-up reason.
    digital = next(item for item in items if item["slug"] == "kaufmann-fuer-digitalisierungsmanagement")
    assert digital["riasec"] == "CEI"
    assert digital["reasons"] == ["I"]
    industrial = next(item for item in items if item["slug"] == "industriemechaniker")
    assert industrial["reasons"] == [] and industrial["reason"] is None


@pytest.mark.usefixtures("loaded_catalogue", "check_bank")
async def test_a_higher_certificate_is_marked_not_hidden(client: httpx.AsyncClient) -> None:
    plain = (await client.get("/api/v1/matches", params={**S_HEAVY, "limit": 10})).json()
    marked = (
        await client.get("/api/v1/matches", params={**S_HEAVY, "certificate": "hauptschule", "limit": 10})
    ).json()
    assert marked["total"] == plain["total"] == 7
    flagged = {item["slug"] for item in marked["items"] if item["needs_higher_certificate"]}
    assert flagged == {"pflegefachmann"}  # formally needs the Realschulabschluss
    assert not any(item["needs_higher_certificate"] for item in plain["items"])
    enough = (
        await client.get("/api/v1/matches", params={**S_HEAVY, "certificate": "realschule", "limit": 10})
    ).json()
    assert not any(item["needs_higher_certificate"] for item in enough["items"])


@pytest.mark.usefixtures("loaded_catalogue", "check_bank")
async def test_match_filters_and_pages(client: httpx.AsyncClient) -> None:
    everything = (await client.get("/api/v1/matches", params={**R_HEAVY, "limit": 100})).json()
    assert everything["items"][0]["riasec"][0] == "R"
    slugs = [item["slug"] for item in everything["items"]]
    page = (await client.get("/api/v1/matches", params={**R_HEAVY, "limit": 2, "offset": 3})).json()
    assert [item["slug"] for item in page["items"]] == slugs[3:5]
    assert page["total"] == everything["total"] == 7
    default = (await client.get("/api/v1/matches", params=R_HEAVY)).json()
    assert [item["slug"] for item in default["items"]] == slugs[:5]  # five at first

    school = (await client.get("/api/v1/matches", params={**R_HEAVY, "training_type": "school"})).json()
    assert [item["slug"] for item in school["items"]] == ["pflegefachmann"]
    assert school["items"][0]["training_type"] == "school"
    health = (await client.get("/api/v1/matches", params={**R_HEAVY, "field": "8", "limit": 10})).json()
    assert sorted(item["slug"] for item in health["items"]) == [
        "medizinischer-fachangestellter",
        "pflegefachmann",
        "zahnmedizinischer-fachangestellter",
    ]
    assert [item["slug"] for item in health["items"]] == [
        slug
        for slug in slugs
        if slug
        in {
            "medizinischer-fachangestellter",
            "pflegefachmann",
            "zahnmedizinischer-fachangestellter",
        }
    ]


@pytest.mark.usefixtures("loaded_catalogue", "check_bank")
async def test_matches_depend_on_nothing_but_the_scores(client: httpx.AsyncClient) -> None:
    plain = await client.get("/api/v1/matches", params={**S_HEAVY, "limit": 10})
    for extra in ({"gender": "f"}, {"gender": "m"}, {"gender": "d", "name": "Kim"}, {"sex": "female"}):
        again = await client.get("/api/v1/matches", params={**S_HEAVY, "limit": 10, **extra})
        assert again.status_code == 200
        assert again.json() == plain.json()
    other = await client.get("/api/v1/matches", params={**R_HEAVY, "limit": 10})
    assert other.json() != plain.json()  # the comparison above could tell a difference


@pytest.mark.usefixtures("loaded_catalogue", "check_bank")
async def test_match_requests_are_checked(client: httpx.AsyncClient) -> None:
    problem(await client.get("/api/v1/matches"), 422, "scores-missing")
    body = problem(await client.get("/api/v1/matches", params={"R": 101}), 422, "invalid-request")
    assert body["errors"][0]["field"] == "R"
    problem(await client.get("/api/v1/matches", params={"R": "nan"}), 422, "invalid-request")
    problem(await client.get("/api/v1/matches", params={"R": 50, "limit": 0}), 422, "invalid-request")
    body = problem(
        await client.get("/api/v1/matches", params={"R": 50, "certificate": "master"}), 422, "invalid-filter"
    )
    assert body["allowed"] == ["none", "hauptschule", "realschule", "abitur"]
    problem(
        await client.get("/api/v1/matches", params={"R": 50, "training_type": "x"}), 422, "invalid-filter"
    )
    problem(await client.get("/api/v1/matches", params={"R": 50, "field": "x"}), 422, "invalid-filter")


@pytest.mark.usefixtures("loaded_catalogue", "check_bank")
async def test_matches_with_one_scored_type_only(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/matches", params={"S": 80, "limit": 10})).json()
    # No correlation from one score: the occupation's own level on S decides (a liked type).
    fits = {item["slug"]: item["fit"] for item in body["items"]}
    s_first = {"medizinischer-fachangestellter", "pflegefachmann", "zahnmedizinischer-fachangestellter"}
    assert {item["slug"] for item in body["items"][:3]} == s_first
    assert min(fits[slug] for slug in s_first) > max(fits[slug] for slug in set(fits) - s_first)
    assert body["items"][0]["reasons"] == ["S"]


@pytest.mark.usefixtures("check_bank")
async def test_matches_over_the_real_knowledge_base(client: httpx.AsyncClient, load: Loader) -> None:
    vocab = loader.load_vocab()
    professions = loader.load_professions(vocab=vocab)
    load(professions=professions, vocab=vocab)
    for heavy, letter in ((R_HEAVY, "R"), (S_HEAVY, "S")):
        body = (await client.get("/api/v1/matches", params={**heavy, "certificate": "hauptschule"})).json()
        assert body["total"] == len(professions)
        assert len(body["items"]) == 5
        # The type that stands out leads: first in the best one's code, among the first two of
        # most of the five (variety may bring in other fields), and every one has a reason.
        assert body["items"][0]["riasec"][0] == letter, body["items"]
        assert sum(letter in item["riasec"][:2] for item in body["items"]) >= 3, body["items"]
        assert all(item["reason"] for item in body["items"])
    # Occupations that formally need a higher certificate are in the list, marked.
    fachabitur = {p.slug for p in professions if p.certificate_required == "fachabitur"}
    every: list[dict[str, Any]] = []
    for offset in range(0, len(professions), 100):
        every += (
            await client.get(
                "/api/v1/matches", params={**S_HEAVY, "certificate": "none", "limit": 100, "offset": offset}
            )
        ).json()["items"]
    assert len(every) == len(professions)
    assert {item["slug"] for item in every if item["needs_higher_certificate"]} >= fachabitur


# --- GET /api/v1/charts/riasec.png and .json --------------------------------------------------


@pytest.mark.usefixtures("check_bank")
async def test_the_chart_is_a_600_by_400_png_that_caches(client: httpx.AsyncClient) -> None:
    params: dict[str, float | str] = {"R": 80, "I": 62.5, "A": 10, "S": 45, "E": 0, "C": 100, "lang": "de"}
    response = await client.get("/api/v1/charts/riasec.png", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert "max-age=" in response.headers["cache-control"]
    assert response.content.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(response.content)) as image:
        image.verify()
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG"
        assert image.size == (600, 400)
    clear_chart_cache()  # render afresh: the same scores give the same bytes
    again = await client.get("/api/v1/charts/riasec.png", params=params)
    assert again.content == response.content
    english = await client.get("/api/v1/charts/riasec.png", params={**params, "lang": "en"})
    assert english.status_code == 200 and english.content != response.content
    other = await client.get("/api/v1/charts/riasec.png", params={**params, "R": 20})
    assert other.content != response.content


@pytest.mark.usefixtures("check_bank")
async def test_the_chart_shows_missing_scores_and_refuses_bad_ones(client: httpx.AsyncClient) -> None:
    partial = await client.get("/api/v1/charts/riasec.png", params={"R": 50})
    assert partial.status_code == 200 and partial.content.startswith(PNG_SIGNATURE)
    problem(await client.get("/api/v1/charts/riasec.png", params={"R": -1}), 422, "invalid-request")
    problem(
        await client.get("/api/v1/charts/riasec.png", params={"R": 1, "lang": "fr"}), 422, "invalid-request"
    )


async def test_the_chart_has_a_text_alternative_in_both_languages(
    client: httpx.AsyncClient, check_bank: CheckBankSnapshot
) -> None:
    params = {"R": 80, "I": 62.5, "A": 10, "S": 45, "E": 0}
    german = (await client.get("/api/v1/charts/riasec.json", params=params)).json()
    assert german["lang"] == "de" and (german["width"], german["height"]) == (600, 400)
    short = {t.code: t.short for t in check_bank.types.types}
    # Strongest first, like the bars; a type without a score last.
    assert german["alt"] == (
        f"{short['R'].de}: 80; {short['I'].de}: 63; {short['S'].de}: 45; "
        f"{short['A'].de}: 10; {short['E'].de}: 0; {short['C'].de}: –"
    )
    english = (await client.get("/api/v1/charts/riasec.json", params={**params, "lang": "en"})).json()
    assert english["alt"].startswith(f"{short['R'].en}: 80; {short['I'].en}: 63")
    # the bars for channels that draw the chart themselves (docs/widget_messages.md)
    assert [(bar["code"], bar["label"], bar["score"], bar["highlighted"]) for bar in english["bars"]] == [
        ("R", short["R"].en, 80, True),
        ("I", short["I"].en, 62.5, True),
        ("S", short["S"].en, 45, True),
        ("A", short["A"].en, 10, False),
        ("E", short["E"].en, 0, False),
        ("C", short["C"].en, None, False),
    ]


def test_the_chart_is_sorted_highlights_the_top_three_and_stays_legible_on_a_phone() -> None:
    from api.check import chart

    labels = dict(zip(RIASEC, ("R-name", "I-name", "A-name", "S-name", "E-name", "C-name"), strict=True))
    rows = chart.chart_rows({"R": 20, "I": 90, "A": 55, "S": 90, "E": None, "C": 70}, labels)
    assert [row.code for row in rows] == ["I", "S", "C", "A", "R", "E"]  # ties in RIASEC order
    assert [row.code for row in rows if row.highlighted] == ["I", "S", "C"]
    # Every text of the 600 px image is at least 12 px when a phone shows it 360 px wide.
    assert chart.smallest_text_px(360) >= 12
    # Only two scored types: only those two are highlighted.
    two = chart.chart_rows({"R": 10, "I": 20, "A": None, "S": None, "E": None, "C": None}, labels)
    assert [row.code for row in two if row.highlighted] == ["I", "R"]
