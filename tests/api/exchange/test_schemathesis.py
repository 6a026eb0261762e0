"""schemathesis against the API, every operation, with all of its checks: no server error, every
status code and content type the API sends is in the OpenAPI document, every body matches its
schema. Bounded (a few examples per operation) so that it runs in about a minute."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, checks
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from sqlalchemy.orm import Session

from api.check.sync import read_check_bank, sync_check_bank
from api.companies.models import Company
from api.core.config import Settings
from tests.api.exchange.support import CompanyFactory, OfferFactory, bearer

EXAMPLES_PER_OPERATION = 12
# Not checked: that every schema-valid request is accepted. Filter values (certificate, field,
# training type, kind) are checked against the knowledge base's vocabularies, which change with
# the data, so the document cannot list them; an unknown value is a 422 problem naming the known ones.


@pytest.fixture
def tokens(
    settings: Settings,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
    issue_key: Callable[[Company], str],
) -> dict[str, dict[str, str]]:
    """The bearer token for each security scheme of the document, for a company with one offer."""
    company = make_company()
    make_offer(company)
    return {
        "CompanyKey": bearer(issue_key(company)),
        "ServiceToken": bearer(settings.service_token.get_secret_value()),
        "ServiceOrPrivacyToken": bearer(settings.service_token.get_secret_value()),
        "AdminToken": bearer(settings.api_admin_token.get_secret_value()),
    }


def headers_for(case: Case, tokens: dict[str, dict[str, str]]) -> dict[str, Any]:
    requirements = case.operation.definition.raw.get("security") or []
    for requirement in requirements:
        for scheme in requirement:
            return tokens[scheme]
    return {}


def test_every_operation_keeps_its_contract(
    app: FastAPI, region: object, session: Session, tokens: dict[str, dict[str, str]]
) -> None:
    sync_check_bank(session, read_check_bank())  # the career-choice check's items, as load-knowledge does
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the document itself is valid
        operation = result.ok()
        tested += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: Case) -> None:
            case.call_and_validate(
                headers=headers_for(case, tokens), excluded_checks=[checks.positive_data_acceptance]
            )

        try:
            call()
        except FailureGroup as failure:  # every operation's failures, reported together at the end
            failures.append(f"{operation.label}: {failure}"[:3000])
    assert tested >= 25
    assert not failures, "\n\n".join(failures)
