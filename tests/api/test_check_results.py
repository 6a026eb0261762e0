"""Pseudonymous records of completed checks (service token) and their statistics (admin token),
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from api.check import service
from api.check.models import CheckResult
from api.check.schemas import CheckResultCreate, RiasecScores, Variant
from api.check.sync import CheckBankSnapshot, read_check_bank, sync_check_bank
from api.core.config import Settings
from knowledge import schema

Loader = Callable[..., object]
RESULTS = "/api/v1/check/results"
STATISTICS = "/api/v1/statistics/interests"
SCORES = {"R": 75.0, "I": 50.0, "A": 12.5, "S": 87.5, "E": None, "C": 25.0}


@pytest.fixture(scope="session")
def check_snapshot() -> CheckBankSnapshot:
    return read_check_bank()


@pytest.fixture
def check_bank(session: Session, check_snapshot: CheckBankSnapshot) -> CheckBankSnapshot:
    sync_check_bank(session, check_snapshot)
    return check_snapshot


@pytest.fixture
def places(load: Loader, make_municipality: Callable[..., schema.Municipality]) -> None:
    load(
        municipalities=[
            make_municipality("melle", "Melle", kind="stadt"),
            make_municipality("bramsche", "Bramsche", kind="stadt"),
        ]
    )


@pytest.fixture
def service_auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.service_token.get_secret_value()}"}


@pytest.fixture
def admin_auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.api_admin_token.get_secret_value()}"}


def record(pupil_ref: str = "pupil-1", **overrides: Any) -> dict[str, Any]:
    return {
        "pupil_ref": pupil_ref,
        "variant": "quick",
        "scores": SCORES,
        "certificate": "realschule",
        "municipality": "melle",
        **overrides,
    }


def problem(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{name}"
    return body


# --- the record --------------------------------------------------------------------------------


def test_the_table_holds_no_chat_id_no_text_and_no_time(session: Session) -> None:
    columns = {column["name"] for column in inspect(session.connection()).get_columns("check_results")}
    assert columns == {
        "id",
        "pupil_ref",
        "variant",
        *(f"score_{code}" for code in "riasec"),
        "certificate",
        "municipality",
        "completed_on",
        # The answers (item id -> 1..5, never free text), the radius and the kind looked for.
        "answers",
        "radius_km",
        "looking_for",
    }


@pytest.mark.usefixtures("check_bank", "places")
async def test_save_read_replace_and_delete_a_result(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session
) -> None:
    created = await client.post(RESULTS, json=record(), headers=service_auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["pupil_ref"] == "pupil-1"
    assert body["scores"] == SCORES
    assert body["holland_code"] == "SRI"
    assert [entry["code"] for entry in body["top_types"]] == ["S", "R", "I"]
    assert body["top_types"][0]["explanation"]["de"]
    assert (body["certificate"], body["municipality"], body["variant"]) == ("realschule", "melle", "quick")
    assert date.fromisoformat(body["completed_on"]) in {datetime.now(UTC).date(), service.local_today()}

    read = await client.get(RESULTS, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert read.status_code == 200
    assert read.json() == body

    replaced = await client.post(
        RESULTS,
        json=record(variant="full", scores={**SCORES, "E": 100.0}, municipality=None, certificate=None),
        headers=service_auth,
    )
    assert replaced.status_code == 200
    assert replaced.json()["holland_code"] == "ESR"
    assert replaced.json()["municipality"] is None
    assert session.scalar(select(CheckResult.variant).where(CheckResult.pupil_ref == "pupil-1")) == "full"
    assert len(session.scalars(select(CheckResult)).all()) == 1  # one record per pupil

    deleted = await client.delete(RESULTS, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert deleted.status_code == 200
    assert deleted.json() == {"pupil_ref": "pupil-1", "deleted": 1}
    problem(
        await client.get(RESULTS, params={"pupil_ref": "pupil-1"}, headers=service_auth),
        404,
        "check-result-not-found",
    )
    again = await client.delete(RESULTS, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert again.json()["deleted"] == 0


@pytest.mark.usefixtures("check_bank", "places")
async def test_one_pupil_never_sees_or_deletes_another_pupils_result(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    await client.post(RESULTS, json=record("pupil-a"), headers=service_auth)
    await client.post(RESULTS, json=record("pupil-b", scores={**SCORES, "R": 0.0}), headers=service_auth)
    assert (await client.get(RESULTS, params={"pupil_ref": "pupil-b"}, headers=service_auth)).json()[
        "scores"
    ]["R"] == 0.0
    await client.delete(RESULTS, params={"pupil_ref": "pupil-a"}, headers=service_auth)
    assert (
        await client.get(RESULTS, params={"pupil_ref": "pupil-b"}, headers=service_auth)
    ).status_code == 200


@pytest.mark.usefixtures("check_bank", "places")
@pytest.mark.parametrize(
    "extra",
    [{"chat_id": 12345}, {"name": "Anna"}, {"gender": "female"}, {"message": "ich will Tischlerin werden"}],
)
async def test_nothing_but_the_agreed_fields_is_stored(
    client: httpx.AsyncClient, service_auth: dict[str, str], extra: dict[str, Any], session: Session
) -> None:
    body = problem(
        await client.post(RESULTS, json={**record(), **extra}, headers=service_auth), 422, "invalid-request"
    )
    assert body["errors"][0]["field"] == f"body.{next(iter(extra))}"
    assert session.scalars(select(CheckResult)).all() == []


@pytest.mark.usefixtures("check_bank", "places")
async def test_unknown_codes_and_bad_scores_are_refused(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    body = problem(
        await client.post(RESULTS, json=record(certificate="diplom"), headers=service_auth),
        422,
        "unknown-certificate",
    )
    assert "realschule" in body["allowed"]
    problem(
        await client.post(RESULTS, json=record(municipality="hamburg"), headers=service_auth),
        422,
        "unknown-place",
    )
    problem(
        await client.post(RESULTS, json=record(scores={**SCORES, "R": 120}), headers=service_auth),
        422,
        "invalid-request",
    )
    missing = {code: value for code, value in SCORES.items() if code != "C"}
    problem(
        await client.post(RESULTS, json=record(scores=missing), headers=service_auth), 422, "invalid-request"
    )
    problem(
        await client.post(RESULTS, json=record(scores=dict.fromkeys(SCORES)), headers=service_auth),
        422,
        "scores-missing",
    )
    problem(
        await client.post(RESULTS, json=record(variant="long"), headers=service_auth), 422, "invalid-request"
    )
    problem(
        await client.post(RESULTS, json=record(pupil_ref=""), headers=service_auth), 422, "invalid-request"
    )


@pytest.mark.usefixtures("check_bank", "places")
@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", RESULTS, {"json": record()}),
        ("GET", RESULTS, {"params": {"pupil_ref": "pupil-1"}}),
        ("DELETE", RESULTS, {"params": {"pupil_ref": "pupil-1"}}),
        ("GET", STATISTICS, {}),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": "Bearer "},
    ],
)
async def test_results_and_statistics_need_their_token(
    client: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, Any], headers: dict[str, str]
) -> None:
    response = await client.request(method, path, headers=headers, **kwargs)
    problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.usefixtures("check_bank", "places")
async def test_each_token_opens_only_its_own_door(
    client: httpx.AsyncClient, service_auth: dict[str, str], admin_auth: dict[str, str]
) -> None:
    problem(await client.post(RESULTS, json=record(), headers=admin_auth), 401, "unauthorized")
    problem(await client.get(STATISTICS, headers=service_auth), 401, "unauthorized")
    assert (await client.get(STATISTICS, headers=admin_auth)).status_code == 200


def test_privacy_deletion_can_remove_a_pupils_result(session: Session, check_bank: CheckBankSnapshot) -> None:
    data = CheckResultCreate(pupil_ref="pupil-x", variant=Variant.FULL, scores=RiasecScores(**SCORES))
    result, created = service.save_result(session, data)
    assert created and result.completed_on == service.local_today()
    assert service.delete_pupil_results(session, "pupil-x") == 1
    assert service.delete_pupil_results(session, "pupil-x") == 0
    assert session.scalars(select(CheckResult)).all() == []


def test_the_record_date_is_the_local_day() -> None:
    # 23:30 UTC on 31 December is already New Year's Day in Osnabrück.
    assert service.local_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)


# --- statistics --------------------------------------------------------------------------------


@pytest.mark.usefixtures("check_bank", "places")
async def test_statistics_count_and_average_and_suppress_small_groups(
    client: httpx.AsyncClient, service_auth: dict[str, str], admin_auth: dict[str, str]
) -> None:
    empty = (await client.get(STATISTICS, headers=admin_auth)).json()
    assert empty == {"min_group_size": 5, "total": 0, "suppressed": 0, "groups": []}

    # Melle/realschule: five pupils (shown); Melle/hauptschule: four (suppressed);
    # Bramsche/no certificate given: one (suppressed); not given/realschule: five (shown).
    for number in range(5):
        scores = {"R": 20.0 * number, "I": 50.0, "A": 10.0, "S": 80.0, "E": None, "C": 33.3}
        await client.post(RESULTS, json=record(f"m-r-{number}", scores=scores), headers=service_auth)
    for number in range(4):
        await client.post(
            RESULTS, json=record(f"m-h-{number}", certificate="hauptschule"), headers=service_auth
        )
    await client.post(
        RESULTS, json=record("b-0", municipality="bramsche", certificate=None), headers=service_auth
    )
    for number in range(5):
        await client.post(RESULTS, json=record(f"x-r-{number}", municipality=None), headers=service_auth)

    response = await client.get(STATISTICS, headers=admin_auth)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 15
    assert body["suppressed"] == 5
    assert body["groups"] == [
        {
            "municipality": "melle",
            "certificate": "realschule",
            "count": 5,
            "mean_scores": {"R": 40.0, "I": 50.0, "A": 10.0, "S": 80.0, "E": None, "C": 33.3},
        },
        {"municipality": None, "certificate": "realschule", "count": 5, "mean_scores": SCORES},
    ]
    # One more pupil from Melle with the Hauptschulabschluss makes that group big enough.
    await client.post(RESULTS, json=record("m-h-4", certificate="hauptschule"), headers=service_auth)
    shown = (await client.get(STATISTICS, headers=admin_auth)).json()
    assert [(g["municipality"], g["certificate"], g["count"]) for g in shown["groups"]] == [
        ("melle", "hauptschule", 5),
        ("melle", "realschule", 5),
        (None, "realschule", 5),
    ]
    assert (shown["total"], shown["suppressed"]) == (16, 1)
