"""The scaled profile's balancer (scripts/scaled.py's HAProxy configuration, run by Debian's
HAProxy) in front of two tiny servers standing in for Rasa: a message goes to the server with
the fewest messages in hand, so one busy with a long message is not given the next ones."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from scripts.scaled import HAPROXY, ScaledConfig, haproxy_config
from scripts.stack import StackConfig


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server(ThreadingHTTPServer):
    name = ""
    holding = threading.Event()  # set while a server holds a long message
    release = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    """Answers the health check; a message "long" is held until released, any other at once."""

    server: _Server

    def do_GET(self) -> None:
        self._answer(b"ok")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if body == b"long":
            type(self.server).holding.set()
            type(self.server).release.wait(20)
        self._answer(self.server.name.encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[str]:
    if shutil.which(HAPROXY) is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("HAProxy must be installed on CI (scripts/system_packages.sh)", pytrace=False)
        pytest.skip("HAProxy is not installed (scripts/system_packages.sh)")
    _Server.holding.clear()
    _Server.release.clear()
    servers = []
    for name in ("rasa-1", "rasa-2"):
        server = _Server(("127.0.0.1", 0), _Handler)
        server.name = name
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    config = ScaledConfig(
        stack=StackConfig(
            api_port=free_port(), actions_port=free_port(), rasa_port=free_port(), web_port=None
        ),
        rasa_ports=tuple(server.server_address[1] for server in servers),
    )
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config(config))
    process = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = config.balancer_url
        deadline = time.monotonic() + 20
        while True:  # both servers up: the health checks (every second, two to rise) have passed
            try:
                answered = {httpx.post(url, content=b"quick", timeout=5).text for _ in range(4)}
            except httpx.HTTPError:
                answered = set()
            if answered == {"rasa-1", "rasa-2"}:
                break
            assert time.monotonic() < deadline, "the balancer did not take both servers in"
            time.sleep(0.2)
        yield url
    finally:
        _Server.release.set()
        process.terminate()
        process.wait(timeout=10)
        for server in servers:
            server.shutdown()
            server.server_close()


def test_a_server_busy_with_a_long_message_is_not_given_the_next_ones(balancer: str) -> None:
    long_answer: list[str] = []
    long = threading.Thread(
        target=lambda: long_answer.append(httpx.post(balancer, content=b"long", timeout=30).text)
    )
    long.start()
    try:
        assert _Server.holding.wait(10)
        # round robin would send every second one of these to the busy server
        quick = [httpx.post(balancer, content=b"quick", timeout=5).text for _ in range(6)]
    finally:
        _Server.release.set()
        long.join(30)
    assert len(long_answer) == 1
    busy = long_answer[0]
    assert busy in {"rasa-1", "rasa-2"}
    assert quick == [next(name for name in ("rasa-1", "rasa-2") if name != busy)] * 6
