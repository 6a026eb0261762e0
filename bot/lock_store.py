"""Rasa's Redis lock store, with each step of the ticket lock done by Redis in one call (runs inside Rasa).

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and changes it by
GET, change, SET. Two servers that take a ticket for the same conversation at the same moment both
read the old value and the later SET wins: both get the same ticket, both handle their message at
once, and Rasa's SQL tracker store keeps only part of the two turns (tests/e2e/test_scaled_drills.py
found a lost message this way).

Here each step of Rasa's ticket lock (take a ticket; see whether it is served; give it back and
delete the lock when nobody waits) is one Lua script that Redis runs as a whole, so no other server
can come between its read and its write. A message costs three calls to Redis (Rasa's store with a
mutex around each GET-change-SET made about eleven), and a message's turn awaits them on
redis-py's asyncio client instead of stopping the Rasa server's event loop for each one (a profile
of a scaled Rasa server found a tenth of its samples in the synchronous client).

The stored value stays the JSON of Rasa's `TicketLock` and the rules stay Rasa's: tickets numbered
from the last one issued, expired tickets dropped whenever the lock is read for a step, the first
ticket is served, a lock whose tickets are all gone is deleted. Rasa's synchronous methods
(`issue_ticket`, `update_lock`, `cleanup`, `get_lock`) work on the same value with the same scripts.
Three things differ from Rasa's store: a waiting turn whose own ticket expired gets Rasa's
LockError instead of waiting on (Rasa's would wait until served as "ticket 0" or for ever, and
could then run beside another turn); the key expires a second after its last ticket (a server that
stops mid-turn leaves nothing behind for good); a failure to give a ticket back after the turn is
logged, not raised (the turn is done; an error could make the channel send the message again).
The turns of one server take their tickets in the order they came, as with Rasa's synchronous
store.

Configured in endpoints.yml as `type: bot.lock_store.SerialRedisLockStore` with the keys of
`type: redis` (scripts/stack.py writes it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import redis.asyncio
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Shared by the scripts: the lock's tickets without the expired ones, and the lock written back
# in the JSON of Rasa's TicketLock (tickets are JSON strings inside it).
_LUA_COMMON = """
local function live_tickets(raw, now)
  local tickets = {}
  for _, text in ipairs(cjson.decode(raw).tickets or {}) do
    local ticket = cjson.decode(text)
    if not (now > ticket.expires) then
      tickets[#tickets + 1] = ticket
    end
  end
  return tickets
end
local function lock_json(conversation_id, tickets)
  local parts = {}
  for i, ticket in ipairs(tickets) do
    local text = string.format('{"number": %d, "expires": %.17g}', ticket.number, ticket.expires)
    parts[i] = cjson.encode(text)
  end
  local tickets_json = '[' .. table.concat(parts, ', ') .. ']'
  return '{"conversation_id": ' .. cjson.encode(conversation_id) .. ', "tickets": ' .. tickets_json .. '}'
end
-- the lock is kept until a second after its last ticket expires: a server that stops while holding
-- or waiting leaves no key behind for good (Rasa's keys stay until a later message of the
-- conversation; Redis here has a fixed memory and evicts nothing)
local function save(key, conversation_id, tickets, now)
  local last = now
  for _, ticket in ipairs(tickets) do
    if ticket.expires > last then last = ticket.expires end
  end
  local ttl = math.ceil((last - now) * 1000) + 1000
  redis.call('SET', key, lock_json(conversation_id, tickets), 'PX', ttl)
end
"""

# KEYS[1] the lock; ARGV conversation id, now, lifetime. Returns the new ticket's number
# (Rasa's TicketLock.issue_ticket: the last ticket's number + 1, 0 when there is none).
_ISSUE = (
    _LUA_COMMON
    + """
local raw = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[2])
local tickets = {}
if raw then tickets = live_tickets(raw, now) end
local number = 0
if #tickets > 0 then number = tickets[#tickets].number + 1 end
tickets[#tickets + 1] = {number = number, expires = now + tonumber(ARGV[3])}
save(KEYS[1], ARGV[1], tickets, now)
return number
"""
)

# KEYS[1] the lock; ARGV conversation id, now, optionally the waiting turn's ticket. Drops expired
# tickets (Rasa's update_lock) and returns the number served now (Rasa's now_serving: the first
# ticket's, 0 when none is left), or -1 when the lock is gone or the waiting turn's ticket is no
# longer in it (it expired: Rasa's waiter would then go on waiting, be served as ticket 0 or never,
# and could end up beside another turn).
_SERVING = (
    _LUA_COMMON
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local now = tonumber(ARGV[2])
local tickets = live_tickets(raw, now)
save(KEYS[1], ARGV[1], tickets, now)
local mine = tonumber(ARGV[3])
if mine then
  local held = false
  for _, ticket in ipairs(tickets) do
    if ticket.number == mine then held = true end
  end
  if not held then return -1 end
end
if #tickets == 0 then return 0 end
return tickets[1].number
"""
)

# KEYS[1] the lock; ARGV conversation id, now, ticket. Rasa's cleanup: the ticket is removed and the
# lock deleted when no ticket is left (nobody waits). Returns the number of tickets left.
_FINISH = (
    _LUA_COMMON
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local done = tonumber(ARGV[3])
local left = {}
for _, ticket in ipairs(live_tickets(raw, tonumber(ARGV[2]))) do
  if ticket.number ~= done then left[#left + 1] = ticket end
end
if #left == 0 then
  redis.call('DEL', KEYS[1])
else
  save(KEYS[1], ARGV[1], left, tonumber(ARGV[2]))
end
return #left
"""
)


class SerialRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa builds a custom lock store from its endpoint config
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._scripts = {name: self.red.register_script(text) for name, text in _SCRIPTS.items()}
        # the asyncio client belongs to one event loop; made on first use in each loop
        self._async: tuple[asyncio.AbstractEventLoop, dict[str, Any]] | None = None
        # per conversation: the turns of this server taking a ticket, one after another in the order
        # they came (asyncio's lock is first come, first served), and how many wait for that
        self._taking: dict[str, tuple[asyncio.Lock, int]] = {}

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    # Rasa's synchronous steps, each one script call

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(
                self._scripts["issue"](
                    keys=[self._key(conversation_id)], args=[conversation_id, time.time(), lock_lifetime]
                )
            )
        except Exception as error:  # as Rasa's issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._scripts["serving"](keys=[self._key(conversation_id)], args=[conversation_id, time.time()])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._scripts["finish"](
            keys=[self._key(conversation_id)], args=[conversation_id, time.time(), ticket_number]
        )

    # the lock a message's turn takes, awaited on the asyncio client

    def _async_scripts(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            kwargs = self.red.connection_pool.connection_kwargs
            client = redis.asyncio.Redis(
                host=kwargs.get("host", "localhost"),
                port=kwargs.get("port", 6379),
                db=kwargs.get("db", 0),
                username=kwargs.get("username"),
                password=kwargs.get("password"),
                socket_timeout=kwargs.get("socket_timeout"),
                ssl=self.red.connection_pool.connection_class is not redis.Connection,
                ssl_certfile=kwargs.get("ssl_certfile"),
                ssl_keyfile=kwargs.get("ssl_keyfile"),
                ssl_ca_certs=kwargs.get("ssl_ca_certs"),
            )
            self._async = (loop, {name: client.register_script(text) for name, text in _SCRIPTS.items()})
        return self._async[1]

    async def _run(self, name: str, conversation_id: str, *args: Any) -> int:
        script = self._async_scripts()[name]
        values = [conversation_id, time.time(), *args]
        return int(await script(keys=[self._key(conversation_id)], args=values))

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's `LockStore.lock`: take a ticket, wait until it is served, give it back."""
        try:
            ticket = await self._take_ticket(conversation_id, lock_lifetime)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # as Rasa's issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        try:
            yield await self._acquire(conversation_id, ticket, wait_time_in_seconds)
        finally:
            try:  # shielded: a cancelled turn still gives its ticket back
                await asyncio.shield(self._run("finish", conversation_id, ticket))
            except (redis.RedisError, OSError) as error:
                # the turn is done (or failed on its own): failing it now could make the channel
                # send the message again; the ticket expires with its lifetime
                logger.warning("Could not give back the ticket of a turn (%s)", type(error).__name__)

    async def _take_ticket(self, conversation_id: str, lock_lifetime: float) -> int:
        """A ticket, taken after those of this server's earlier turns of the conversation (Rasa's
        synchronous store takes them in that order; awaited calls could pass each other)."""
        gate, waiting = self._taking.get(conversation_id) or (asyncio.Lock(), 0)
        self._taking[conversation_id] = (gate, waiting + 1)
        try:
            async with gate:
                return await _unless_cancelled(
                    self._run("issue", conversation_id, lock_lifetime),
                    # a turn cancelled while its ticket is being issued still gives the ticket
                    # back, or the conversation's next message would wait for it to expire
                    lambda number: self._run("finish", conversation_id, number),
                )
        finally:
            gate, waiting = self._taking[conversation_id]
            if waiting == 1:
                del self._taking[conversation_id]
            else:
                self._taking[conversation_id] = (gate, waiting - 1)

    async def _acquire(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            serving = await self._run("serving", conversation_id, ticket)
            if serving < 0:  # the lock or this turn's ticket is gone (expired)
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if serving == ticket:
                return TicketLock(conversation_id)
            await asyncio.sleep(wait_time_in_seconds)


async def _unless_cancelled(step: Awaitable[T], undo: Callable[[T], Awaitable[Any]]) -> T:
    """Await `step`; when the waiting is cancelled, let `step` finish and undo what it did."""
    task = asyncio.ensure_future(step)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:

        def after(done: asyncio.Future[T]) -> None:
            if not done.cancelled() and done.exception() is None:
                undoing = asyncio.ensure_future(undo(done.result()))
                _UNDOING.add(undoing)  # kept until done (the loop holds tasks weakly)
                undoing.add_done_callback(_UNDOING.discard)

        task.add_done_callback(after)
        raise


_UNDOING: set[asyncio.Future[Any]] = set()
_SCRIPTS = {"issue": _ISSUE, "serving": _SERVING, "finish": _FINISH}
