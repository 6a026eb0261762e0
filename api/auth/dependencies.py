"""`CompanyDep` (a company's API key) and `require_service` (the action server's token)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from api.auth.exceptions import UnauthorizedError
from api.auth.keys import key_matches, key_prefix
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

CompanyCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(company_key_scheme)]
ServiceCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(service_token_scheme)]


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
    return company


def require_service(settings: SettingsDep, credentials: ServiceCredentials) -> None:
    """Only the action server, with the internal service token, passes."""
    token = credentials.credentials.strip() if credentials else ""
    expected = settings.service_token.get_secret_value()
    if not token or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        raise UnauthorizedError()


CompanyDep = Annotated[Company, Depends(current_company)]
