"""Who may read the district's statistics, and which pupil a request of the action server is for."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.accounts.dependencies import signed_in
from api.accounts.exceptions import ForbiddenError
from api.accounts.models import Role
from api.auth.exceptions import UnauthorizedError
from api.core.config import Settings, SettingsDep
from api.core.db import SessionDep, session_factory_for
from api.monitoring import signals

logger = logging.getLogger(__name__)

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


def signal_sessions(settings: SettingsDep) -> Callable[[], AbstractContextManager[Session]]:
    """Sessions for recording signals after the response, so the pupil never waits for the write."""
    return session_factory_for(settings.database_url)


SignalSessionsDep = Annotated[Callable[[], AbstractContextManager[Session]], Depends(signal_sessions)]


class SignalRecorder:
    """Records signals in a background task after the response (one session per task).

    Scheduling a signal ends the request's own transaction (call it last): on SQLite an open
    reader would block the background write ("database is locked").
    """

    def __init__(
        self,
        background: BackgroundTasks,
        sessions: Callable[[], AbstractContextManager[Session]],
        settings: Settings,
        request_session: Session,
    ) -> None:
        self._background = background
        self._sessions = sessions
        self._settings = settings
        self._request_session = request_session

    def interest(self, **values: Any) -> None:
        self._schedule(signals.record_interest, values)

    def check(self, **values: Any) -> None:
        self._schedule(signals.record_check, values)

    def _schedule(self, record: Callable[..., None], values: dict[str, Any]) -> None:
        self._request_session.commit()
        self._background.add_task(self._run, record, values)

    def _run(self, record: Callable[..., None], values: dict[str, Any]) -> None:
        try:
            with self._sessions() as session:
                record(session, self._settings, **values)
        except Exception as error:  # a signal must never disturb anything else
            logger.warning("monitoring: signal not recorded (%s)", type(error).__name__)


def signal_recorder(
    background: BackgroundTasks, sessions: SignalSessionsDep, settings: SettingsDep, session: SessionDep
) -> SignalRecorder:
    return SignalRecorder(background, sessions, settings, session)


SignalRecorderDep = Annotated[SignalRecorder, Depends(signal_recorder)]
