"""Signals are recorded where things happen, hold nothing personal, go with the pupil's deletion
and are folded after their retention."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy import DateTime, Table, inspect, select
from sqlalchemy.orm import Session

from api.accounts import service as accounts
from api.classes import service as classes
from api.core.config import Settings
from api.core.models import utc_now
from api.monitoring import service
from api.monitoring.models import (
    CheckSignal,
    HandoffSignal,
    InterestAggregate,
    InterestSignal,
    InterestSource,
)
from api.monitoring.periods import parse_period
from api.monitoring.signals import contributor_key, purge_signals, record_check, record_interest
from api.monitoring.synthetic import SyntheticPupil, add_population
from api.offers.models import Offer
from tests.api.monitoring.conftest import SERVICE_TOKEN, K, record_population

PUPIL = "web-9f2c1e77aa0b4c1d"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
AS_PUPIL = {**SERVICE, "X-Berufslotse-Pupil": PUPIL}
PERSONAL = {
    "name": "Lena Musterfrau",
    "email": "lena.musterfrau@mail.example",
    "phone": "0541 1234567",
    "message": "Ich heisse Lena und wohne in der Hauptstrasse 5",
}
# Every column the signal tables may have: nothing else may appear without this test changing.
ALLOWED_COLUMNS = {
    "check_signals": {
        "id", "contributor", "month", "variant", "score_r", "score_i", "score_a", "score_s", "score_e",
        "score_c", "certificate", "municipality", "class_session_id", "school_type", "is_demo",
    },
    "interest_signals": {
        "id", "contributor", "month", "source", "profession_slug", "field", "topic", "municipality",
        "offer_kind", "radius_km", "is_demo",
    },
    "handoff_signals": {"id", "month", "is_demo"},
    "interest_aggregates": {"id", "month", "field", "municipality", "contributors", "is_demo"},
}  # fmt: skip
SIGNAL_MODELS = (CheckSignal, InterestSignal, HandoffSignal, InterestAggregate)


async def pupil_does_everything(client: httpx.AsyncClient, offer: Offer) -> None:
    """One pupil's conversation as the action server sends it to the API."""
    check = {
        "pupil_ref": PUPIL,
        "variant": "quick",
        "scores": {"R": 83.3, "I": 12.5, "A": 50.0, "S": 66.7, "E": None, "C": 4.9},
        "certificate": "realschule",
        "municipality": "bersenbrueck",
    }
    assert (await client.post("/api/v1/check/results", json=check, headers=SERVICE)).status_code == 201
    search: dict[str, str | int] = {
        "profession": "beruf-im-feld-2",
        "near": "Melle",
        "radius_km": 20,
        "kind": "apprenticeship",
    }
    assert (await client.get("/api/v1/offers", params=search, headers=AS_PUPIL)).status_code == 200
    assert (await client.get("/api/v1/professions/beruf-im-feld-3", headers=AS_PUPIL)).status_code == 200
    request = {
        "offer_id": offer.id,
        "pupil_ref": PUPIL,
        "consent_text": "Ja, gib meine Daten weiter.",
        **PERSONAL,
    }
    response = await client.post("/api/v1/contact-requests", json=request, headers=SERVICE)
    assert response.status_code == 201, response.text
    assert (await client.post("/api/v1/signals/handoffs", headers=SERVICE)).status_code == 201


async def test_signals_are_recorded_where_things_happen(
    client: httpx.AsyncClient, session: Session, settings: Settings, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer("2", "melle", places_count=2)
    await pupil_does_everything(client, offer)
    key = contributor_key("test-signal-secret", PUPIL)
    month = date.today().replace(day=1)

    check = session.scalars(select(CheckSignal)).one()
    assert (check.contributor, check.month, check.variant) == (key, month, "quick")
    assert [check.score_r, check.score_i, check.score_a, check.score_s, check.score_e, check.score_c] == [
        80, 10, 50, 70, None, 0,
    ]  # fmt: skip
    assert (check.certificate, check.municipality) == ("realschule", "bersenbrueck")
    interests = {
        row.source: (row.profession_slug, row.field, row.municipality, row.offer_kind, row.radius_km)
        for row in session.scalars(select(InterestSignal))
    }
    assert interests == {
        "offer_search": ("beruf-im-feld-2", "2", "melle", "apprenticeship", 25),
        "lookup": ("beruf-im-feld-3", "3", None, None, None),
        "contact_request": ("beruf-im-feld-2", "2", "melle", "apprenticeship", None),
    }
    assert session.scalars(select(HandoffSignal.month)).all() == [month]


async def test_public_requests_without_the_service_token_record_nothing(
    client: httpx.AsyncClient, session: Session, region: object
) -> None:
    await client.get("/api/v1/offers", params={"profession": "beruf-im-feld-2"})
    await client.get(
        "/api/v1/offers", params={"profession": "beruf-im-feld-2"}, headers={"X-Berufslotse-Pupil": PUPIL}
    )
    wrong = {"Authorization": "Bearer nicht-das-token", "X-Berufslotse-Pupil": PUPIL}
    await client.get("/api/v1/professions/beruf-im-feld-3", headers=wrong)
    await client.get("/api/v1/offers", params={"profession": "beruf-im-feld-2"}, headers=SERVICE)  # no pupil
    assert session.scalars(select(InterestSignal)).all() == []
    assert (await client.post("/api/v1/signals/handoffs")).status_code == 401


async def test_the_same_interest_twice_a_month_is_kept_once_and_a_new_check_replaces(
    client: httpx.AsyncClient, session: Session, settings: Settings, region: object
) -> None:
    for _ in range(3):
        await client.get("/api/v1/professions/beruf-im-feld-3", headers=AS_PUPIL)
    assert len(session.scalars(select(InterestSignal)).all()) == 1
    for score in (10.0, 90.0):
        record_check(
            session, settings, pupil_ref=PUPIL, variant="full", scores={"R": score}, certificate=None,
            municipality=None,
        )  # fmt: skip
    assert session.scalars(select(CheckSignal.score_r)).all() == [90]


async def test_nothing_personal_is_stored_in_the_signal_tables(
    client: httpx.AsyncClient, session: Session, make_offer: Callable[..., Offer]
) -> None:
    await pupil_does_everything(client, make_offer("2", "melle"))
    connection = session.connection()
    inspector = inspect(connection)
    for model in SIGNAL_MODELS:
        table = model.__table__
        assert isinstance(table, Table)
        # the columns: exactly the allowed ones, none of a time of day
        assert {column["name"] for column in inspector.get_columns(table.name)} == ALLOWED_COLUMNS[table.name]
        assert not [column for column in table.columns if isinstance(column.type, DateTime)]
    forbidden = [PUPIL, *PERSONAL.values(), "Lena", "Musterfrau", "Hauptstrasse", "mail.example", "Ja, gib"]
    rows = 0
    for model in SIGNAL_MODELS:
        for row in session.scalars(select(model)):
            rows += 1
            values: dict[str, Any] = {
                column.name: getattr(row, column.key) for column in model.__table__.columns
            }
            for name, value in values.items():
                if isinstance(value, str):
                    assert not any(word.lower() in value.lower() for word in forbidden), (name, value)
                if isinstance(value, date) and not isinstance(value, datetime):
                    assert value.day == 1, name  # the month only
            if "contributor" in values and values["contributor"] is not None:
                assert re.fullmatch(r"[0-9a-f]{64}", values["contributor"])
                assert values["contributor"] != contributor_key("another-secret", PUPIL)
    assert rows == 5  # check, search, lookup, contact request, hand-off


async def test_deleting_the_conversation_deletes_the_pupils_signals(
    client: httpx.AsyncClient, session: Session, settings: Settings, make_offer: Callable[..., Offer]
) -> None:
    await pupil_does_everything(client, make_offer("2", "melle"))
    record_interest(
        session, settings, pupil_ref="web-someone-else", source=InterestSource.LOOKUP,
        profession_slug="beruf-im-feld-5",
    )  # fmt: skip
    response = await client.delete(f"/api/v1/privacy/conversations/{PUPIL}", headers=SERVICE)
    assert response.status_code == 200, response.text
    assert response.json()["deleted"]["signals"] == 4  # the check and three interests
    assert session.scalars(select(CheckSignal)).all() == []
    assert session.scalars(select(InterestSignal.field)).all() == ["5"]
    assert len(session.scalars(select(HandoffSignal)).all()) == 1  # a count, nobody's


def test_the_bulk_writer_builds_the_rows_the_recording_functions_build(
    session: Session, settings: Settings, region: object, population: list[SyntheticPupil]
) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for model in (CheckSignal, InterestSignal):
            columns = [column for column in model.__table__.columns if column.name != "id"]
            rows += sorted(tuple(row) for row in session.execute(select(*columns)).all())
        return rows

    few = population[:5]
    record_population(session, settings, few)
    recorded = snapshot()
    for model in (CheckSignal, InterestSignal):
        session.query(model).delete()
    add_population(session, settings, few)
    assert snapshot() == recorded and len(recorded) == 15


def test_purge_folds_old_interest_into_cells_of_k_and_anonymises_old_checks(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    before = service.interest_supply(session, settings, period=parse_period("2025/26"))
    # Retention 395 days: on 10 December 2026 the months before November 2025 are past it.
    report = purge_signals(session, settings, now=datetime(2026, 12, 10, 12, tzinfo=UTC))
    session.commit()
    old = [pupil for pupil in recorded if pupil.month < date(2025, 11, 1)]
    assert report.interest_rows_folded == 2 * len(old)
    assert report.check_rows_anonymised == len(old)
    assert session.scalar(select(InterestSignal.id).where(InterestSignal.month < date(2025, 11, 1))) is None
    aggregates = session.scalars(select(InterestAggregate)).all()
    assert aggregates and min(row.contributors for row in aggregates) >= K
    assert len(aggregates) == report.aggregate_cells_kept
    old_checks = session.scalars(select(CheckSignal).where(CheckSignal.month < date(2025, 11, 1))).all()
    assert {(row.contributor, row.class_session_id, row.school_type) for row in old_checks} == {
        (None, None, None)
    }

    # a pupil of those months can no longer be found (nothing individual is left of them)
    from api.monitoring.signals import delete_contributions

    assert delete_contributions(session, settings, old[0].pupil_ref) == 0
    # the statistics still see the folded cells (cells of >= k pupils, so the region keeps most)
    after = service.interest_supply(session, settings, period=parse_period("2025/26"))
    region_before = next(c for c in before.cells if (c.field, c.area) == ("all", "region"))
    region_after = next(c for c in after.cells if (c.field, c.area) == ("all", "region"))
    assert region_after.interested is not None and region_before.interested is not None
    assert region_after.interested <= region_before.interested + 0  # small dropped cells lower it
    assert region_after.interested >= len(recorded) - len(old)


async def test_a_check_in_a_class_carries_the_class_session_never_the_pupil(
    client: httpx.AsyncClient, session: Session, region: object
) -> None:
    """Two pupils finish the check, one of them in a class: the check signals know the class
    session (for the district's view by class), the other's none."""
    advisor = accounts.create_account(session, "lehrerin@schule.example", "advisor", None)
    data = classes.SessionInput(name="9b", grade="9", school="Oberschule Bramsche", held_on=date.today())
    lesson = classes.create_session(session, advisor.id, data, hours=4, now=utc_now())
    joined = await client.post(
        "/api/v1/classes/join", json={"code": lesson.code, "pupil_ref": PUPIL}, headers=SERVICE
    )
    assert joined.status_code in (200, 201), joined.text
    for pupil in (PUPIL, "web-without-class"):
        check = {
            "pupil_ref": pupil,
            "variant": "quick",
            "scores": {"R": 80.0, "I": 10.0, "A": 50.0, "S": 60.0, "E": 20.0, "C": 5.0},
        }
        response = await client.post("/api/v1/check/results", json=check, headers=SERVICE)
        assert response.status_code == 201, response.text
    by_pupil = {row.contributor: row.class_session_id for row in session.scalars(select(CheckSignal))}
    assert by_pupil == {
        contributor_key("test-signal-secret", PUPIL): lesson.id,
        contributor_key("test-signal-secret", "web-without-class"): None,
    }
