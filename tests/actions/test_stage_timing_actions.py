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


async def test_a_call_answered_449_for_its_domain_is_not_timed(
    executor: ClassAwareExecutor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """rasa_sdk answers a call without the domain whose digest it does not know with 449 before the
    action runs (bot/rasa_patches.py then sends the call again whole): one action, one line."""
    from rasa_sdk.interfaces import ActionMissingDomainException

    monkeypatch.setenv(ENV, str(tmp_path))
    without_domain = {key: value for key, value in ACTION_CALL.items() if key != "domain"}
    without_domain["domain_digest"] = "d1"
    with pytest.raises(ActionMissingDomainException):
        await executor.run(dict(without_domain))
    assert written(tmp_path) == ""
    await executor.run(dict(without_domain, domain={"responses": {}}))  # sent again whole
    await executor.run(dict(without_domain))  # the kept domain
    lines = [json.loads(row) for row in written(tmp_path).splitlines()]
    assert [line["stage"] for line in lines] == ["action:action_looks_something_up"] * 2


def test_the_action_server_never_answers_449_for_an_action_that_failed() -> None:
    """449 means "send the domain" to Rasa, which then calls again: an error raised while an action
    ran (with whatever status it names) must not say that."""
    from sanic import Sanic

    from actions.server import install_guard

    app = Sanic("guard_449_test")
    install_guard(app, "t" * 32)
    answer_error = app.error_handler.cached_handlers[(Exception, None)]
    assert answer_error is not None

    class Failed(Exception):
        def __init__(self, status_code: int) -> None:
            super().__init__("failed")
            self.status_code = status_code

    class FakeRequest:
        method, path = "POST", "/webhook"

    import asyncio

    for status, answered in ((449, 500), (400, 400), (503, 503), (200, 500)):
        reply = asyncio.run(answer_error(FakeRequest(), Failed(status)))
        assert reply is not None and reply.status == answered
