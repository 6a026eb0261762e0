"""`make run`'s supervisor as a pupil-facing developer uses it: it starts everything, says where to
talk, and Ctrl-C stops every process it started (nothing keeps listening). A second start reuses
the trained model instead of training again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scripts.stack import ROOT, Stack

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_supervisor(tmp_path: Path, ports: dict[str, int]) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        BERUFSLOTSE_VAR_DIR=str(tmp_path / "var"),
        BERUFSLOTSE_API_PORT=str(ports["api"]),
        BERUFSLOTSE_ACTIONS_PORT=str(ports["actions"]),
        BERUFSLOTSE_RASA_PORT=str(ports["rasa"]),
        BERUFSLOTSE_WEB_PORT=str(ports["web"]),
        BERUFSLOTSE_DEMO_DATA="0",
    )
    env.pop("BERUFSLOTSE_DATABASE_URL", None)
    env.pop("BERUFSLOTSE_TELEGRAM_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.stack", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not printed; output:\n{''.join(lines)[-4000:]}")


def test_the_supervisor_starts_everything_and_ctrl_c_stops_it_all(stack: Stack, tmp_path: Path) -> None:
    # `stack` (the session's stack) guarantees that the model is trained already.
    ports = {name: free_port() for name in ("api", "actions", "rasa", "web")}
    process = start_supervisor(tmp_path, ports)
    try:
        lines = wait_for_line(process, "Press Ctrl-C", timeout=300)
        printed = "".join(lines)
        assert "model is up to date" in printed  # no second training
        assert "make shell" in printed and f"{ports['rasa']}/webhooks/rest/webhook" in printed
        reply = httpx.post(
            f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook",
            json={"sender": "make-run-test", "message": "hallo"},
            timeout=60,
        )
        assert reply.status_code == 200 and reply.json()
        assert all(is_listening(port) for port in ports.values())

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert not any(is_listening(port) for port in ports.values())
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
