"""The lock store two Rasa servers share (bot/lock_store.py) against a real Redis
(scripts/services/redis.sh on a free port, in a folder of its own; stopped afterwards)."""

from __future__ import annotations

import asyncio
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


def rasa_store(redis_url: str, prefix: str) -> RedisLockStore:
    parts = urlsplit(redis_url)
    return RedisLockStore(
        host=parts.hostname, port=parts.port, db=0, password=parts.password, key_prefix=prefix
    )


def test_each_step_keeps_rasas_rules_and_its_stored_lock(redis_url: str) -> None:
    """The same steps on Rasa's own RedisLockStore and on this one: the same ticket numbers, the same
    tickets left, a value Rasa's store reads (expired tickets dropped, numbers after the last one)."""
    ours = SerialRedisLockStore(endpoint_config=endpoint(redis_url))
    rasas = rasa_store(redis_url, "rasa")
    steps: list[tuple[str, float]] = [
        ("issue", 60),
        ("issue", 60),
        ("issue", -1),
        ("update", 0),
        ("issue", 60),
        ("cleanup", 0),
        ("issue", -1),
        ("cleanup", 1),
        ("issue", 60),
        ("cleanup", 3),
        ("cleanup", 4),
        ("issue", 60),
        ("cleanup", 5),
        ("issue", 60),
        ("cleanup", 0),
        ("cleanup", 2),
        ("cleanup", 4),
        ("cleanup", 3),
    ]
    for store in (ours, rasas):
        store.delete_lock("same-steps")

    def step_on(store: RedisLockStore, step: str, value: float) -> tuple[int | None, list[int] | None]:
        ticket = None
        if step == "issue":
            ticket = store.issue_ticket("same-steps", value)
        elif step == "update":
            store.update_lock("same-steps")
        else:
            store.cleanup("same-steps", int(value))
        lock = RedisLockStore.get_lock(store, "same-steps")  # Rasa reads the stored value
        return ticket, ([t.number for t in lock.tickets] if lock else None)

    seen = []
    for step, value in steps:
        seen.append(step_on(ours, step, value))
        assert seen[-1] == step_on(rasas, step, value), (step, value)
    assert seen[-1] == (None, None)  # the last ticket given back deleted the lock


def test_turns_on_two_servers_take_the_lock_one_at_a_time(redis_url: str) -> None:
    stores = [SerialRedisLockStore(endpoint_config=endpoint(redis_url)) for _ in range(2)]
    inside: list[int] = []
    order: list[int] = []

    async def turn(n: int) -> None:
        async with stores[n % 2].lock("busy-class", wait_time_in_seconds=0.005):
            inside.append(n)
            assert len(inside) == 1, inside
            await asyncio.sleep(0.002)
            order.append(n)
            inside.remove(n)

    async def main() -> None:
        tasks = []
        for n in range(24):
            tasks.append(asyncio.create_task(turn(n)))
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert sorted(order) == list(range(24))
    assert stores[0].get_lock("busy-class") is None  # the last turn deleted it


def test_a_turn_awaits_three_calls_and_never_the_blocking_client(redis_url: str) -> None:
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))
    admin = rasa_store(redis_url, "admin").red

    class Blocked:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"a turn used the synchronous client ({name})")

    async def one_turn() -> None:
        async with store.lock("counted"):
            pass

    async def main() -> None:
        await one_turn()  # loads the scripts into Redis
        admin.config_resetstat()
        store.red = Blocked()  # type: ignore[assignment]
        await one_turn()

    asyncio.run(main())
    stats = admin.info("commandstats")
    assert stats["cmdstat_evalsha"]["calls"] == 3, stats
    assert stats["cmdstat_get"]["calls"] == 3, stats


def test_a_turn_cancelled_while_waiting_gives_its_ticket_back(redis_url: str) -> None:
    """A waiting turn (looking again every 30 s, so the cancel reaches it asleep: redis-py 4.6 can
    swallow a cancel that arrives during a call) is cancelled; the next turn is served at once."""
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))

    async def main() -> float:
        release = asyncio.Event()
        holding = asyncio.Event()

        async def first() -> None:
            async with store.lock("cancelled", wait_time_in_seconds=0.005):
                holding.set()
                await release.wait()

        async def waiting() -> None:
            async with store.lock("cancelled", wait_time_in_seconds=30):
                raise AssertionError("the cancelled turn was served")

        one = asyncio.create_task(first())
        await holding.wait()
        two = asyncio.create_task(waiting())
        await asyncio.sleep(0.05)
        assert [t.number for t in store.get_lock("cancelled").tickets] == [0, 1]  # type: ignore[union-attr]
        two.cancel()
        done, _ = await asyncio.wait({two}, timeout=5)
        assert done and two.cancelled()
        release.set()
        await one
        started = asyncio.get_running_loop().time()
        async with store.lock("cancelled", wait_time_in_seconds=5):
            pass
        return asyncio.get_running_loop().time() - started

    waited = asyncio.run(main())
    assert waited < 5  # served at once: not waiting behind the cancelled turn's ticket
    assert store.get_lock("cancelled") is None
