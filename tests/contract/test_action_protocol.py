"""Rasa 3.6's client code against the current rasa-sdk action server.

The Rasa engine (Python 3.10) and the action server (current rasa-sdk on 3.12) only meet over
HTTP. This test starts the real action server and lets Rasa's own RemoteAction call it from the
engine's environment, so a protocol change on either side fails here.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.stack import RASA_BIN, ROOT, VENV_BIN, Service, wait_until_healthy

DRIVER = Path(__file__).with_name("rasa_remote_action.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("actions") / "actions.log"
    service = Service(
        name="actions",
        command=[str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=log_path,
    )
    # The API is deliberately unreachable: the actions must answer kindly instead of failing.
    env = {
        "SANIC_HOST": "127.0.0.1",
        "BERUFSLOTSE_API_URL": f"http://127.0.0.1:{free_port()}",
        "PATH": "/usr/bin:/bin",
    }
    with open(log_path, "wb") as log:
        service.process = subprocess.Popen(
            service.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_healthy(service, timeout=60)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        service.process.terminate()
        service.process.wait(timeout=20)


def call_from_rasa(
    url: str, action: str, text: str, intent: str, entities: list[dict[str, object]] | None = None
) -> list[dict[str, object]]:
    result = subprocess.run(
        [str(RASA_BIN / "python"), str(DRIVER), url, action, text, intent, json.dumps(entities or [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events: list[dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return events


def test_rasa_runs_a_custom_action_and_applies_its_events(action_server: str) -> None:
    events = call_from_rasa(action_server, "action_switch_language", "english please", "switch_language")
    assert {"event": "slot", "name": "language", "value": "en"}.items() <= next(
        e for e in events if e["event"] == "slot"
    ).items()


def test_a_response_sent_by_an_action_reaches_rasa_as_a_bot_message(action_server: str) -> None:
    entities = [{"entity": "profession", "value": "tischler", "start": 13, "end": 21}]
    events = call_from_rasa(
        action_server, "action_answer_profession", "was macht ein tischler", "ask_profession", entities
    )
    bot_messages = [e for e in events if e["event"] == "bot"]
    assert bot_messages, events
    # The API is unreachable, so the action must say so in words, through a domain response.
    assert bot_messages[0]["metadata"]["utter_action"] == "utter_service_unavailable"  # type: ignore[index]
    assert bot_messages[0]["text"]
