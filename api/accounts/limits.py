"""A small in-process limit on failed sign-ins, per email address and per client address.

Sliding windows of failure times in memory: simple, no database writes on the hot path, and enough
for one API process (several processes would each allow the limit; docs/accounts.md says so). Keys
of unknown email addresses are limited exactly like known ones, so the limit does not tell which
addresses have accounts. Memory is bounded: at most `max_keys` keys are kept, the stalest go first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from api.core.config import Settings

Clock = Callable[[], float]


@dataclass
class SlidingWindow:
    limit: int
    window_seconds: float
    clock: Clock = time.monotonic
    max_keys: int = 50_000
    _events: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _prune(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window_seconds:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def retry_after(self, key: str) -> int | None:
        """Seconds until `key` may try again, or None when it may now."""
        with self._lock:
            now = self.clock()
            events = self._prune(key, now)
            if events is None or len(events) < self.limit:
                return None
            # the oldest failure that keeps the key at its limit must leave the window
            oldest = events[len(events) - self.limit]
            return max(1, math.ceil(oldest + self.window_seconds - now))

    def record(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            events = self._prune(key, now) or deque()
            events.append(now)
            while len(events) > self.limit:  # older entries no longer change the answer
                events.popleft()
            self._events[key] = events
            self._events.move_to_end(key)
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class LoginLimiter:
    """Failed sign-ins per email address and per client address."""

    def __init__(self, per_account: SlidingWindow, per_address: SlidingWindow) -> None:
        self.per_account = per_account
        self.per_address = per_address

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.monotonic) -> LoginLimiter:
        window = settings.login_window_seconds
        return cls(
            SlidingWindow(settings.login_failures_per_account, window, clock),
            SlidingWindow(settings.login_failures_per_address, window, clock),
        )

    def retry_after(self, email: str, address: str) -> int | None:
        waits = [
            wait
            for wait in (self.per_account.retry_after(email), self.per_address.retry_after(address))
            if wait is not None
        ]
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        self.per_account.record(email)
        self.per_address.record(address)

    def succeeded(self, email: str) -> None:
        self.per_account.reset(email)
