"""Runs inside the Rasa engine's environment (Python 3.10, Rasa 3.6): calls one custom action on
a running action server exactly as Rasa's own RemoteAction does, and prints the resulting events
as JSON. tests/contract/test_action_protocol.py drives it against the current rasa-sdk server.

The action endpoint (URL and the headers with the shared secret) comes from an endpoints file, read
by Rasa's own loader, so the generated var/endpoints.yml is what is tested.

Usage: python rasa_remote_action.py <endpoints.yml> <action name> <user text> <intent> [entities JSON]
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.actions.action import RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config


async def call(
    endpoints: str, action_name: str, text: str, intent: str, entities: list[dict[str, object]]
) -> None:
    domain = Domain.load("bot/domain")
    tracker = DialogueStateTracker.from_events(
        "contract-test",
        [UserUttered(text, intent={"name": intent, "confidence": 1.0}, entities=entities)],
        slots=domain.slots,
    )
    output = CollectingOutputChannel()
    endpoint = read_endpoint_config(endpoints, "action_endpoint")
    assert endpoint is not None, f"no action_endpoint in {endpoints}"
    action = RemoteAction(action_name, endpoint)
    events = await action.run(output, TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
    print(json.dumps([event.as_dict() for event in events]))


if __name__ == "__main__":
    entities = json.loads(sys.argv[5]) if len(sys.argv) > 5 else []
    asyncio.run(call(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], entities))
