"""The benchmark's timing hooks in Rasa (bot/rasa_patches.py, bot/stage_timing.py) and the
keep-alive to the action server.

Timings: off unless BERUFSLOTSE_STAGE_TIMINGS is set; when on, a stage writes one line with its
duration and counts, and the wrapped method returns (or raises) exactly what Rasa's returns.
Keep-alive: with the patch, several calls to the action server share one TCP connection; without,
each call opens its own (Rasa as shipped).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.engine.graph import GraphNode
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches, stage_timing
from bot.stage_timing import ENV, StageRecorder, recorder_for

# every attribute apply_stage_timings may replace; restored after each test
WRAPPED = (
    (MessageProcessor, "handle_message"),
    (MessageProcessor, "get_tracker"),
    (MessageProcessor, "save_tracker"),
    (MessageProcessor, "_parse_message_with_graph"),
    (MessageProcessor, "_predict_next_with_tracker"),
    (MessageProcessor, "_run_action"),
    (GraphNode, "__call__"),
    (EndpointConfig, "request"),
    (EndpointConfig, "session"),
)


@pytest.fixture
def restore_rasa(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from rasa.core.actions.action import RemoteAction

    for owner, name in (*WRAPPED, (RemoteAction, "run"), (RemoteAction, "_action_call_format")):
        current = owner.__dict__[name]
        monkeypatch.setattr(owner, name, current)  # put back after the test, whatever it installs
        # Rasa's own function for this test (another test module may have applied the patches)
        for marker in (rasa_patches.TIMING_MARKER, rasa_patches.KEEPALIVE_MARKER):
            current = getattr(current, marker, current)
        setattr(owner, name, current)
    monkeypatch.setattr(stage_timing, "_recorders", {})
    yield


def lines(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in folder.glob("*.jsonl") for line in path.read_text().splitlines()]


def test_timings_are_off_by_default(
    restore_rasa: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert recorder_for("rasa") is None
    assert rasa_patches.apply()
    assert not rasa_patches.stage_timings_applied()
    assert not list(tmp_path.iterdir())


def test_apply_with_the_variable_set_switches_them_on(
    restore_rasa: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    assert rasa_patches.apply()
    assert rasa_patches.stage_timings_applied()
    first = MessageProcessor.__dict__["save_tracker"]
    rasa_patches.apply_stage_timings(recorder_for("rasa"))  # type: ignore[arg-type]
    assert MessageProcessor.__dict__["save_tracker"] is first  # not wrapped twice


def processor_with_store(store: InMemoryTrackerStore) -> MessageProcessor:
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.tracker_store = store

    class Metadata:
        model_id = "model"
        assistant_id = "assistant"

    processor.model_metadata = Metadata()
    return processor


def test_tracker_load_and_save_are_recorded_with_the_event_count(restore_rasa: None, tmp_path: Path) -> None:
    rasa_patches.apply_stage_timings(StageRecorder(tmp_path, "rasa"))
    domain = Domain.empty()
    store = InMemoryTrackerStore(domain)
    processor = processor_with_store(store)
    tracker = DialogueStateTracker.from_events(
        "pupil", [ActionExecuted("action_listen"), UserUttered("hallo", {"name": "greet"})]
    )

    asyncio.run(processor.save_tracker(tracker))
    loaded = asyncio.run(processor.get_tracker("pupil"))

    assert [event.as_dict()["event"] for event in loaded.events] == ["action", "user"]
    recorded = lines(tmp_path)
    assert [line["stage"] for line in recorded] == ["tracker_save", "tracker_load"]
    assert all(line["events"] == 2 and line["ms"] >= 0 for line in recorded)
    # no sender id, no text in the file
    text = next(tmp_path.glob("*.jsonl")).read_text()
    assert "pupil" not in text and "hallo" not in text


def test_a_wrapped_stage_returns_and_raises_like_the_original(tmp_path: Path) -> None:
    recorder = StageRecorder(tmp_path, "rasa")

    async def original(value: int) -> int:
        if value < 0:
            raise ValueError("negative")
        return value * 2

    timed = rasa_patches._timed(original, recorder, lambda value: "stage", is_async=True)
    assert asyncio.run(timed(21)) == 42
    with pytest.raises(ValueError, match="negative"):
        asyncio.run(timed(-1))
    assert [line["stage"] for line in lines(tmp_path)] == ["stage"]  # only the call that returned


# --- keep-alive to the action server ------------------------------------------------------------


async def three_calls_to_an_action_server() -> tuple[list[Any], list[int], list[str]]:
    """Three calls through Rasa's EndpointConfig to a tiny server that answers like an action
    server; returns the answers, each call's client port and its Authorization header."""
    ports: list[int] = []
    headers: list[str] = []

    async def webhook(request: web.Request) -> web.Response:
        ports.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        headers.append(request.headers.get("Authorization", ""))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"Authorization": "Bearer x"})
        answers = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
        kept = endpoint.__dict__.get(rasa_patches.KEEPALIVE_MARKER)
        if kept is not None:
            await kept.close()
    finally:
        await runner.cleanup()
    return answers, ports, headers


def test_rasa_as_shipped_opens_a_connection_per_call(restore_rasa: None) -> None:
    assert not rasa_patches.keepalive_applied()
    answers, ports, _ = asyncio.run(three_calls_to_an_action_server())
    assert answers == [{"events": [], "responses": []}] * 3
    assert len(set(ports)) == 3


def test_with_keepalive_the_calls_share_one_connection(restore_rasa: None) -> None:
    rasa_patches.apply_keepalive()
    assert rasa_patches.keepalive_applied()
    answers, ports, headers = asyncio.run(three_calls_to_an_action_server())
    assert answers == [{"events": [], "responses": []}] * 3
    assert len(ports) == 3 and len(set(ports)) == 1
    assert headers == ["Bearer x"] * 3  # the endpoint's headers, as Rasa sends them


def test_keepalive_can_be_switched_off(restore_rasa: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rasa_patches.KEEPALIVE_ENV, "0")
    monkeypatch.delenv(ENV, raising=False)
    assert rasa_patches.apply()
    assert not rasa_patches.keepalive_applied()
    monkeypatch.delenv(rasa_patches.KEEPALIVE_ENV)
    assert rasa_patches.apply()
    assert rasa_patches.keepalive_applied()
