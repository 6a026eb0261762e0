"""Rasa's Redis lock store, with tickets that two Rasa servers cannot hand out twice (runs inside Rasa).

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and changes it by
GET, change, SET. Two servers that take a ticket for the same conversation at the same moment both
read the old value and the later SET wins: both get the same ticket, both handle their message at
once, and Rasa's SQL tracker store keeps only part of the two turns (tests/e2e/test_scaled_drills.py
found a lost message this way). Here every GET-change-SET runs under a short Redis mutex (SET NX
with an expiry, redis-py's `Lock`), so ticket handling is one step at a time per conversation.

Configured in endpoints.yml as `type: bot.lock_store.SerialRedisLockStore` with the keys of
`type: redis` (scripts/stack.py writes it).
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.lock import Lock

# a GET and a SET take milliseconds; a server that dies holding the mutex frees it after this
MUTEX_EXPIRY_S = 5.0


class SerialRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa builds a custom lock store from its endpoint config
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: str) -> Lock:
        return self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}",
            timeout=MUTEX_EXPIRY_S,
            blocking_timeout=MUTEX_EXPIRY_S,
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Rasa's cleanup: finish_serving (GET-change-SET), then delete the lock when nobody waits
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
