"""Deleting a pupil's data through the API: DELETE {api_url}/api/v1/privacy/conversations/{sender_id}.

The API removes the conversation from Rasa's tracker store and the pupil's records. The bridge only
needs to know how it went, to tell the pupil the truth: deleted, nothing stored, or not possible now.
"""

from __future__ import annotations

import logging
import ssl
from enum import Enum
from urllib.parse import quote

import httpx

logger = logging.getLogger(__name__)

DELETE_CONVERSATION_PATH = "/api/v1/privacy/conversations/{sender_id}"
PROBLEM_JSON = "application/problem+json"


class DeletionOutcome(Enum):
    DELETED = "deleted"
    NOTHING_STORED = "nothing_stored"
    FAILED = "failed"


class PrivacyClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=timeout_seconds, transport=transport, verify=verify
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def delete_conversation(self, sender_id: str) -> DeletionOutcome:
        path = DELETE_CONVERSATION_PATH.format(sender_id=quote(sender_id, safe=""))
        try:
            response = await self._client.delete(path)
        except httpx.HTTPError as exc:
            logger.warning("Deleting a conversation failed: API not reachable (%s)", type(exc).__name__)
            return DeletionOutcome.FAILED
        if response.is_success:
            return DeletionOutcome.DELETED
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        # The API answers "unknown conversation" as problem+json. A bare 404 means the route itself
        # is missing (an API without the privacy endpoint): then nothing was deleted.
        if response.status_code == httpx.codes.NOT_FOUND and content_type == PROBLEM_JSON:
            return DeletionOutcome.NOTHING_STORED
        logger.warning("Deleting a conversation failed: API answered HTTP %d", response.status_code)
        return DeletionOutcome.FAILED
