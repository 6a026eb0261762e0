"""GET /api/v1/search: the knowledge index on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.search.query import fts5_query, search_terms, tsquery_text
from api.search.service import snippet
from knowledge import schema
from knowledge.rules.catalogue import Rule, RuleText, Source

ProfessionFactory = Callable[..., schema.Profession]
Loader = Callable[..., Any]


def texts(de: tuple[str, list[str], list[str]], en: tuple[str, list[str], list[str]]) -> dict[str, Any]:
    return {
        "de": schema.ProfessionText(de[0], tuple(de[1]), tuple(de[2])),
        "en": schema.ProfessionText(en[0], tuple(en[1]), tuple(en[2])),
    }


@pytest.fixture
def professions(make_profession: ProfessionFactory) -> list[schema.Profession]:
    return [
        make_profession(
            "tierpfleger",
            name_masc="Tierpfleger",
            name_fem="Tierpflegerin",
            name_short="Tierpfleger/in",
            name_en="Animal keeper",
            synonyms=("Zootierpfleger",),
            text=texts(
                (
                    "Du kümmerst dich um Tiere im Zoo, im Tierheim oder in einer Klinik.",
                    ["Tiere füttern"],
                    ["Zoo"],
                ),
                ("You look after animals in a zoo, a shelter or a clinic.", ["feed animals"], ["zoo"]),
            ),
        ),
        make_profession(
            "fachinformatiker",
            name_masc="Fachinformatiker",
            name_fem="Fachinformatikerin",
            name_short="Fachinformatiker/in",
            name_en="IT specialist",
            synonyms=("Programmierer", "Informatiker"),
            text=texts(
                ("Du planst Computersysteme und schreibst Programme.", ["Software entwickeln"], ["Büro"]),
                ("You plan computer systems and write programs.", ["develop software"], ["office"]),
            ),
        ),
        make_profession(
            "erzieher",
            name_masc="Erzieher",
            name_fem="Erzieherin",
            name_short="Erzieher/in",
            name_en="Educator",
            training_type="school",
            text=texts(
                ("Du begleitest Kinder im Alltag und förderst sie.", ["mit Kindern spielen"], ["Kita"]),
                ("You support children in their daily life.", ["play with children"], ["day care"]),
            ),
        ),
        make_profession(
            "baecker",
            name_masc="Bäcker",
            name_fem="Bäckerin",
            name_short="Bäcker/in",
            name_en="Baker",
            text=texts(
                ("Du backst Brot, Brötchen und Kuchen.", ["Teig kneten"], ["Backstube"]),
                ("You bake bread, rolls and cakes.", ["knead dough"], ["bakery"]),
            ),
        ),
    ]


@pytest.fixture
def loaded(load: Loader, professions: list[schema.Profession]) -> list[schema.Profession]:
    load(professions=professions)
    return professions


async def search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def keys(body: dict[str, Any]) -> list[str]:
    return [hit["key"] for hit in body["hits"]]


# --- the query, without a database -------------------------------------------------------------


def test_search_terms_keep_content_words_lightly_stemmed() -> None:
    assert search_terms("Welche Berufe gibt es mit Tieren?") == ["tier"]
    assert search_terms("ich mag computer und zocken") == ["comput", "zock"]
    assert search_terms("was kann ich machen") == []
    assert search_terms("   ") == []


def test_every_fts5_term_is_quoted_and_tsquery_terms_are_words_only() -> None:
    assert fts5_query(["tier", 'a"b']) == '"tier"* OR "a""b"*'
    assert tsquery_text(["tier", "a&b"]) == "tier:*"
    # operators in the message never reach the query syntax
    assert search_terms('tier" OR NEAR(x) * & ! :*') == ["tier", "near"]


def test_snippet_takes_the_sentence_with_a_term_and_cuts_long_ones() -> None:
    body = "Du arbeitest drinnen. Du fütterst Tiere im Zoo. Du putzt."
    assert snippet(body, ["tier"]) == "Du fütterst Tiere im Zoo."
    assert snippet(body, ["nichts"]) == "Du arbeitest drinnen."
    long = "Wort " * 60
    cut = snippet(long, ["wort"])
    assert len(cut) <= 162 and cut.endswith(" …")


# --- the endpoint on both backends -------------------------------------------------------------


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("welche berufe gibt es mit tieren", "tierpfleger"),
        ("ich mag computer und zocken", "fachinformatiker"),
        ("ich will programmierer werden", "fachinformatiker"),
        ("was kann man mit kindern arbeiten", "erzieher"),
        ("Brötchen backen", "baecker"),
        ("jobs with animals", "tierpfleger"),
    ],
)
async def test_the_fitting_profile_comes_first(client: httpx.AsyncClient, query: str, expected: str) -> None:
    body = await search(client, query)
    assert keys(body)[:1] == [expected], body


@pytest.mark.usefixtures("loaded")
async def test_a_hit_has_kind_key_titles_and_a_snippet_in_the_asked_language(
    client: httpx.AsyncClient,
) -> None:
    german = await search(client, "tiere")
    assert german["terms"] == ["tier"]
    assert german["hits"] == [
        {
            "kind": "profession",
            "key": "tierpfleger",
            "title": {"de": "Tierpfleger/in", "en": "Animal keeper"},
            "snippet": "Du kümmerst dich um Tiere im Zoo, im Tierheim oder in einer Klinik.",
        }
    ]
    english = await search(client, "tiere", lang="en")
    assert english["hits"][0]["snippet"] == "You look after animals in a zoo, a shelter or a clinic."


@pytest.mark.usefixtures("loaded")
async def test_no_content_words_no_hits_and_unknown_words_none_either(client: httpx.AsyncClient) -> None:
    assert await search(client, "was kann ich machen") == {"terms": [], "hits": []}
    assert (await search(client, "xylophonquartett"))["hits"] == []


@pytest.mark.usefixtures("loaded")
async def test_limit_caps_the_hits(client: httpx.AsyncClient) -> None:
    body = await search(client, "tiere kinder computer brot", limit=2)
    assert len(body["hits"]) == 2
    assert len((await search(client, "tiere kinder computer brot"))["hits"]) == 4


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    "query",
    [
        'tier" OR "',
        "NEAR(tier kind)",
        "tier* AND -kind",
        "'; DROP TABLE search_documents; --",
        "a:* & !b | (c",
    ],
)
async def test_query_syntax_in_the_message_is_only_text(client: httpx.AsyncClient, query: str) -> None:
    body = await search(client, query)
    assert isinstance(body["hits"], list)
    assert (await search(client, "tiere"))["hits"], "the documents are still there"


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "tiere", "lang": "fr"},
        {"q": "tiere", "limit": 0},
        {"q": "tiere", "limit": 21},
        {"q": "x" * 301},
    ],
)
async def test_bad_input_is_a_problem(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/invalid-request"


async def test_the_knowledge_sync_keeps_the_index(
    client: httpx.AsyncClient,
    load: Loader,
    professions: list[schema.Profession],
    make_profession: ProfessionFactory,
) -> None:
    report = load(professions=professions)
    assert report.tables["search_documents"].inserted == 4
    assert keys(await search(client, "kuchen")) == ["baecker"]

    baker = professions[3]
    changed = make_profession(
        "baecker",
        name_masc=baker.name_masc,
        name_fem=baker.name_fem,
        name_short=baker.name_short,
        name_en=baker.name_en,
        text=texts(("Du backst Torten.", [], []), ("You bake tarts.", [], [])),
    )
    report = load(professions=[*professions[:3], changed])
    assert report.tables["search_documents"].updated == 1
    assert keys(await search(client, "kuchen")) == []
    assert keys(await search(client, "torten")) == ["baecker"]

    report = load(professions=professions[:3])
    assert report.tables["search_documents"].deleted == 1
    assert keys(await search(client, "torten")) == []
    assert keys(await search(client, "bäcker")) == []


async def test_topics_are_found_too_with_their_occupations_as_the_snippet(
    client: httpx.AsyncClient, load: Loader, professions: list[schema.Profession]
) -> None:
    animals = schema.Topic(
        key="animals",
        name=schema.LocalizedText(de="Tiere", en="Animals"),
        words={"de": ("tiere", "haustiere", "pferde"), "en": ("animals", "pets")},
        occupations=("tierpfleger",),
    )
    report = load(professions=professions, topics=[animals])
    assert report.tables["search_documents"].inserted == len(professions) + 1
    body = await search(client, "was mit pferden")
    topic_hits = [hit for hit in body["hits"] if hit["kind"] == "topic"]
    assert topic_hits and topic_hits[0]["key"] == "animals"
    assert topic_hits[0]["title"] == {"de": "Tiere", "en": "Animals"}
    assert "Tierpfleger" in topic_hits[0]["snippet"]


async def test_rules_of_training_are_found_with_a_point_of_the_answer_as_the_snippet(
    client: httpx.AsyncClient, load: Loader, professions: list[schema.Profession]
) -> None:
    probation = Rule(
        "probation",
        RuleText(
            "Probezeit", ("Die Probezeit dauert ein bis vier Monate.", "In ihr kann man ohne Grund kündigen.")
        ),
        RuleText("Probation", ("Probation lasts one to four months.", "During it, either side can quit.")),
        (Source("BBiG § 20", "https://www.gesetze-im-internet.de/bbig_2005/__20.html"),),
    )
    report = load(professions=professions, rules=[probation])
    assert report.tables["search_documents"].inserted == len(professions) + 1
    body = await search(client, "wie lange geht die probezeit")
    assert [(hit["kind"], hit["key"]) for hit in body["hits"]] == [("rule", "probation")]
    assert body["hits"][0]["title"] == {"de": "Probezeit", "en": "Probation"}
    assert body["hits"][0]["snippet"] == "Die Probezeit dauert ein bis vier Monate."
    english = await search(client, "can they fire me during probation", lang="en")
    assert english["hits"][0]["snippet"] == "Probation lasts one to four months."

    report = load(professions=professions)
    assert report.tables["search_documents"].deleted == 1
    assert (await search(client, "probezeit"))["hits"] == []
