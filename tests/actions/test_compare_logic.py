"""The decisions behind action_compare_professions, without Rasa or the API."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.api_client import ProfessionSummary, parse_detail
from actions.compare_logic import (
    AskBoth,
    AskSecond,
    ChooseOccupation,
    ComparePair,
    SameTwice,
    choice_reply,
    compare_payload,
    comparison_utterances,
    first_sentence,
    interests_line,
    pay_line,
    resolve_compare,
)
from actions.offer_logic import DomainTexts
from actions.profession_logic import current_agreed_pay

DOMAIN_DIR = Path(__file__).parents[2] / "bot" / "domain"


def load_domain() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return {"responses": responses}


DOMAIN = load_domain()
DE = DomainTexts(DOMAIN, "de")
EN = DomainTexts(DOMAIN, "en")


def profession(slug: str) -> dict[str, Any]:
    return {"entity": "profession", "value": slug}


def query(text: str) -> dict[str, Any]:
    return {"entity": "profession_query", "value": text}


# --- which two occupations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entities", "remembered", "expected"),
    [
        ([profession("tischler"), profession("zimmerer")], None, ComparePair("tischler", "zimmerer")),
        # a new pair wins over the one remembered
        ([profession("maurer"), profession("dachdecker")], "koch", ComparePair("maurer", "dachdecker")),
        # the third one is left out
        (
            [profession("koch"), profession("baecker"), profession("konditor")],
            None,
            ComparePair("koch", "baecker"),
        ),
        # "schreiner oder tischler": two names, one occupation
        ([profession("tischler"), profession("tischler")], None, SameTwice("tischler")),
        ([profession("baecker")], "koch", ComparePair("koch", "baecker")),
        ([profession("koch")], "koch", SameTwice("koch")),
        ([profession("koch")], None, AskSecond("koch")),
        ([], "koch", AskSecond("koch")),
        ([], None, AskBoth()),
        ([profession("koch"), query("Elektriker")], None, ChooseOccupation("Elektriker", "koch")),
        ([query("Elektriker")], "koch", ChooseOccupation("Elektriker", "koch")),
        ([query("Elektriker")], None, ChooseOccupation("Elektriker", None)),
        # slugs from an edited button are ignored
        ([profession("../admin"), profession("koch")], "x y", AskSecond("koch")),
    ],
)
def test_resolve_compare(entities: list[dict[str, Any]], remembered: object, expected: object) -> None:
    assert resolve_compare(entities, remembered) == expected


def test_compare_payload_carries_one_or_two_occupations() -> None:
    assert compare_payload("koch") == '/compare_professions{"profession":"koch"}'
    assert compare_payload("koch", "baecker") == '/compare_professions{"profession":["koch","baecker"]}'


def test_a_choice_compares_each_candidate_with_the_known_occupation() -> None:
    candidates = [
        ProfessionSummary("elektroniker", "Elektroniker/-in", "Electronics technician", "dual", 42),
        ProfessionSummary("koch", "Koch/Köchin", "Cook", "dual", 36),
    ]
    reply = choice_reply("Elektriker", "koch", candidates, "de")
    assert reply.response == "utter_compare_choose"
    assert reply.buttons == (
        {
            "title": "Elektroniker/-in",
            "payload": '/compare_professions{"profession":["koch","elektroniker"]}',
        },
    )
    assert choice_reply("Elektriker", None, candidates[:1], "en").buttons == (
        {"title": "Electronics technician", "payload": '/compare_professions{"profession":"elektroniker"}'},
    )
    assert choice_reply("Xyz", None, [], "de").response == "utter_profession_unknown"


# --- what to answer ------------------------------------------------------------------------------


def test_pay_line_shows_the_minimum_of_three_years_and_current_agreed_pay(profiles: dict[str, Any]) -> None:
    koch = parse_detail(profiles["koch"])
    assert pay_line(koch, DE) == (
        "mindestens 724 / 854 / 977 € im Monat im 1. bis 3. Jahr (gesetzliches Minimum bei Start 2026); "
        "mit Tarifvertrag etwa 1.012 € (2023, Quelle: -)"
    )
    assert pay_line(koch, EN).startswith("at least €724 / 854 / 977 a month in years 1 to 3")


def test_agreed_pay_below_todays_minimum_is_never_shown(profiles: dict[str, Any]) -> None:
    raw = copy.deepcopy(profiles["koch"])
    # reported before the minimum rose: below the average minimum of 852 €
    raw["pay"]["agreed"] = [
        {"year": 2024, "eur_per_month": 719, "scope": "Beruf (gesamt)", "source_url": "https://x"}
    ]
    koch = parse_detail(raw)
    assert current_agreed_pay(koch) is None
    line = pay_line(koch, DE)
    assert "719" not in line and "Tarif" not in line
    raw["pay"]["agreed"][0]["eur_per_month"] = 900
    assert "etwa 900 € (2024, Quelle: https://x)" in pay_line(parse_detail(raw), DE)


def test_pay_line_without_a_minimum_uses_the_profiles_note_or_says_it_is_unknown(
    profiles: dict[str, Any],
) -> None:
    erzieher = parse_detail(profiles["erzieher"])
    assert pay_line(erzieher, DE) == "In der Schulzeit gibt es meist kein Gehalt."
    raw = copy.deepcopy(profiles["erzieher"])
    raw["pay"]["note"] = None
    assert pay_line(parse_detail(raw), EN) == "no reliable numbers, ask the companies"


def test_interests_are_named_in_the_conversations_language() -> None:
    assert interests_line("RCA", DE) == "praktisch-technisch, ordnend-verwaltend, künstlerisch-kreativ"
    assert interests_line("sa", EN) == "social, artistic and creative"
    assert interests_line("", DE) == "weiß ich noch nicht"


def test_first_sentence() -> None:
    assert first_sentence("Du kochst. Du putzt.") == "Du kochst."
    assert first_sentence("Ohne Punkt") == "Ohne Punkt"


def test_the_table_puts_both_occupations_side_by_side(profiles: dict[str, Any]) -> None:
    koch, mechaniker = parse_detail(profiles["koch"]), parse_detail(profiles["industriemechaniker"])
    table, following = comparison_utterances(koch, mechaniker, DE)
    assert table.response == "utter_compare_table"
    variables = {key: str(value) for key, value in table.variables.items()}
    assert variables["name_a"] == "Koch/Köchin"
    assert variables["training_a"] == "3 Jahre, duale Ausbildung"
    assert variables["certificate_a"] == "Hauptschulabschluss"
    assert variables["workplaces_a"] == "Restaurants, Kantinen"
    assert variables["tasks_a"] == "Du kochst Gerichte in Restaurants und Kantinen."
    assert variables["interests_a"] == "praktisch-technisch, künstlerisch-kreativ"
    assert variables["pay_b"].startswith("mindestens 724 / 854 / 977 €")
    assert "Tarif" not in variables["pay_b"]  # no agreed pay reported
    assert following.response == "utter_compare_next"
    assert following.buttons == (
        {"title": "Mehr zu Koch/Köchin", "payload": '/ask_profession{"profession":"koch"}'},
        {
            "title": f"Mehr zu {variables['name_b']}",
            "payload": '/ask_profession{"profession":"industriemechaniker"}',
        },
        {"title": "Angebote: Koch/Köchin", "payload": '/search_offers{"profession":"koch"}'},
        {
            "title": f"Angebote: {variables['name_b']}",
            "payload": '/search_offers{"profession":"industriemechaniker"}',
        },
    )


def test_every_table_variable_is_filled_in_both_languages(profiles: dict[str, Any]) -> None:
    from tests.actions.test_domain_responses import RESPONSES, SLOTS, variables_used

    for texts in (DE, EN):
        for first, second in (("koch", "erzieher"), ("erzieher", "industriemechaniker")):
            for utterance in comparison_utterances(
                parse_detail(profiles[first]), parse_detail(profiles[second]), texts
            ):
                for variation in RESPONSES[utterance.response]:
                    assert not variables_used(variation) - SLOTS - set(utterance.variables)
                for value in utterance.variables.values():
                    assert "{" not in str(value)  # every piece was filled in
