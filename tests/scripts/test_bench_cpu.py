"""scripts/bench.py's CPU time per message: a process tree's CPU time from /proc (children
included), and the closed loop's figure per process against a tiny server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from scripts.bench import measure_load, postgres_server_pid, process_tree, process_tree_cpu_s

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"


CHILD = BURN.format(seconds=0.5) + "print('half', flush=True)\n" + BURN.format(seconds=0.5)
PARENT = (
    "import subprocess, sys\n"
    f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}], stdout=subprocess.PIPE, text=True)\n"
    "child.stdout.readline()\n"  # the child has used 0.5 s of CPU
    "print(child.pid, flush=True)\n"
    "child.wait()\n"
)


def test_the_cpu_time_of_a_tree_counts_its_children() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
        tree = process_tree(parent.pid)
        assert tree[0] == parent.pid and child in tree
        whole, of_child = process_tree_cpu_s(parent.pid), process_tree_cpu_s(child)
        assert of_child >= 0.45  # /proc counts in clock ticks
        assert whole >= of_child
    finally:
        parent.wait(timeout=60)


class _Busy(BaseHTTPRequestHandler):
    """Answers like Rasa's REST channel after 20 ms of CPU work."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        exec(BURN.format(seconds=0.02))
        self.answer()

    def answer(self) -> None:
        body = b'[{"recipient_id": "x", "text": "ok"}]'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def busy_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_the_closed_loop_reports_cpu_per_message(busy_server: str) -> None:
    import os

    figures = asyncio.run(measure_load(busy_server, ("a", "b", "c"), 2, "cpu", {"server": os.getpid()}))
    assert figures.messages == 6 and figures.errors == 0
    # this process serves (20 ms of CPU per message) and runs the client
    assert 15 <= figures.cpu_ms_per_msg["server"] <= 400
    assert asyncio.run(measure_load(busy_server, ("a",), 1, "none")).cpu_ms_per_msg == {}


def test_rounds_of_the_closed_loop_are_counted_together(busy_server: str) -> None:
    figures = asyncio.run(measure_load(busy_server, ("a", "b"), 2, "rounds", rounds=3))
    assert (figures.rounds, figures.messages, figures.errors) == (3, 12, 0)
    assert figures.throughput_msg_per_s > 0


class _SlowFirstPlace(_Busy):
    """Answers the conversations of the closed loop's first place slowly, the others at once, and
    notes when each message came and went."""

    seen: ClassVar[list[tuple[str, float, float]]] = []

    def do_POST(self) -> None:
        came = time.perf_counter()
        sender = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["sender"]
        time.sleep(0.3 if sender.endswith("-0") else 0.01)
        self.seen.append((sender, came, time.perf_counter()))  # before the client has its answer
        self.answer()


@pytest.mark.parametrize("synchronized", [False, True])
def test_each_place_of_the_closed_loop_goes_on_at_its_own_pace(synchronized: bool) -> None:
    """30 conversations at once means 30 open at every moment: a place starts its next conversation
    when its last one has ended, not when the slowest of its round has (the method until session
    13, kept as `synchronized`)."""
    _SlowFirstPlace.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFirstPlace)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        figures = asyncio.run(measure_load(url, ("a", "b"), 3, "loop", rounds=2, synchronized=synchronized))
    finally:
        server.shutdown()
    assert (figures.messages, figures.errors, figures.synchronized) == (12, 0, synchronized)
    slow_first_ends = max(went for sender, _, went in _SlowFirstPlace.seen if sender == "loop-3-r0-0")
    fast_second_starts = min(came for sender, came, _ in _SlowFirstPlace.seen if sender == "loop-3-r1-1")
    assert (fast_second_starts < slow_first_ends) is not synchronized


def test_the_scaled_bench_counts_its_postgresql() -> None:
    """The scaled profile's databases live in a PostgreSQL on this machine: its server and backends
    are counted in the stack's CPU time (they do the tracker store's and the API's queries), also
    the backends of connections closed during the measurement."""
    url = os.environ.get("BERUFSLOTSE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("BERUFSLOTSE_TEST_POSTGRES_URL is not set (make test starts the project's PostgreSQL)")
    server = postgres_server_pid(url)
    assert server is not None
    assert Path(f"/proc/{server}/comm").read_text().strip() == "postgres"
    before = process_tree_cpu_s(server)
    for _ in range(3):  # each connection's backend ends with it
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM generate_series(1, 3000000)"))
        engine.dispose()
    assert process_tree_cpu_s(server) - before >= 0.1


def test_the_server_is_found_when_the_backend_asked_is_gone_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A backend exits when its connection closes; under load (a bench run) it was gone before its
    parent was read, and PostgreSQL went uncounted. Here closing waits until it has exited."""
    url = os.environ.get("BERUFSLOTSE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("BERUFSLOTSE_TEST_POSTGRES_URL is not set (make test starts the project's PostgreSQL)")
    dispose = Engine.dispose

    def dispose_and_wait(engine: Engine, close: bool = True) -> None:
        dispose(engine, close)
        time.sleep(0.3)

    monkeypatch.setattr(Engine, "dispose", dispose_and_wait)
    server = postgres_server_pid(url)
    assert server is not None
    assert Path(f"/proc/{server}/comm").read_text().strip() == "postgres"


def test_a_server_elsewhere_is_not_counted() -> None:
    assert postgres_server_pid("postgresql+psycopg://nobody:x@127.0.0.1:1/none") is None


ENDED_CHILD = (
    "import subprocess, sys, time\n"
    f"subprocess.run([sys.executable, '-c', {BURN.format(seconds=0.6)!r}], check=True)\n"
    "print('done', flush=True)\n"
    "time.sleep(30)\n"
)


def test_the_cpu_time_of_a_tree_keeps_its_ended_children() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ENDED_CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "done"
        assert process_tree(parent.pid) == [parent.pid]  # the child has ended
        assert process_tree_cpu_s(parent.pid) >= 0.5
    finally:
        parent.kill()
        parent.wait()
