"""Open questions (issue 10) against the real stack through the REST channel: exploring by what a
pupil likes and narrowing it, a rule of training, a rule tapped in the search results, a person to
talk to. Expected names come from the API and the knowledge base, not from copies here."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from knowledge.regional.advisers import load_advisers
from knowledge.rules.catalogue import load_rules
from scripts.stack import Stack
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

ASK_PROFESSION = "/ask_profession"


def api(stack: Stack, path: str, **params: Any) -> Any:
    response = httpx.get(f"{stack.config.api_url}{path}", params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def profile_slugs(replies: list[dict[str, object]]) -> list[str]:
    """The occupations the replies offer as buttons (/ask_profession{"profession": slug})."""
    slugs = []
    for reply in replies:
        for button in reply.get("buttons", []):  # type: ignore[attr-defined]
            payload = str(button["payload"])
            if payload.startswith(ASK_PROFESSION + "{"):
                slugs.append(json.loads(payload[len(ASK_PROFESSION) :])["profession"])
    return slugs


def text_of(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply["text"]) for reply in replies if "text" in reply)


def test_exploring_by_topic_lists_fitting_occupations_and_a_follow_up_narrows_them(
    chat: Chat, stack: Stack
) -> None:
    animals = {item["slug"] for item in api(stack, "/api/v1/professions", topic="animals", limit=50)["items"]}
    listed = profile_slugs(chat.say("welche berufe gibt es eigentlich mit tieren"))
    assert listed, "no occupation offered for animals"
    assert set(listed) <= animals

    with_hauptschule = {
        item["slug"]
        for item in api(
            stack, "/api/v1/professions", topic="animals", reachable_with="hauptschule", limit=50
        )["items"]
    }
    narrowed = profile_slugs(chat.say("und welche davon gehen mit hauptschulabschluss"))
    assert narrowed and set(narrowed) <= with_hauptschule

    # a listed occupation, tapped, is answered with its profile
    first = api(stack, f"/api/v1/professions/{narrowed[0]}")
    assert str(first["name"]) in chat.say_text(f'{ASK_PROFESSION}{{"profession":"{narrowed[0]}"}}')


def test_a_topic_near_a_place_lists_occupations_and_the_offers_there(chat: Chat, stack: Stack) -> None:
    animals = {item["slug"] for item in api(stack, "/api/v1/professions", topic="animals", limit=50)["items"]}
    replies = chat.say("berufe mit tieren in der nähe von melle")
    listed = profile_slugs(replies)
    assert listed and set(listed) <= animals
    assert "Melle" in text_of(replies)
    searches = [
        str(button["payload"])
        for reply in replies
        for button in reply.get("buttons", [])  # type: ignore[attr-defined]
        if str(button["payload"]).startswith("/search_offers")
    ]
    for payload in searches:
        assert json.loads(payload[len("/search_offers") :])["place"] == "Melle"
    if searches:
        # a button leads to that occupation's offers near Melle
        slug = json.loads(searches[0][len("/search_offers") :])["profession"]
        offers = api(stack, "/api/v1/offers", profession=slug, near="Melle", radius_km=25)
        assert offers["total"] > 0
        shown = text_of(chat.say(searches[0]))
        assert any(item["title"] in shown for item in offers["items"][:5]), shown


def test_a_rule_of_training_is_answered_with_its_own_text(chat: Chat) -> None:
    probation = load_rules()["probation"]
    reply = chat.say_text("wie lange geht eigentlich die probezeit in der ausbildung")
    assert probation.de.title in reply
    assert probation.de.points[0] in reply


def test_a_rule_tapped_in_the_search_results_gets_the_same_answer(chat: Chat) -> None:
    holidays = load_rules()["holidays"]
    reply = chat.say_text('/rules{"rule":"holidays"}')
    assert holidays.de.title in reply
    assert chat.say_text('/rules{"rule":"no_such_rule"}'), "an unknown rule key gets no answer at all"


def test_asking_for_a_person_names_the_regions_advisers(chat: Chat) -> None:
    reply = chat.say_text("kann ich mit nem echten menschen reden")
    names = [adviser.name.de for adviser in load_advisers().advisers]
    assert sum(name in reply for name in names) >= 2, reply
