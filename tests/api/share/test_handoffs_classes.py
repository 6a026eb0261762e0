"""A pupil in a class sends to that class's advisor: only that advisor reads it; it ends with the
class (a set time after the class ended, or when the class is deleted); the class overview PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Account
from api.classes import service as class_service
from api.classes.models import ClassMember, ClassSession
from api.core.config import Settings
from api.monitoring.models import HandoffSignal
from api.share import service
from api.share.models import Handoff, RegionAdviser
from tests.api.accounts.support import HTML, AccountFactory, sign_in

PREVIEW = "/api/v1/share/handoffs/preview"
HANDOFFS = "/api/v1/share/handoffs"


@pytest.fixture(autouse=True)
def pupil_result(save_result: Any) -> Any:
    return save_result("pupil-1")


@pytest.fixture
def teacher(make_account: AccountFactory) -> Account:
    return make_account("advisor", email="lehrerin@oberschule.example")


def make_class(
    session: Session, advisor: Account, *, ends_in: timedelta, name: str = "9b BO"
) -> ClassSession:
    now = datetime.now(UTC)
    row = ClassSession(
        advisor_id=advisor.id,
        name=name,
        grade="9",
        school="Oberschule Bramsche",
        held_on=date.today(),
        code=f"K{advisor.id:05d}"[:6],
        created_at=now - timedelta(hours=1),
        ends_at=now + ends_in,
    )
    session.add(row)
    session.flush()
    return row


def join(session: Session, row: ClassSession, pupil_ref: str = "pupil-1") -> None:
    session.add(ClassMember(session_id=row.id, pupil_ref=pupil_ref))
    session.flush()


async def send(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    shown = (await client.post(PREVIEW, json={"pupil_ref": "pupil-1", **body}, headers=auth)).json()
    sent = await client.post(
        HANDOFFS, json={"pupil_ref": "pupil-1", **body, "digest": shown["digest"]}, headers=auth
    )
    assert sent.status_code == 201, sent.text
    return dict(shown)


async def test_a_class_member_sends_to_the_class_advisor_only(
    client: httpx.AsyncClient,
    service_auth: dict[str, str],
    session: Session,
    teacher: Account,
    make_account: AccountFactory,
) -> None:
    row = make_class(session, teacher, ends_in=timedelta(hours=1))
    join(session, row)
    other_teacher = make_account("advisor", email="kollege@oberschule.example")
    region = make_account("advisor", email="region@jba.example")
    session.add(RegionAdviser(account_id=region.id))
    session.flush()

    shown = await send(client, service_auth, question="Darf ich ein zweites Praktikum machen?")
    assert shown["recipient"] == "class"
    assert shown["lines"][0] == "An: deine Lehrkraft der Klasse „9b BO“"
    stored = session.scalars(select(Handoff)).one()
    assert (stored.advisor_id, stored.class_session_id) == (teacher.id, row.id)
    # the district's monitoring counts the hand-off: a month, nothing of its content or sender
    assert [signal.month for signal in session.scalars(select(HandoffSignal))] == [
        date.today().replace(day=1)
    ]
    # kept until a set time after the class ends, which comes before the general retention
    assert stored.expires_at == row.end_time() + timedelta(days=Settings().handoff_after_class_days)

    await sign_in(client, teacher.email)
    page = await client.get("/advisor/inbox", headers=HTML)
    assert "Darf ich ein zweites Praktikum machen?" in page.text
    assert "Aus der Klasse „9b BO“" in page.text
    for outsider in (other_teacher, region):
        await sign_in(client, outsider.email)
        page = await client.get("/advisor/inbox", headers=HTML)
        assert "Darf ich ein zweites Praktikum machen?" not in page.text


async def test_a_class_that_ended_long_ago_leaves_the_region(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, teacher: Account
) -> None:
    row = make_class(session, teacher, ends_in=-timedelta(days=30))
    join(session, row)
    shown = await send(client, service_auth)
    assert shown["recipient"] == "region"


async def test_deleting_the_class_deletes_its_hand_offs(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, teacher: Account
) -> None:
    row = make_class(session, teacher, ends_in=timedelta(hours=1))
    join(session, row)
    await send(client, service_auth)
    class_service.delete_session(session, row)
    assert session.scalars(select(Handoff)).all() == []


async def test_hand_offs_of_a_vanished_class_are_purged(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, teacher: Account
) -> None:
    row = make_class(session, teacher, ends_in=timedelta(hours=1))
    join(session, row)
    await send(client, service_auth)
    session.scalars(select(Handoff)).one().class_session_id = row.id + 1000  # as if deleted by hand
    session.flush()
    assert service.purge_handoffs(session) == 1


async def test_the_class_overview_pdf_is_the_advisors_own(
    client: httpx.AsyncClient, session: Session, teacher: Account, make_account: AccountFactory
) -> None:
    row = make_class(session, teacher, ends_in=timedelta(hours=1), name="8a Berufsorientierung")
    for number in range(3):
        join(session, row, f"pupil-x{number}")
    await sign_in(client, teacher.email)
    response = await client.get(f"/advisor/classes/{row.id}/overview.pdf", headers=HTML)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Klassenübersicht: 8a Berufsorientierung" in text
    assert "Noch zu wenige fertige Checks (weniger als 5)" in text
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "de" and "/StructTreeRoot" in root

    other = make_account("advisor", email="fremd@schule.example")
    await sign_in(client, other.email)
    assert (await client.get(f"/advisor/classes/{row.id}/overview.pdf", headers=HTML)).status_code == 404
