"""Runs inside the Rasa engine's environment (Python 3.10, Rasa 3.6): calls one custom action on
a running action server exactly as Rasa's own RemoteAction does, and prints the resulting events
as JSON. tests/contract/test_action_protocol.py drives it against the current rasa-sdk server.

The action endpoint (URL and the headers with the shared secret) comes from an endpoints file, read
by Rasa's own loader, so the generated var/endpoints.yml is what is tested.

Usage: python rasa_remote_action.py <endpoints.yml> <action name> <user text> <intent> [entities JSON]
       [<calls>]

With <calls>, the action is called that many times through the domain-digest patch of
bot/rasa_patches.py (the domain only when the action server lacks it), and a second line of JSON
says for each HTTP request whether it carried the domain and how the action server answered.
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
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, read_endpoint_config

# each HTTP request to the action server: (carried the domain, HTTP status)
REQUESTS: list[tuple[bool, int]] = []


def record_requests() -> None:
    """Records each request Rasa's own `EndpointConfig.request` sends (below the digest patch)."""
    rasa_request = EndpointConfig.request

    async def request(self: EndpointConfig, *args: object, **kwargs: object) -> object:
        body = kwargs.get("json")
        carried = isinstance(body, dict) and "domain" in body
        try:
            answer = await rasa_request(self, *args, **kwargs)
        except ClientResponseError as error:
            REQUESTS.append((carried, error.status))
            raise
        REQUESTS.append((carried, 200))
        return answer

    EndpointConfig.request = request


async def call(
    endpoints: str, action_name: str, text: str, intent: str, entities: list[dict[str, object]], calls: int
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
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    for _ in range(max(calls, 1)):
        events = await action.run(output, nlg, tracker, domain)
    print(json.dumps([event.as_dict() for event in events]))
    if calls:
        print(json.dumps(REQUESTS))


if __name__ == "__main__":
    entities = json.loads(sys.argv[5]) if len(sys.argv) > 5 else []
    calls = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    if calls:
        sys.path.insert(0, ".")  # the repository root (the test runs this from there)
        from bot import rasa_patches

        record_requests()
        rasa_patches.apply_keepalive()
        rasa_patches.apply_domain_digest()
        assert rasa_patches.domain_digest_applied()
    asyncio.run(call(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], entities, calls))
