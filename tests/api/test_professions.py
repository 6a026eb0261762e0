"""GET /api/v1/professions and /api/v1/professions/{slug} over small factory profiles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import delete, event, update
from sqlalchemy.orm import Session

from api.knowledge_sync.meta import PROFILES_HASH, read_meta
from api.knowledge_sync.models import KnowledgeMeta
from api.professions.models import Profession
from knowledge import schema

ProfessionFactory = Callable[..., schema.Profession]
Loader = Callable[..., object]


def slugs(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


@pytest.mark.usefixtures("loaded_catalogue")
async def test_list_without_query_is_in_slug_order_with_total(
    client: httpx.AsyncClient, catalogue: list[schema.Profession]
) -> None:
    response = await client.get("/api/v1/professions")
    body = response.json()
    assert body["total"] == 7
    assert slugs(response) == sorted(p.slug for p in catalogue)
    assert "score" not in body["items"][0]
    assert set(body["items"][0]) == {
        "slug",
        "name",
        "name_masc",
        "name_fem",
        "name_en",
        "training_type",
        "duration_months",
        "field",
        "riasec",
        "certificate_typical",
        "certificate_required",
    }


@pytest.mark.usefixtures("loaded_catalogue")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("arzthelferin", "medizinischer-fachangestellter"),
        ("kfz mechaniker", "kraftfahrzeugmechatroniker"),
        ("Fachinformatker", "fachinformatiker"),
        ("Zahnarzthelferin", "zahnmedizinischer-fachangestellter"),
        ("Pflegefachfrau", "pflegefachmann"),
    ],
)
async def test_search_puts_the_right_occupation_first(
    client: httpx.AsyncClient, query: str, expected: str
) -> None:
    response = await client.get("/api/v1/professions", params={"q": query})
    found = slugs(response)
    assert found[0] == expected
    items = response.json()["items"]
    assert all(0 <= item["score"] <= 1 for item in items)
    assert [item["score"] for item in items] == sorted((item["score"] for item in items), reverse=True)
    assert response.json()["total"] == len(found)


@pytest.mark.usefixtures("loaded_catalogue")
async def test_search_without_any_fit_is_empty(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"q": "xyzzy qwrtz"})
    assert response.json() == {"items": [], "total": 0}


@pytest.mark.usefixtures("loaded_catalogue")
async def test_blank_query_lists_everything(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions", params={"q": "   "})
    assert response.json()["total"] == 7


@pytest.mark.usefixtures("loaded_catalogue")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"field": "8"},
            ["medizinischer-fachangestellter", "pflegefachmann", "zahnmedizinischer-fachangestellter"],
        ),
        ({"training_type": "school"}, ["pflegefachmann"]),
        (
            {"riasec": "S"},
            ["medizinischer-fachangestellter", "pflegefachmann", "zahnmedizinischer-fachangestellter"],
        ),
        # every letter given must be in the code, in any order and case
        (
            {"riasec": "ic"},
            [
                "fachinformatiker",
                "kaufmann-fuer-digitalisierungsmanagement",
                "medizinischer-fachangestellter",
            ],
        ),
        # formally required certificate at most "hauptschule": the nursing school needs Realschule
        (
            {"certificate": "hauptschule", "field": "8"},
            ["medizinischer-fachangestellter", "zahnmedizinischer-fachangestellter"],
        ),
        (
            {"certificate": "realschule", "field": "8"},
            ["medizinischer-fachangestellter", "pflegefachmann", "zahnmedizinischer-fachangestellter"],
        ),
        ({"field": "9"}, []),
    ],
)
async def test_filters(client: httpx.AsyncClient, params: dict[str, str], expected: list[str]) -> None:
    response = await client.get("/api/v1/professions", params=params)
    assert slugs(response) == expected
    assert response.json()["total"] == len(expected)


@pytest.mark.usefixtures("loaded_catalogue")
async def test_filters_apply_to_search_results_and_total(client: httpx.AsyncClient) -> None:
    unfiltered = await client.get("/api/v1/professions", params={"q": "fachangestellte"})
    assert {"medizinischer-fachangestellter", "zahnmedizinischer-fachangestellter"} <= set(slugs(unfiltered))
    filtered = await client.get("/api/v1/professions", params={"q": "fachangestellte", "riasec": "R"})
    assert slugs(filtered) == ["zahnmedizinischer-fachangestellter"]
    assert filtered.json()["total"] == 1


@pytest.mark.usefixtures("loaded_catalogue")
async def test_paging_without_query(client: httpx.AsyncClient) -> None:
    everything = slugs(await client.get("/api/v1/professions", params={"limit": 100}))
    first = await client.get("/api/v1/professions", params={"limit": 3})
    second = await client.get("/api/v1/professions", params={"limit": 3, "offset": 3})
    beyond = await client.get("/api/v1/professions", params={"limit": 3, "offset": 30})
    assert slugs(first) + slugs(second) == everything[:6]
    assert slugs(beyond) == []
    assert first.json()["total"] == second.json()["total"] == beyond.json()["total"] == 7


@pytest.mark.usefixtures("loaded_catalogue")
async def test_paging_with_query_keeps_the_ranking(client: httpx.AsyncClient) -> None:
    ranked = await client.get("/api/v1/professions", params={"q": "fachangestellte", "limit": 100})
    page = await client.get("/api/v1/professions", params={"q": "fachangestellte", "limit": 1, "offset": 1})
    assert slugs(page) == slugs(ranked)[1:2]
    assert page.json()["total"] == ranked.json()["total"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"riasec": "XY"}, {"limit": "many"}],
)
async def test_invalid_parameters_are_problems(
    client: httpx.AsyncClient, params: dict[str, str | int]
) -> None:
    response = await client.get("/api/v1/professions", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-request"
    assert body["status"] == 422
    name = next(iter(params))
    assert name in body["detail"] and name in body["detail_de"]
    assert [error["field"] for error in body["errors"]] == [name]


@pytest.mark.usefixtures("loaded_catalogue")
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"field": "x"}, "field"),
        ({"certificate": "diplom"}, "certificate"),
        ({"training_type": "x"}, "training_type"),
    ],
)
async def test_unknown_filter_codes_are_problems(
    client: httpx.AsyncClient, params: dict[str, str], name: str
) -> None:
    response = await client.get("/api/v1/professions", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-filter"
    assert body["parameter"] == name
    assert body["allowed"]
    assert body["detail_de"].startswith(f"„{params[name]}“")


@pytest.mark.usefixtures("loaded_catalogue")
async def test_detail_has_texts_labels_and_related(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions/medizinischer-fachangestellter")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Medizinische/r Fachangestellte/r"
    assert body["name_fem"] == "Medizinische Fachangestellte"
    assert body["synonyms"] == ["MFA", "Arzthelferin", "Arzthelfer", "Sprechstundenhilfe"]
    assert body["text"]["de"]["description"].startswith("Du arbeitest")
    assert body["text"]["en"]["tasks"] == ["task one", "task two"]
    assert body["subjects"] == [
        {"code": "biologie", "de": "Biologie", "en": "biology"},
        {"code": "deutsch", "de": "Deutsch", "en": "German"},
    ]
    assert body["certificate"] == {
        "typical": {
            "code": "realschule",
            "de": "Realschulabschluss",
            "en": "intermediate secondary certificate",
        },
        "required": {"code": "none", "de": "ohne Schulabschluss", "en": "no certificate"},
    }
    assert body["training_type_label"] == {"de": "duale Ausbildung", "en": "dual apprenticeship"}
    assert body["field_label"]["en"] == "health, social work and education"
    assert body["kldb_code"] == "81102"
    assert body["related"] == [
        {
            "slug": "zahnmedizinischer-fachangestellter",
            "name": "Zahnmedizinische/r Fachangestellte/r",
            "name_en": "Dental assistant",
        }
    ]


async def test_detail_pay_uses_the_latest_start_year_and_the_training_length(
    client: httpx.AsyncClient,
    load: Loader,
    make_profession: ProfessionFactory,
    make_minimum_pay: Callable[[int, tuple[int, ...]], list[schema.MinimumPay]],
) -> None:
    load(
        professions=[
            make_profession("dreijaehrig", duration_months=36),
            make_profession("zweijaehrig", duration_months=24),
        ],
        agreed_pay=[schema.AgreedPay("dreijaehrig", 2024, 1050, "Beruf (gesamt)", "Dreijährig", "https://x")],
        minimum_pay=make_minimum_pay(2025, (682, 805, 921, 955))
        + make_minimum_pay(2026, (724, 854, 977, 1014)),
    )
    three = (await client.get("/api/v1/professions/dreijaehrig")).json()["pay"]
    assert three == {
        "legal_minimum": True,
        "start_year": 2026,
        "minimum": [
            {"training_year": 1, "eur": 724},
            {"training_year": 2, "eur": 854},
            {"training_year": 3, "eur": 977},
        ],
        "agreed": [
            {"year": 2024, "eur_per_month": 1050, "scope": "Beruf (gesamt)", "source_url": "https://x"}
        ],
        "note": None,
    }
    two = (await client.get("/api/v1/professions/zweijaehrig")).json()["pay"]
    assert [row["training_year"] for row in two["minimum"]] == [1, 2]
    assert two["agreed"] == []


@pytest.mark.usefixtures("loaded_catalogue")
async def test_detail_pay_without_legal_minimum_has_the_note(client: httpx.AsyncClient) -> None:
    pay = (await client.get("/api/v1/professions/pflegefachmann")).json()["pay"]
    assert pay == {
        "legal_minimum": False,
        "start_year": None,
        "minimum": [],
        "agreed": [],
        "note": {"de": "Du bekommst Geld nach Tarif.", "en": "You are paid by agreement."},
    }


@pytest.mark.usefixtures("loaded_catalogue")
async def test_unknown_slug_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/professions/astronaut")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/profession-not-found",
        "title": "Occupation not found",
        "status": 404,
        "detail": 'We do not know an occupation with the identifier "astronaut".',
        "instance": "/api/v1/professions/astronaut",
        "detail_de": "Wir kennen keinen Beruf mit der Kennung „astronaut“.",
    }


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's connection runs inside the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


async def test_an_occupation_is_described_once_while_its_rows_stay_the_same(
    client: httpx.AsyncClient,
    session: Session,
    load: Loader,
    make_profession: ProfessionFactory,
    make_minimum_pay: Callable[[int, tuple[int, ...]], list[schema.MinimumPay]],
) -> None:
    holz = make_profession("holzmechaniker", name="Holzmechaniker")
    load(professions=[make_profession("tischler", name="Tischler", related=("holzmechaniker",)), holz])
    first = await client.get("/api/v1/professions/tischler")
    assert first.status_code == 200, first.text
    with statements(session) as again:
        second = await client.get("/api/v1/professions/tischler")
    assert second.json() == first.json()
    # one read: of the rows' hash (a description reads the row, the related rows, four
    # vocabularies and the pay tables)
    assert len(again) == 1 and "knowledge_meta" in again[0], again

    # loaded again with other rows from the same knowledge files (the loader's code changed):
    # described anew from the new rows
    load(professions=[make_profession("tischler", name="Tischler/-in", related=()), holz])
    with statements(session) as anew:
        changed = (await client.get("/api/v1/professions/tischler")).json()
    assert changed["name"] == "Tischler/-in" and changed["related"] == []
    assert len(anew) > 1
    # only the legal minimum pay changed: the pay told is the new one
    load(
        professions=[make_profession("tischler", name="Tischler/-in", related=()), holz],
        minimum_pay=make_minimum_pay(2026, (700, 800, 900, 950)),
    )
    pay = (await client.get("/api/v1/professions/tischler")).json()["pay"]
    assert [row["eur"] for row in pay["minimum"]] == [700, 800, 900]
    # an occupation the new rows no longer have is a 404, not what was kept
    load(professions=[holz])
    assert (await client.get("/api/v1/professions/tischler")).status_code == 404


async def test_rows_written_by_hand_are_never_kept(
    client: httpx.AsyncClient, session: Session, load: Loader, make_profession: ProfessionFactory
) -> None:
    load(professions=[make_profession("tischler", name="Tischler")])
    session.execute(delete(KnowledgeMeta))  # no stored hash: nobody vouches for the rows
    assert (await client.get("/api/v1/professions/tischler")).json()["name"] == "Tischler"
    session.execute(update(Profession).where(Profession.slug == "tischler").values(name="Tischlerin"))
    assert (await client.get("/api/v1/professions/tischler")).json()["name"] == "Tischlerin"


async def test_an_unknown_occupation_is_not_kept(
    client: httpx.AsyncClient, session: Session, load: Loader, make_profession: ProfessionFactory
) -> None:
    both = [make_profession("holzmechaniker"), make_profession("tischler")]
    load(professions=both)
    key = read_meta(session, PROFILES_HASH)
    session.execute(delete(Profession).where(Profession.slug == "tischler"))  # by hand: the hash stays
    assert (await client.get("/api/v1/professions/tischler")).status_code == 404
    load(professions=both)  # the same rows again: the same hash as when the 404 was answered
    assert read_meta(session, PROFILES_HASH) == key
    assert (await client.get("/api/v1/professions/tischler")).status_code == 200


@pytest.mark.usefixtures("loaded_catalogue")
async def test_fields_count_occupations_and_leave_out_empty_fields(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/fields")
    assert response.status_code == 200
    assert response.json() == [
        {"code": "2", "de": "Produktion und Fertigung", "en": "production and manufacturing", "count": 2},
        {
            "code": "4",
            "de": "Naturwissenschaft, Geografie und Informatik",
            "en": "science, geography and IT",
            "count": 2,
        },
        {
            "code": "8",
            "de": "Gesundheit, Soziales und Erziehung",
            "en": "health, social work and education",
            "count": 3,
        },
    ]


async def test_search_sees_professions_loaded_later(
    client: httpx.AsyncClient, load: Loader, make_profession: ProfessionFactory
) -> None:
    informatiker = make_profession("fachinformatiker", name="Fachinformatiker")
    load(professions=[informatiker])
    assert slugs(await client.get("/api/v1/professions", params={"q": "Tischler"})) == []
    load(professions=[informatiker, make_profession("tischler", name="Tischler")])
    assert slugs(await client.get("/api/v1/professions", params={"q": "Tischler"}))[0] == "tischler"
    load(professions=[informatiker])
    assert slugs(await client.get("/api/v1/professions", params={"q": "Tischler"})) == []
