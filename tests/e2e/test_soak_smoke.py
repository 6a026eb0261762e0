"""A short soak run against the real stack (the bounded version of `make bench`'s soak): ten
conversations over half a minute, each greeting, asking about an occupation and answering the
first items of the check. Not one error, not one silent answer; nothing asserts a time."""

from __future__ import annotations

import asyncio

import pytest

from scripts.soak import soak
from scripts.stack import Stack

pytestmark = pytest.mark.e2e

CONVERSATIONS = 10
MESSAGES_PER_CONVERSATION = 11


def test_ten_conversations_in_half_a_minute(stack: Stack) -> None:
    pids = {
        service.name: service.process.pid
        for service in stack.services
        if service.process is not None and service.name in ("api", "actions", "rasa")
    }
    report = asyncio.run(
        soak(
            stack.config.rasa_url,
            pids,
            conversations=CONVERSATIONS,
            duration_s=30,
            sample_every_s=2,
            grace_s=120,
            tag="smoke",
        )
    )
    assert report["errors"] == 0, (report["errors_by_kind"], report["errors_by_step"])
    assert report["completed"] == CONVERSATIONS
    assert report["messages"] == CONVERSATIONS * MESSAGES_PER_CONVERSATION
    assert set(report["memory"]) == {"api", "actions", "rasa"}
    assert all(sample["rasa"] > 0 for sample in report["memory_samples"])
