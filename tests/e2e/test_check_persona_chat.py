"""One persona of the suite (tests/check_personas/personas.yaml) takes the whole quick check in the
chat, through the REST channel of the real stack, and gets what the API's matching gives for the
same answers: the same five occupations in the same order, each with its own reason, the places
near the pupil, and an "Angebote dazu" button that searches with the check's place, radius and kind.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from scripts.stack import Stack
from tests.e2e.conftest import Chat
from tests.e2e.test_check_pause_resume import payloads, quick_items, tap, texts

pytestmark = pytest.mark.e2e

PERSONAS = Path(__file__).resolve().parents[1] / "check_personas" / "personas.yaml"
PERSONA = "vehicles"
# Not the offer search's default (25 km), so that a lost radius shows.
RADIUS = "10"
PROFESSION_PAYLOAD = re.compile(r'^/ask_profession\{"profession":"([a-z0-9-]+)"\}$')


def persona(name: str) -> dict[str, Any]:
    data = yaml.safe_load(PERSONAS.read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["personas"] if isinstance(data, dict) else data
    return next(entry for entry in entries if entry["id"] == name)


def test_a_persona_takes_the_quick_check_and_gets_the_apis_suggestions(chat: Chat, stack: Stack) -> None:
    pupil = persona(PERSONA)
    items = quick_items(stack)
    place = pupil["municipality"]
    assert place, "the chat persona needs a town"

    replies = chat.say("welcher beruf passt zu mir")
    replies = tap(chat, replies, '"quick"}')
    replies = tap(chat, replies, f'"{pupil["certificate"]}"}}')
    replies = chat.say(place.capitalize())
    replies = tap(chat, replies, f'"{RADIUS}"}}')
    replies = tap(chat, replies, '"apprenticeship"}')
    for item in items:
        replies = tap(chat, replies, f'"{item["id"]}:{pupil["answers"][item["id"]]}"}}')

    shown = [match.group(1) for payload in payloads(replies) if (match := PROFESSION_PAYLOAD.match(payload))]
    expected = httpx.post(
        f"{stack.config.api_url}/api/v1/check/matches",
        json={
            "answers": {item["id"]: pupil["answers"][item["id"]] for item in items},
            "certificate": pupil["certificate"],
            "municipality": place,
            "radius_km": int(RADIUS),
            "looking_for": "apprenticeship",
            "limit": 5,
        },
        timeout=10,
    )
    expected.raise_for_status()
    api_items = expected.json()["items"]
    # The five suggestions in the chat are the API's, in the same order (paths may follow).
    assert shown[:5] == [item["slug"] for item in api_items]
    hits = [slug for slug in shown[:5] if slug in pupil["expected"]]
    assert len(hits) >= 2, (shown, pupil["expected"])

    result = texts(replies)
    # One reason each, from the pupil's own answers, never twice the same.
    reasons = [item["reason"]["de"] for item in api_items if item["reason"]]
    assert len(reasons) == 5 and len(set(reasons)) == 5
    for reason in reasons:
        assert reason in result
    assert "Du hast „" in result
    # Places near the pupil beside a suggestion, where there are any (demo offers are loaded).
    nearby = [item for item in api_items if item["places_nearby"]]
    if nearby:
        assert f"Ausbildungsplätze in deiner Nähe (bis {RADIUS} km): {nearby[0]['places_nearby']}" in result

    # "Angebote dazu" searches with the place, radius and kind of the check.
    offers_button = next(p for p in payloads(replies) if p.startswith("/search_offers") and shown[0] in p)
    assert '"offer_refinement":"check_profile"' in offers_button
    offers = texts(chat.say(offers_button))
    # The kind ("Ausbildung") is always named; the place and the radius where something was found.
    assert "Ausbildung" in offers, offers
    assert f"bis {RADIUS} km um Melle" in offers or "nichts gefunden" in offers, offers
