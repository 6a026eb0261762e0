"""The class calls of the actions (service token): join by code, and count what a member asks about.

On top of `BerufslotseApi` (actions/api_client.py): the same transport, retry and error rules. A
code the API does not know is `ClassCodeUnknownError`, one of an ended session
`ClassSessionEndedError`; everything else the pupil should not see as a crash is
`ApiUnavailableError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from actions.api_client import ApiError, ApiUnavailableError, BerufslotseApi, shared_http_client


class ClassCodeUnknownError(ApiError):
    """No class has this code."""


class ClassSessionEndedError(ApiError):
    """The class of this code has ended."""


@dataclass(frozen=True)
class JoinedClass:
    code: str
    name: str


class ClassesApi(BerufslotseApi):
    async def join_class(self, pupil_ref: str, code: str) -> JoinedClass:
        response = await self._send(
            "POST", "/api/v1/classes/join", json={"pupil_ref": pupil_ref, "code": code}, service=True
        )
        if response.status_code == httpx.codes.NOT_FOUND:
            raise ClassCodeUnknownError(code)
        if response.status_code == httpx.codes.GONE:
            raise ClassSessionEndedError(code)
        payload = self._json(response)
        try:
            return JoinedClass(code=str(payload["code"]), name=str(payload["name"]))
        except (KeyError, TypeError) as error:
            raise ApiUnavailableError(f"unexpected class payload: {error!r}") from error

    async def record_class_activity(self, pupil_ref: str, topic: str) -> bool:
        """Count a topic for the pupil's class; False when the pupil is in no active class."""
        response = await self._send(
            "POST", "/api/v1/classes/activity", json={"pupil_ref": pupil_ref, "topic": topic}, service=True
        )
        payload = self._json(response)
        return bool(isinstance(payload, dict) and payload.get("recorded"))


_shared_classes_api: ClassesApi | None = None


def get_classes_api() -> ClassesApi:
    """The action server's class client, on the shared connection pool (created on first use)."""
    global _shared_classes_api
    if _shared_classes_api is None:
        _shared_classes_api = ClassesApi(shared_http_client())
    return _shared_classes_api
