"""`CompanyDep` (a company's API key), `require_service` (the action server's token) and
`require_privacy_caller` (the service token, or the bridge's token that can only delete)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from api.auth.exceptions import UnauthorizedError
from api.auth.keys import key_matches, key_prefix
from api.companies.exceptions import CompanySuspendedError
from api.companies.models import ApiKey, Company
from api.core.config import SettingsDep
from api.core.db import SessionDep

# auto_error=False: a missing header is answered by UnauthorizedError (problem+json), not FastAPI's 403.
company_key_scheme = HTTPBearer(
    auto_error=False, scheme_name="CompanyKey", description="A company's API key (`blk_...`)"
)
service_token_scheme = HTTPBearer(
    auto_error=False, scheme_name="ServiceToken", description="The action server's internal token"
)
privacy_token_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ServiceOrPrivacyToken",
    description="The action server's token, or the Telegram bridge's token that may only delete",
)

CompanyCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(company_key_scheme)]
ServiceCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(service_token_scheme)]
PrivacyCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(privacy_token_scheme)]


def _token_matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def current_company(session: SessionDep, settings: SettingsDep, credentials: CompanyCredentials) -> Company:
    """The company whose valid, unrevoked key is in the Authorization header; 401 otherwise."""
    key = credentials.credentials.strip() if credentials else ""
    prefix = key_prefix(key)
    if prefix is None:
        raise UnauthorizedError()
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    pepper = settings.api_key_pepper.get_secret_value()
    if row is None or row.revoked_at is not None or not key_matches(key, row.key_hash, pepper):
        raise UnauthorizedError()
    company = session.get(Company, row.company_id)
    if company is None:  # the foreign key cascades; this only guards a hand-edited database
        raise UnauthorizedError()
    if company.suspended_at is not None:
        raise CompanySuspendedError()
    return company


def require_service(settings: SettingsDep, credentials: ServiceCredentials) -> None:
    """Only the action server, with the internal service token, passes."""
    token = credentials.credentials.strip() if credentials else ""
    if not _token_matches(token, settings.service_token.get_secret_value()):
        raise UnauthorizedError()


def require_privacy_caller(settings: SettingsDep, credentials: PrivacyCredentials) -> None:
    """The action server (service token) or the Telegram bridge (privacy token) passes."""
    token = credentials.credentials.strip() if credentials else ""
    if _token_matches(token, settings.service_token.get_secret_value()):
        return
    if settings.privacy_token is not None and _token_matches(
        token, settings.privacy_token.get_secret_value()
    ):
        return
    raise UnauthorizedError()


def require_alert_caller(settings: SettingsDep, credentials: ServiceCredentials) -> None:
    """The action server (service token) or the Telegram bridge (its alert token) passes."""
    token = credentials.credentials.strip() if credentials else ""
    if _token_matches(token, settings.service_token.get_secret_value()):
        return
    if settings.alert_token is not None and _token_matches(token, settings.alert_token.get_secret_value()):
        return
    raise UnauthorizedError()


CompanyDep = Annotated[Company, Depends(current_company)]
