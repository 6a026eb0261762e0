"""Who may read the district's statistics, and which pupil a request of the action server is for."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.accounts.dependencies import signed_in
from api.accounts.exceptions import ForbiddenError
from api.accounts.models import Role
from api.auth.exceptions import UnauthorizedError
from api.core.config import SettingsDep
from api.core.db import SessionDep

# The header in which the action server names the conversation a request is made for; honoured
# only together with the service token, and used only to count distinct pupils (keyed hash).
PUPIL_HEADER = "X-Berufslotse-Pupil"
PUPIL_REF_MAX = 200

district_token_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="The admin token, for the district's own tools; in a browser the `district` session",
)
DistrictCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(district_token_scheme)]


def _matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def require_district(
    request: Request, session: SessionDep, settings: SettingsDep, credentials: DistrictCredentials
) -> None:
    """The district's education office: a signed-in `district` account, or the admin token.

    Any other bearer token (a pupil's service token, a company key) is 401; any other role 403;
    nobody signed in 401.
    """
    if credentials is not None:
        if _matches(credentials.credentials.strip(), settings.api_admin_token.get_secret_value()):
            return
        raise UnauthorizedError()
    person = signed_in(request, session, settings, "")
    if person.account.role != Role.DISTRICT.value:
        raise ForbiddenError()


def signal_pupil(request: Request, settings: SettingsDep) -> str | None:
    """The conversation a request of the action server is made for, else None (never an error:
    the public endpoints answer everybody the same)."""
    pupil = request.headers.get(PUPIL_HEADER, "").strip()
    if not pupil or len(pupil) > PUPIL_REF_MAX:
        return None
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not _matches(token.strip(), settings.service_token.get_secret_value()):
        return None
    return pupil


SignalPupilDep = Annotated[str | None, Depends(signal_pupil)]
