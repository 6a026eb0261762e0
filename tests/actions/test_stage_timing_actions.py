"""The benchmark's timings in the action server (actions/server.py): off by default; when
BERUFSLOTSE_STAGE_TIMINGS is set, each action writes one line with its time and its API calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import BerufslotseApi, api_call_timer, create_http_client
from actions.server import ClassAwareExecutor
from bot import stage_timing
from bot.stage_timing import ENV


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": [], "total": 0})


class ActionLooksSomethingUp(Action):
    """Two API calls, then an answer."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.api = BerufslotseApi(client, service_token="t")

    def name(self) -> str:
        return "action_looks_something_up"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> list[Any]:
        await self.api.search_professions("tischler")
        await self.api.search_professions("koch")
        dispatcher.utter_message(text="fertig")
        return []


ACTION_CALL: dict[str, Any] = {
    "next_action": "action_looks_something_up",
    "sender_id": "pupil-1",
    "tracker": {"sender_id": "pupil-1", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


def written(folder: Path) -> str:
    [path] = folder.glob("actions-*.jsonl")
    return path.read_text()


@pytest.fixture
async def executor() -> Any:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(answer))
    executor = ClassAwareExecutor()
    executor.register_action(ActionLooksSomethingUp(client))
    yield executor
    await client.aclose()


@pytest.fixture(autouse=True)
def fresh_recorders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stage_timing, "_recorders", {})


async def test_no_timings_by_default(
    executor: ClassAwareExecutor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    result = await executor.run(dict(ACTION_CALL))
    assert result is not None and result.responses[0]["text"] == "fertig"
    assert stage_timing._recorders == {}


async def test_an_action_writes_its_time_and_its_api_calls(
    executor: ClassAwareExecutor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    result = await executor.run(dict(ACTION_CALL))
    assert result is not None and result.responses[0]["text"] == "fertig"  # the answer as without timings
    text = written(tmp_path)
    [line] = [json.loads(row) for row in text.splitlines()]
    assert line["stage"] == "action:action_looks_something_up"
    assert line["api_calls"] == 2
    assert 0 <= line["api_ms"] <= line["ms"]
    assert "pupil-1" not in text


async def test_api_calls_outside_a_timer_are_not_collected() -> None:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(answer))
    api = BerufslotseApi(client, service_token="t")
    with api_call_timer() as durations:
        await api.search_professions("tischler")
    await api.search_professions("koch")  # after the block: not counted
    assert len(durations) == 1
    await client.aclose()
