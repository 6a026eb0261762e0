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
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from scripts.stack import (
    ACTION_SERVER_TOKEN,
    RASA_BIN,
    ROOT,
    VENV_BIN,
    Stack,
    StackConfig,
    wait_until_healthy,
    write_rasa_endpoints,
)

DRIVER = Path(__file__).with_name("rasa_remote_action.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


TOKEN = "contract-test-" + "x" * 24


@dataclass(frozen=True)
class ActionServer:
    webhook: str
    endpoints: Path  # Rasa's endpoints file for it, as scripts/stack.py writes it
    log_path: Path


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    port = free_port()
    var_dir = tmp_path_factory.mktemp("actions")
    log_path = var_dir / "actions.log"
    config = StackConfig(actions_port=port, var_dir=var_dir)
    endpoints = write_rasa_endpoints(config)
    service = next(
        service
        for service in Stack(config, model_path=var_dir).planned_services()
        if service.name == "actions"
    )
    service.log_path = log_path
    # The API is deliberately unreachable: the actions must answer kindly instead of failing.
    env = {
        "SANIC_HOST": "127.0.0.1",
        "BERUFSLOTSE_API_URL": f"http://127.0.0.1:{free_port()}",
        ACTION_SERVER_TOKEN: TOKEN,
        "PATH": "/usr/bin:/bin",
    }
    with open(log_path, "wb") as log:
        service.process = subprocess.Popen(
            service.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_healthy(service, timeout=60)
        yield ActionServer(f"http://127.0.0.1:{port}/webhook", endpoints, log_path)
    finally:
        service.process.terminate()
        service.process.wait(timeout=20)


def run_driver(
    server: ActionServer,
    action: str,
    text: str,
    intent: str,
    entities: list[dict[str, object]] | None,
    token: str,
    calls: int = 0,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(RASA_BIN / "python"),
            str(DRIVER),
            str(server.endpoints),
            action,
            text,
            intent,
            json.dumps(entities or []),
            *([str(calls)] if calls else []),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", ACTION_SERVER_TOKEN: token},
    )


def call_from_rasa(
    server: ActionServer, action: str, text: str, intent: str, entities: list[dict[str, object]] | None = None
) -> list[dict[str, object]]:
    result = run_driver(server, action, text, intent, entities, TOKEN)
    assert result.returncode == 0, result.stderr[-2000:]
    events: list[dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return events


def test_rasa_runs_a_custom_action_and_applies_its_events(action_server: ActionServer) -> None:
    events = call_from_rasa(action_server, "action_switch_language", "english please", "switch_language")
    assert {"event": "slot", "name": "language", "value": "en"}.items() <= next(
        e for e in events if e["event"] == "slot"
    ).items()


def test_a_response_sent_by_an_action_reaches_rasa_as_a_bot_message(action_server: ActionServer) -> None:
    entities = [{"entity": "profession", "value": "tischler", "start": 13, "end": 21}]
    events = call_from_rasa(
        action_server, "action_answer_profession", "was macht ein tischler", "ask_profession", entities
    )
    bot_messages = [e for e in events if e["event"] == "bot"]
    assert bot_messages, events
    # The API is unreachable, so the action must say so in words, through a domain response.
    assert bot_messages[0]["metadata"]["utter_action"] == "utter_service_unavailable"  # type: ignore[index]
    assert bot_messages[0]["text"]


# -- the action server answers only Rasa ---------------------------------------------------------

FORGED_CALL = {
    "next_action": "action_delete_my_data",
    "sender_id": "someone-else",
    "tracker": {"sender_id": "someone-else", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ],
)
def test_a_forged_call_is_refused_before_any_action_runs(
    action_server: ActionServer, headers: dict[str, str]
) -> None:
    answer = httpx.post(action_server.webhook, json=FORGED_CALL, headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthorized"}
    listing = httpx.get(
        action_server.webhook.removesuffix("/webhook") + "/actions", headers=headers, timeout=10
    )
    assert listing.status_code == 401
    assert "someone-else" not in action_server.log_path.read_text()


def test_health_needs_no_token(action_server: ActionServer) -> None:
    answer = httpx.get(action_server.webhook.removesuffix("/webhook") + "/health", timeout=10)
    assert answer.status_code == 200


def test_a_call_with_the_token_reaches_the_action(action_server: ActionServer) -> None:
    call = FORGED_CALL | {"next_action": "no_such_action"}
    answer = httpx.post(
        action_server.webhook, json=call, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert answer.status_code == 404  # past the guard: rasa_sdk looked for the action


def test_rasa_with_the_wrong_secret_cannot_run_an_action(action_server: ActionServer) -> None:
    result = run_driver(
        action_server, "action_switch_language", "english please", "switch_language", None, "y" * 32
    )
    assert result.returncode != 0
    assert "401" in result.stderr or "Failed to execute custom action" in result.stderr


def test_the_server_refuses_to_start_without_a_token() -> None:
    result = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "actions.server",
            "--actions",
            "actions",
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert ACTION_SERVER_TOKEN in result.stderr


def test_a_failing_call_is_answered_and_logged_without_its_content(action_server: ActionServer) -> None:
    secret_words = "Erika Mustermann wohnt in Bramsche"
    call = FORGED_CALL | {"next_action": "action_switch_language", "tracker": secret_words}
    answer = httpx.post(
        action_server.webhook, json=call, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert answer.status_code >= 400
    assert secret_words not in answer.text
    log = action_server.log_path.read_text()
    assert "Handling POST /webhook failed: TypeError" in log
    assert secret_words not in log


# -- the domain only when the action server lacks it (bot/rasa_patches.py, domain digest) -----------


def test_rasa_sends_the_domain_only_when_the_action_server_lacks_it(action_server: ActionServer) -> None:
    """The patch against the real action server: the first call goes without the domain, is answered
    449 (rasa_sdk does not know the digest yet) and is sent again whole; the next calls go without
    the domain, and the action answers as before. A second Rasa process with the same model finds
    the domain kept."""
    entities: list[dict[str, object]] = [
        {"entity": "profession", "value": "tischler", "start": 13, "end": 21}
    ]
    for run in range(2):
        result = run_driver(
            action_server,
            "action_answer_profession",
            "was macht ein tischler",
            "ask_profession",
            entities,
            TOKEN,
            calls=3,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        events_line, requests_line = result.stdout.strip().splitlines()[-2:]
        requests = [tuple(request) for request in json.loads(requests_line)]
        if run == 0:
            assert requests == [(False, 449), (True, 200), (False, 200), (False, 200)]
        else:
            assert requests == [(False, 200)] * 3
        bot_messages = [event for event in json.loads(events_line) if event["event"] == "bot"]
        assert bot_messages[0]["metadata"]["utter_action"] == "utter_service_unavailable"


def test_the_action_server_answers_449_to_a_digest_it_does_not_know(action_server: ActionServer) -> None:
    call = {key: value for key, value in FORGED_CALL.items() if key != "domain"}
    call["domain_digest"] = "0" * 64
    answer = httpx.post(action_server.webhook, json=call, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 449
