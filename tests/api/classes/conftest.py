"""Fixtures of the class tests: the account fixtures (settings, accounts of every role, the app),
class sessions made through the service, and pupils' check results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.accounts.models import Account
from api.check.models import CheckResult
from api.classes import service
from api.classes.models import ClassSession
from api.classes.overview import suggestion_cache
from api.core.config import Settings
from api.core.models import utc_now
from tests.api.accounts.conftest import app, company, make_account, settings  # noqa: F401  (fixtures)

SessionFactory = Callable[..., ClassSession]
ResultFactory = Callable[..., CheckResult]


@pytest.fixture(autouse=True)
def fresh_suggestion_cache() -> None:
    """Tests load different catalogues under the same knowledge hash: rank afresh in each."""
    suggestion_cache.clear()


@pytest.fixture
def service_headers(settings: Settings) -> dict[str, str]:  # noqa: F811  (the imported fixture)
    return {"Authorization": f"Bearer {settings.service_token.get_secret_value()}"}


@pytest.fixture
def make_class(session: Session) -> SessionFactory:
    def make(
        advisor: Account, *, name: str = "9b Berufsorientierung", hours: int = 4, now: datetime | None = None
    ) -> ClassSession:
        data = service.SessionInput(name=name, grade="9", school="Oberschule Bramsche", held_on=date.today())
        return service.create_session(session, advisor.id, data, hours=hours, now=now or utc_now())

    return make


@pytest.fixture
def make_result(session: Session) -> ResultFactory:
    """A saved check result of a pupil (as the action server records it), completed today."""

    def make(pupil_ref: str, completed_on: date | None = None, **scores: Any) -> CheckResult:
        values = {"R": 20.0, "I": 20.0, "A": 20.0, "S": 20.0, "E": 20.0, "C": 20.0, **scores}
        result = CheckResult(
            pupil_ref=pupil_ref,
            variant="quick",
            completed_on=completed_on or date.today(),
            **{f"score_{code.lower()}": value for code, value in values.items()},
        )
        session.add(result)
        session.flush()
        return result

    return make


def join_many(
    session: Session, row: ClassSession, count: int, prefix: str = "pupil", now: datetime | None = None
) -> list[str]:
    refs = [f"{prefix}-{row.id}-{number}" for number in range(count)]
    for ref in refs:
        service.join_session(session, ref, row.code, now or row.created_at)
    return refs


def an_hour_ago() -> datetime:
    return utc_now() - timedelta(hours=1)
