"""The API calls of sharing (api/share/router.py), on the actions' one client (actions/api_client.py).

All with the service token: the pupil's result as a PDF link, the hand-off's preview, sending what
the pupil confirmed, and withdrawing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from actions.api_client import shared_http_client
from actions.check_api import CheckApi

HANDOFFS = "/api/v1/share/handoffs"


@dataclass(frozen=True)
class ResultLink:
    url: str
    filename: str


@dataclass(frozen=True)
class HandoffPreview:
    recipient: str
    text: str
    digest: str


class SendOutcome(StrEnum):
    SENT = "sent"
    CHANGED = "changed"  # the preview the pupil saw is no longer what would be sent
    NO_RESULT = "no_result"


def _handoff_body(
    pupil_ref: str, language: str, question: str | None, occupations: Sequence[str]
) -> dict[str, Any]:
    return {
        "pupil_ref": pupil_ref,
        "language": language,
        "question": question,
        "occupations": list(occupations),
    }


class ShareApi(CheckApi):
    async def result_link(self, pupil_ref: str, language: str) -> ResultLink | None:
        """A link to the pupil's result as a PDF; None when there is no saved result."""
        payload = await self._call(
            "POST",
            "/api/v1/share/result-links",
            json={"pupil_ref": pupil_ref, "language": language},
            service=True,
            missing_ok=True,
        )
        if payload is None:
            return None
        return self._parsed(
            lambda raw: ResultLink(str(raw["url"]), str(raw["filename"])), payload, "result link"
        )

    async def preview_handoff(
        self, pupil_ref: str, language: str, question: str | None, occupations: Sequence[str]
    ) -> HandoffPreview | None:
        """What would be sent; None without a saved result. An occupation the API does not know
        (422) is left out rather than failing the pupil's request."""
        body = _handoff_body(pupil_ref, language, question, occupations)
        response = await self._send("POST", f"{HANDOFFS}/preview", json=body, service=True)
        if response.status_code == httpx.codes.UNPROCESSABLE_ENTITY and occupations:
            return await self.preview_handoff(pupil_ref, language, question, ())
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        payload = self._json(response)
        return self._parsed(
            lambda raw: HandoffPreview(str(raw["recipient"]), str(raw["text"]), str(raw["digest"])),
            payload,
            "hand-off preview",
        )

    async def send_handoff(
        self, pupil_ref: str, language: str, question: str | None, occupations: Sequence[str], digest: str
    ) -> SendOutcome:
        body = {**_handoff_body(pupil_ref, language, question, occupations), "digest": digest}
        response = await self._send("POST", HANDOFFS, json=body, service=True)
        if response.status_code == httpx.codes.CONFLICT:
            return SendOutcome.CHANGED
        if response.status_code == httpx.codes.NOT_FOUND:
            return SendOutcome.NO_RESULT
        self._json(response)
        return SendOutcome.SENT

    async def withdraw_handoffs(self, pupil_ref: str) -> int:
        payload = await self._call("DELETE", HANDOFFS, params={"pupil_ref": pupil_ref}, service=True)
        return self._parsed(lambda raw: int(raw["withdrawn"]), payload, "withdrawal")


_shared_share_api: ShareApi | None = None


def get_share_api() -> ShareApi:
    global _shared_share_api
    if _shared_share_api is None:
        _shared_share_api = ShareApi(shared_http_client())
    return _shared_share_api
