"""Fixtures for sharing: the account fixtures (advisors, a cookie-keeping client, the SMTP sink),
the check's item bank, the test catalogue, and a pupil with a saved result."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.check.models import CheckResult
from api.check.service import local_today
from api.check.sync import CheckBankSnapshot, read_check_bank, sync_check_bank
from api.core.config import Settings
from knowledge import schema
from tests.api.accounts.conftest import app, company, make_account, settings, smtp_sink, with_smtp

__all__ = ["app", "company", "make_account", "settings", "smtp_sink", "with_smtp"]

SCORES = {"R": 20.0, "I": 55.0, "A": 40.0, "S": 90.0, "E": 35.0, "C": 70.0}


@pytest.fixture(scope="session")
def check_snapshot() -> CheckBankSnapshot:
    return read_check_bank()


@pytest.fixture
def check_bank(session: Session, check_snapshot: CheckBankSnapshot) -> CheckBankSnapshot:
    sync_check_bank(session, check_snapshot)
    return check_snapshot


@pytest.fixture
def service_auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.service_token.get_secret_value()}"}


@pytest.fixture
def save_result(
    session: Session, check_bank: CheckBankSnapshot, loaded_catalogue: list[schema.Profession]
) -> Any:
    def save(pupil_ref: str = "pupil-1", scores: dict[str, float | None] | None = None) -> CheckResult:
        values = scores or SCORES
        row = CheckResult(
            pupil_ref=pupil_ref,
            variant="quick",
            **{f"score_{code.lower()}": value for code, value in values.items()},
            certificate="realschule",
            completed_on=local_today(),
        )
        session.add(row)
        session.flush()
        return row

    return save
