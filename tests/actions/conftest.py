"""Fixtures for the action tests: trackers built from small dicts, an API behind httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker

from actions.api_client import BerufslotseApi, create_http_client
from tests.actions.support import FakeApi, TrackerFactory

FIXTURES = Path(__file__).parent / "fixtures"
PROFILE_SLUGS = ("koch", "erzieher", "industriemechaniker")


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def profiles() -> dict[str, dict[str, Any]]:
    return {slug: load_fixture(f"{slug}.json") for slug in PROFILE_SLUGS}


@pytest.fixture
def search_results() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = load_fixture("search.json")
    return data


@pytest.fixture
def fake_api(profiles: dict[str, dict[str, Any]], search_results: dict[str, dict[str, Any]]) -> FakeApi:
    return FakeApi(profiles=profiles, search_results=search_results)


@pytest.fixture
async def api(fake_api: FakeApi) -> AsyncIterator[BerufslotseApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake_api.handle))
    async with client:
        yield BerufslotseApi(client)


@pytest.fixture
def make_tracker() -> TrackerFactory:
    def build(
        text: str,
        intent: str,
        entities: Sequence[Mapping[str, Any]] = (),
        slots: Mapping[str, Any] | None = None,
    ) -> Tracker:
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.97},
            "intent_ranking": [{"name": intent, "confidence": 0.97}],
            "entities": [dict(entity) for entity in entities],
        }
        all_slots = {"language": "de", "profession": None, **(slots or {})}
        events = [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": latest_message},
        ]
        return Tracker(
            sender_id="test-user",
            slots=all_slots,
            latest_message=latest_message,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return build
