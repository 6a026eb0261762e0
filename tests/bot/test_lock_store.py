"""The lock store two Rasa servers share (bot/lock_store.py) against a real Redis
(scripts/services/redis.sh on a free port, in a folder of its own; stopped afterwards)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rasa.core.lock_store import LockError, RedisLockStore
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


def test_each_step_keeps_rasas_rules_and_its_stored_lock(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same steps on Rasa's own RedisLockStore and on this one, on a stopped clock: the same
    ticket numbers, the same stored lock as Rasa's store reads it (conversation, each ticket's number
    and expiry; expired tickets dropped, numbers after the last one)."""
    monkeypatch.setattr(time, "time", lambda: 1_765_000_000.123456)
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

    def step_on(store: RedisLockStore, step: str, value: float) -> tuple[int | None, object]:
        ticket = None
        if step == "issue":
            ticket = store.issue_ticket("same-steps", value)
        elif step == "update":
            store.update_lock("same-steps")
        else:
            store.cleanup("same-steps", int(value))
        lock = RedisLockStore.get_lock(store, "same-steps")  # Rasa reads the stored value
        if lock is None:
            return ticket, None
        return ticket, (lock.conversation_id, [(t.number, t.expires) for t in lock.tickets])

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
        store._scripts = Blocked()  # type: ignore[assignment]
        await one_turn()

    asyncio.run(main())
    stats = admin.info("commandstats")
    assert stats["cmdstat_evalsha"]["calls"] == 3, stats
    assert stats["cmdstat_get"]["calls"] == 3, stats


async def holding_turn(
    store: SerialRedisLockStore, conversation: str
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """A turn that has taken the conversation's lock and keeps it until the event is set."""
    release = asyncio.Event()
    holding = asyncio.Event()

    async def first() -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.005):
            holding.set()
            await release.wait()

    task = asyncio.create_task(first())
    await holding.wait()
    return task, release


def test_a_turn_cancelled_while_waiting_gives_its_ticket_back(redis_url: str) -> None:
    """A waiting turn (looking again every 30 s, so the cancel reaches it asleep: redis-py 4.6 can
    swallow a cancel that arrives during a call) is cancelled; the next turn is served at once."""
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))

    async def main() -> float:
        async def waiting() -> None:
            async with store.lock("cancelled", wait_time_in_seconds=30):
                raise AssertionError("the cancelled turn was served")

        one, release = await holding_turn(store, "cancelled")
        two = asyncio.create_task(waiting())
        for _ in range(500):  # until it holds ticket 1
            lock = store.get_lock("cancelled")
            if lock is not None and [t.number for t in lock.tickets] == [0, 1]:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # past its first look: asleep
        two.cancel()
        done, _ = await asyncio.wait({two}, timeout=5)
        assert done and two.cancelled()
        release.set()
        await one
        started = asyncio.get_running_loop().time()
        async with store.lock("cancelled", wait_time_in_seconds=5):
            pass
        return asyncio.get_running_loop().time() - started

    waited = asyncio.run(asyncio.wait_for(main(), 30))
    assert waited < 5  # served at once: not waiting behind the cancelled turn's ticket
    assert store.get_lock("cancelled") is None


def slowed(store: SerialRedisLockStore, name: str, before_s: float = 0.0, after_s: float = 0.0) -> None:
    """The first call of one of the store's scripts waits before it is sent, or after its answer."""
    scripts = store._async_scripts()
    script = scripts[name]
    calls = []

    async def slow(keys: list[str], args: list[object]) -> object:
        calls.append(1)
        if len(calls) == 1:
            await asyncio.sleep(before_s)
        answer = await script(keys=keys, args=args)
        if len(calls) == 1:
            await asyncio.sleep(after_s)
        return answer

    scripts[name] = slow


def test_turns_of_one_server_are_served_in_the_order_they_came(redis_url: str) -> None:
    """Rasa's synchronous store takes tickets in the order its turns come; awaited calls could pass
    each other (here the first turn's call is slow to be sent)."""
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))
    served: list[int] = []

    async def turn(n: int) -> None:
        async with store.lock("in-order", wait_time_in_seconds=0.005):
            served.append(n)
            await asyncio.sleep(0.001)

    async def main() -> None:
        slowed(store, "issue", before_s=0.05)
        tasks = []
        for n in range(6):
            tasks.append(asyncio.create_task(turn(n)))
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)

    asyncio.run(asyncio.wait_for(main(), 30))
    assert served == list(range(6))
    assert store._taking == {}  # nothing kept per conversation once its turns have their tickets


def test_a_turn_cancelled_while_its_ticket_is_issued_gives_it_back(redis_url: str) -> None:
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))

    async def turn() -> None:
        async with store.lock("cancelled-early"):
            raise AssertionError("the cancelled turn was served")

    async def main() -> None:
        slowed(store, "issue", after_s=0.3)  # Redis has issued it; the answer is slow to arrive
        task = asyncio.create_task(turn())
        for _ in range(1000):  # until Redis has issued it
            if store.get_lock("cancelled-early") is not None:
                break
            await asyncio.sleep(0.005)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        assert done and task.cancelled()
        for _ in range(200):
            if store.get_lock("cancelled-early") is None:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the ticket was kept: {store.get_lock('cancelled-early').tickets}")  # type: ignore[union-attr]

    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_waiting_turn_whose_ticket_expired_fails_instead_of_waiting_on(redis_url: str) -> None:
    """Rasa's waiter would go on waiting and, served as "ticket 0" later, could run beside another
    turn; here it gets Rasa's LockError."""
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))

    async def main() -> None:
        one, release = await holding_turn(store, "expired-waiter")
        with pytest.raises(LockError):
            async with store.lock("expired-waiter", lock_lifetime=0.2, wait_time_in_seconds=0.05):
                raise AssertionError("served beside the first turn")
        release.set()
        await one

    asyncio.run(asyncio.wait_for(main(), 30))
    assert store.get_lock("expired-waiter") is None


def test_a_lock_left_behind_expires_after_its_last_ticket(redis_url: str) -> None:
    store = SerialRedisLockStore(endpoint_config=endpoint(redis_url))
    admin = rasa_store(redis_url, "admin").red
    store.issue_ticket("left-behind", 60)  # a server stopped while holding it
    key = store._key("left-behind")
    assert 60_000 < admin.pttl(key) <= 61_000
    store.issue_ticket("left-behind", 5)
    assert 60_000 < admin.pttl(key) <= 61_000  # the later ticket expires first: the key lasts
    store.issue_ticket("left-behind", 120)
    assert 120_000 < admin.pttl(key) <= 121_000
