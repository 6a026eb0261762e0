"""The lock store two Rasa servers share (bot/lock_store.py) against a real Redis
(scripts/services/redis.sh on a free port, in a folder of its own; stopped afterwards)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import SerialRedisLockStore

REDIS_SH = Path(__file__).resolve().parents[2] / "scripts" / "services" / "redis.sh"
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server (make system)")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(
        os.environ,
        BERUFSLOTSE_REDIS_DIR=str(tmp_path_factory.mktemp("redis")),
        BERUFSLOTSE_REDIS_PORT=str(port),
    )
    done = subprocess.run(
        ["bash", str(REDIS_SH), "start"], env=env, check=True, capture_output=True, text=True
    )
    try:
        yield done.stdout.strip()
    finally:
        subprocess.run(["bash", str(REDIS_SH), "stop"], env=env, check=True, capture_output=True)


def endpoint(url: str) -> EndpointConfig:
    parts = urlsplit(url)
    return EndpointConfig(
        url=parts.hostname,
        type="bot.lock_store.SerialRedisLockStore",
        port=parts.port,
        db=0,
        password=parts.password,
        key_prefix="tests",
    )


def tickets_from_two_servers(stores: list[RedisLockStore], conversation: str, count: int) -> list[int]:
    """`count` messages of one conversation arrive at the same moment, half on each server."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda n: stores[n % 2].issue_ticket(conversation), range(count)))


def test_rasa_builds_it_from_the_endpoint_config(redis_url: str) -> None:
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))
    assert store.key_prefix.startswith("tests:")
    ticket = store.issue_ticket("conversation-a")
    assert store.get_lock("conversation-a") is not None
    store.cleanup("conversation-a", ticket)
    assert store.get_lock("conversation-a") is None


def test_two_servers_never_get_the_same_ticket(redis_url: str) -> None:
    stores: list[RedisLockStore] = [
        SerialRedisLockStore(endpoint_config=endpoint(redis_url)) for _ in range(2)
    ]
    for round_ in range(5):
        tickets = tickets_from_two_servers(stores, f"conversation-{round_}", 16)
        assert sorted(tickets) == list(range(16)), tickets
