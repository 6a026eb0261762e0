"""The real stack (API, action server, Rasa with the trained model) on free ports for the e2e tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from scripts.stack import Stack, StackConfig, running_stack
from scripts.train import train


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def model_path() -> Path:
    given = os.environ.get("BERUFSLOTSE_MODEL")
    return Path(given) if given else train()


@pytest.fixture(scope="session")
def stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = StackConfig(
        api_port=free_port(),
        actions_port=free_port(),
        rasa_port=free_port(),
        web_port=free_port(),
        # the origin of the widget's browser tests when they run against this stack
        extra_cors_origins=(f"http://127.0.0.1:{free_port()}",),
        var_dir=tmp_path_factory.mktemp("stack-var"),
    )
    with running_stack(config, model_path) as running:
        yield running


class Chat:
    """One pupil talking to the REST channel."""

    def __init__(self, rasa_url: str, sender: str) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, text: str) -> list[dict[str, object]]:
        response = httpx.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        replies: list[dict[str, object]] = response.json()
        return replies

    def say_text(self, text: str) -> str:
        return "\n".join(str(reply["text"]) for reply in self.say(text) if "text" in reply)


@pytest.fixture
def chat(stack: Stack, request: pytest.FixtureRequest) -> Chat:
    return Chat(stack.config.rasa_url, sender=f"e2e-{request.node.name}")


@pytest.fixture
def restart_rasa(stack: Stack) -> Callable[[], None]:
    """Restarts only the Rasa server of the running stack (the API and the action server keep
    running); conversations must come back from the SQL tracker store."""

    def restart() -> None:
        stack.restart("rasa")

    return restart
