"""bot.rasa_patches: Rasa's check of action server responses with a validator built once.

The patched check accepts what Rasa accepts and rejects what Rasa rejects, with the same error;
the metaschema check runs once, not per response; an unknown Rasa is left alone with an error in
the log; and a Rasa server started the way scripts/stack.py starts it has the patch.
"""

from __future__ import annotations

import importlib
import logging
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rasa
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches
from scripts.stack import Stack, StackConfig, tracker_store_config

ROOT = Path(__file__).resolve().parents[2]

Validation = Callable[[Any, dict[str, Any]], bool]

# A response like our action server sends: a slot, a follow-up action, a response with buttons.
VALID_RESPONSE: dict[str, Any] = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "language", "value": "en"},
        {"event": "followup", "timestamp": None, "name": "action_listen"},
        {"event": "bot", "timestamp": None, "text": "Hi", "data": {"buttons": []}},
    ],
    "responses": [
        {"text": "Tischler bauen Möbel.", "buttons": [{"title": "Mehr", "payload": "/more"}]},
        {"response": "utter_greet", "language": "de"},
    ],
}

INVALID_RESPONSES: dict[str, Any] = {
    "events not a list": {"events": {"event": "slot"}, "responses": []},
    "event without a type": {"events": [{"name": "language", "value": "en"}], "responses": []},
    "unknown event type": {"events": [{"event": "no_such_event"}], "responses": []},
    "slot event without a name": {"events": [{"event": "slot", "value": "en"}], "responses": []},
    "response not an object": {"events": [], "responses": ["Hallo"]},
    "not an object at all": ["Hallo"],
}


@pytest.fixture
def rasa_validation() -> Validation:
    """Rasa's own `_validate_action_result`, whether or not the patch is already applied in this
    process (importing bot.tracker_store applies it)."""
    current = RemoteAction.__dict__["_validate_action_result"]
    original: Validation = getattr(current, rasa_patches.PATCH_MARKER, current)
    return original


@pytest.fixture
def unpatched(monkeypatch: pytest.MonkeyPatch, rasa_validation: Validation) -> Iterator[None]:
    """RemoteAction as Rasa ships it and an empty validator cache; both restored afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_validation)
    monkeypatch.setattr(rasa_patches, "_validators", {})
    yield


@pytest.fixture
def patched(unpatched: None) -> RemoteAction:
    assert rasa_patches.apply()
    assert rasa_patches.is_applied()
    return RemoteAction("action_switch_language", None)


def test_the_patch_applies_to_the_installed_rasa(unpatched: None) -> None:
    assert rasa.__version__.startswith(rasa_patches.SUPPORTED_RASA)
    assert not rasa_patches.is_applied()
    assert rasa_patches.apply()
    assert rasa_patches.is_applied()
    first = RemoteAction.__dict__["_validate_action_result"]
    assert rasa_patches.apply()  # twice is the same as once
    assert RemoteAction.__dict__["_validate_action_result"] is first


def test_a_valid_response_passes(patched: RemoteAction) -> None:
    assert patched._validate_action_result(VALID_RESPONSE) is True
    assert patched._validate_action_result({}) is True  # Rasa's schema has no required keys


@pytest.mark.parametrize("case", sorted(INVALID_RESPONSES))
def test_an_invalid_response_fails_as_in_rasa(
    case: str, rasa_validation: Validation, patched: RemoteAction
) -> None:
    response = INVALID_RESPONSES[case]
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        rasa_validation(patched, response)
    with pytest.raises(jsonschema.ValidationError) as patched_error:
        patched._validate_action_result(response)

    assert type(patched_error.value) is type(rasa_error.value)
    assert patched_error.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in patched_error.value.message
    assert list(patched_error.value.path) == list(rasa_error.value.path)
    assert patched_error.value.validator == rasa_error.value.validator


def test_the_patched_check_agrees_with_jsonschema_validate(patched: RemoteAction) -> None:
    schema = RemoteAction.action_response_format_spec()
    for response in [VALID_RESPONSE, {}, *INVALID_RESPONSES.values()]:
        try:
            jsonschema.validate(response, schema)
            expected_valid = True
        except jsonschema.ValidationError:
            expected_valid = False
        try:
            patched._validate_action_result(response)
            valid = True
        except jsonschema.ValidationError:
            valid = False
        assert valid == expected_valid, response


def count_schema_checks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Counts calls of the metaschema check of the validator class Rasa's schema gets."""
    validator_class = validator_for(RemoteAction.action_response_format_spec())
    check_schema = validator_class.check_schema
    calls: list[object] = []

    def counting_check_schema(schema: object, *args: Any, **kwargs: Any) -> None:
        calls.append(schema)
        check_schema(schema, *args, **kwargs)

    monkeypatch.setattr(validator_class, "check_schema", counting_check_schema)
    return calls


def test_unpatched_rasa_checks_the_schema_on_every_call(
    monkeypatch: pytest.MonkeyPatch, unpatched: None
) -> None:
    calls = count_schema_checks(monkeypatch)
    action = RemoteAction("action_switch_language", None)
    for _ in range(5):
        action._validate_action_result(VALID_RESPONSE)
    assert len(calls) == 5


def test_the_patch_checks_the_schema_once(monkeypatch: pytest.MonkeyPatch, unpatched: None) -> None:
    calls = count_schema_checks(monkeypatch)
    assert rasa_patches.apply()
    assert len(calls) == 1  # built when the patch is applied, before the first conversation
    for name in ("action_switch_language", "action_check_next_question", "action_search_offers"):
        action = RemoteAction(name, None)
        for _ in range(10):
            action._validate_action_result(VALID_RESPONSE)
    assert len(calls) == 1
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result(INVALID_RESPONSES["event without a type"])
    assert len(calls) == 2  # only an invalid response goes through Rasa's own (checking) path


def test_an_unknown_rasa_version_is_left_alone_with_an_error(
    monkeypatch: pytest.MonkeyPatch, unpatched: None, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with caplog.at_level(logging.ERROR, logger="bot.rasa_patches"):
        assert rasa_patches.apply() is False
    assert not rasa_patches.is_applied()
    assert "Rasa 3.7.0 is not a version this patch was written for" in caplog.text


def test_a_rasa_without_the_function_is_left_alone_with_an_error(
    monkeypatch: pytest.MonkeyPatch, unpatched: None, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delattr(RemoteAction, "_validate_action_result")
    with caplog.at_level(logging.ERROR, logger="bot.rasa_patches"):
        assert rasa_patches.apply() is False
    assert "_validate_action_result" not in RemoteAction.__dict__  # nothing put in its place
    assert "has no RemoteAction._validate_action_result" in caplog.text


def test_a_failure_inside_the_patch_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, unpatched: None, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(schema_function: object) -> object:
        raise RuntimeError("jsonschema changed")

    monkeypatch.setattr(rasa_patches, "response_validator", broken)
    with caplog.at_level(logging.ERROR, logger="bot.rasa_patches"):
        assert rasa_patches.apply() is False
    assert not rasa_patches.is_applied()
    assert "could not patch Rasa" in caplog.text


# --- the patch in a Rasa process started like scripts/stack.py starts it ----------------------


def test_the_module_rasa_loads_from_the_stacks_endpoints_applies_the_patch(
    unpatched: None, tmp_path: Path
) -> None:
    """Rasa imports the tracker store class that the endpoints of scripts/stack.py name; running
    that module (again) applies the patch."""
    module_path, _, class_name = str(tracker_store_config(None, tmp_path)["type"]).rpartition(".")
    assert not rasa_patches.is_applied()
    module = importlib.reload(importlib.import_module(module_path))
    assert hasattr(module, class_name)
    assert rasa_patches.is_applied()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_rasa_run_started_by_the_stack_applies_the_patch(tmp_path: Path) -> None:
    """The rasa command and environment of scripts.stack.Stack, with `--enable-api` added so Rasa
    serves without a trained model (the tracker store is created all the same)."""
    config = StackConfig(var_dir=tmp_path, rasa_port=free_port(), web_port=None)
    stack = Stack(config, tmp_path / "no-model.tar.gz")
    service = next(service for service in stack.planned_services() if service.name == "rasa")
    log_path = tmp_path / "rasa.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*service.command, "--enable-api"],
            cwd=ROOT,
            env=stack.base_env() | service.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Rasa also loads the newest model of models/: slow on a busy machine
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            if "Rasa server is up and running" in log_path.read_text(errors="replace"):
                break
            time.sleep(1)
        log_text = log_path.read_text(errors="replace")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Rasa server is up and running" in log_text, log_text[-3000:]
    assert "rasa_patches: action server responses are validated with a validator built once" in log_text
    assert "rasa_patches: calls to the action server reuse kept-alive connections" in log_text
    assert "rasa_patches: a tracker's applied events are computed once" in log_text
    assert "rasa_patches: event classes are looked up by name once" in log_text
    assert "rasa_patches: model predictions call the traced function directly" in log_text
    assert "rasa_patches: sparse features are combined without scipy's general block code" in log_text
    assert "rasa_patches: rules are matched with their states prepared once" in log_text
    assert "rasa_patches: the policies share the past states of a tracker" in log_text
    assert "rasa_patches: TED and memoization predict only when their prediction can win" in log_text
    assert "rasa_patches: the response selector predicts only for its retrieval intent" in log_text
    assert "rasa_patches: the domain goes to the action server only when it lacks it" in log_text
    assert "rasa_patches: could not" not in log_text
