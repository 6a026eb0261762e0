"""The hand-off with consent: preview, send what was confirmed, withdraw; the advisor's inbox
(roles, isolation), the email, privacy deletion and retention. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import Account
from api.core.config import Settings
from api.share import service
from api.share.models import Handoff, Recipient, RegionAdviser
from tests.api.accounts.support import HTML, AccountFactory, page_csrf, sign_in
from tests.api.exchange.support import SmtpSink

PREVIEW = "/api/v1/share/handoffs/preview"
HANDOFFS = "/api/v1/share/handoffs"
QUESTION = "Wie komme ich an ein Praktikum im Krankenhaus?"


@pytest.fixture(autouse=True)
def pupil_result(save_result: Any) -> Any:
    """pupil-1 finished the check (S 90, C 70, I 55: "SCI")."""
    return save_result("pupil-1")


def handoffs(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Handoff)) or 0)


async def preview(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(PREVIEW, json={"pupil_ref": "pupil-1", **body}, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def send(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> httpx.Response:
    shown = await preview(client, auth, **body)
    return await client.post(
        HANDOFFS, json={"pupil_ref": "pupil-1", **body, "digest": shown["digest"]}, headers=auth
    )


@pytest.fixture
def region_adviser(session: Session, make_account: AccountFactory) -> Account:
    account = make_account("advisor", email="region@beratung.example")
    session.add(RegionAdviser(account_id=account.id))
    session.flush()
    return account


async def test_the_preview_shows_exactly_what_is_sent_and_stores_nothing(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session
) -> None:
    shown = await preview(client, service_auth, question=f"  {QUESTION}  ", occupations=["fachinformatiker"])
    assert shown["recipient"] == "region"
    assert shown["lines"][0] == "An: die Berufsberatung in der Region Osnabrück"
    text = shown["text"]
    assert "Deine stärksten Interessen: Sozial" in text
    assert "Fachinformatiker" in text  # asked about
    assert "Medizinische" in text  # suggested (S, C, I fits "SCI")
    assert f"Deine Frage: {QUESTION}" in text
    assert "pupil-1" not in text
    assert handoffs(session) == 0

    english = await preview(client, service_auth, language="en")
    assert english["lines"][0] == "To: the careers advisers in the Osnabrück region"
    assert "Your question: none" in english["text"]
    assert english["digest"] != shown["digest"]


async def test_only_what_the_pupil_confirmed_is_sent(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, save_result: Any
) -> None:
    shown = await preview(client, service_auth, question=QUESTION)
    other_question = await client.post(
        HANDOFFS,
        json={"pupil_ref": "pupil-1", "question": "etwas anderes", "digest": shown["digest"]},
        headers=service_auth,
    )
    assert other_question.status_code == 409
    assert other_question.json()["type"].endswith("/handoff-changed")
    assert handoffs(session) == 0

    sent = await client.post(
        HANDOFFS,
        json={"pupil_ref": "pupil-1", "question": QUESTION, "digest": shown["digest"]},
        headers=service_auth,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipient"] == "region"
    row = session.scalars(select(Handoff)).one()
    assert row.question == QUESTION
    assert row.advisor_id is None
    # codes and slugs, no sentences: names are made when it is shown
    assert set(row.summary) == {"scores", "holland_code", "occupations", "completed_on"}
    assert row.summary["holland_code"] == "SCI"

    listed = await client.get(HANDOFFS, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert [item["id"] for item in listed.json()["items"]] == [row.id]
    assert listed.json()["items"][0]["read"] is False

    # sending again replaces it: one per pupil
    again = await send(client, service_auth)
    assert again.status_code == 201
    assert handoffs(session) == 1


async def test_without_a_result_nothing_can_be_shared(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    response = await client.post(PREVIEW, json={"pupil_ref": "nobody"}, headers=service_auth)
    assert response.status_code == 404
    assert response.json()["type"].endswith("/check-result-not-found")


async def test_the_endpoints_need_the_service_token(client: httpx.AsyncClient) -> None:
    for method, path in (("POST", PREVIEW), ("POST", HANDOFFS), ("GET", HANDOFFS), ("DELETE", HANDOFFS)):
        response = await client.request(
            method,
            path,
            params={"pupil_ref": "pupil-1"},
            json={"pupil_ref": "pupil-1"},
            headers={"Authorization": "Bearer wrong"},
        )
        assert response.status_code == 401, (method, path)


async def test_unknown_occupations_and_extra_fields_are_refused(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    unknown = await client.post(
        PREVIEW, json={"pupil_ref": "pupil-1", "occupations": ["gibt-es-nicht"]}, headers=service_auth
    )
    assert unknown.status_code == 422
    extra = await client.post(PREVIEW, json={"pupil_ref": "pupil-1", "name": "Lena"}, headers=service_auth)
    assert extra.status_code == 422
    long = await client.post(
        PREVIEW, json={"pupil_ref": "pupil-1", "question": "x" * 501}, headers=service_auth
    )
    assert long.status_code == 422


async def test_the_region_adviser_reads_it_and_other_advisors_never_do(
    client: httpx.AsyncClient,
    service_auth: dict[str, str],
    session: Session,
    make_account: AccountFactory,
    region_adviser: Account,
    save_result: Any,
) -> None:
    other = make_account("advisor", email="andere@schule.example")
    class_teacher = make_account("advisor", email="klasse@schule.example")
    assert (await send(client, service_auth, question=QUESTION)).status_code == 201
    # a hand-off to another advisor's class (as the class sessions make them)
    save_result("pupil-2")
    session.add(
        Handoff(
            pupil_ref="pupil-2",
            recipient=Recipient.CLASS,
            advisor_id=class_teacher.id,
            class_session_id=7,
            language="de",
            summary={"scores": {}, "holland_code": "SAE", "occupations": [], "completed_on": "2026-12-01"},
            question="Nur für die Klassenlehrerin",
            expires_at=datetime.now(UTC) + timedelta(days=3),
        )
    )
    session.flush()

    await sign_in(client, region_adviser.email)
    page = await client.get("/advisor/inbox", headers=HTML)
    assert page.status_code == 200
    assert QUESTION in page.text
    assert "Nur für die Klassenlehrerin" not in page.text
    assert "pupil-1" not in page.text
    assert session.scalars(select(Handoff).where(Handoff.pupil_ref == "pupil-1")).one().read_at is not None

    await sign_in(client, other.email)
    page = await client.get("/advisor/inbox", headers=HTML)
    assert page.status_code == 200
    assert QUESTION not in page.text and "Nur für die Klassenlehrerin" not in page.text
    assert 'data-testid="inbox-empty"' in page.text
    # nor can they delete one they cannot see
    ids = {row.pupil_ref: row.id for row in session.scalars(select(Handoff))}
    token = await page_csrf(client, "/advisor/inbox")
    refused = await client.post(
        f"/advisor/inbox/{ids['pupil-1']}/delete", data={"csrf_token": token}, headers=HTML
    )
    assert refused.status_code == 404
    assert handoffs(session) == 2

    await sign_in(client, class_teacher.email)
    page = await client.get("/advisor/inbox", headers=HTML)
    assert "Nur für die Klassenlehrerin" in page.text
    assert QUESTION not in page.text


async def test_only_advisors_open_the_inbox(client: httpx.AsyncClient, make_account: AccountFactory) -> None:
    assert (await client.get("/advisor/inbox")).status_code == 401
    district = make_account("district", email="amt@landkreis.example")
    await sign_in(client, district.email)
    assert (await client.get("/advisor/inbox")).status_code == 403


async def test_withdrawing_removes_it_from_the_inbox(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, region_adviser: Account
) -> None:
    assert (await send(client, service_auth, question=QUESTION)).status_code == 201
    withdrawn = await client.delete(HANDOFFS, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert withdrawn.json() == {"pupil_ref": "pupil-1", "withdrawn": 1}
    assert handoffs(session) == 0
    await sign_in(client, region_adviser.email)
    page = await client.get("/advisor/inbox", headers=HTML)
    assert QUESTION not in page.text
    again = await client.delete(HANDOFFS, params={"pupil_ref": "pupil-1"}, headers=service_auth)
    assert again.json()["withdrawn"] == 0


async def test_the_advisor_deletes_a_message_with_the_csrf_token_only(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, region_adviser: Account
) -> None:
    assert (await send(client, service_auth)).status_code == 201
    handoff_id = session.scalars(select(Handoff.id)).one()
    await sign_in(client, region_adviser.email)
    without = await client.post(f"/advisor/inbox/{handoff_id}/delete", data={}, headers=HTML)
    assert without.status_code == 403
    token = await page_csrf(client, "/advisor/inbox")
    done = await client.post(f"/advisor/inbox/{handoff_id}/delete", data={"csrf_token": token}, headers=HTML)
    assert done.status_code == 303
    assert handoffs(session) == 0
    page = await client.get(done.headers["location"], headers=HTML)
    assert "Die Nachricht wurde gelöscht." in page.text


async def test_the_advisers_get_an_email_without_the_content(
    client: httpx.AsyncClient,
    service_auth: dict[str, str],
    region_adviser: Account,
    make_account: AccountFactory,
    with_smtp: Callable[[], Settings],
    smtp_sink: SmtpSink,
) -> None:
    settings = with_smtp()
    settings.handoff_region_address = "postfach@jba.example"
    make_account("advisor", email="nicht-region@schule.example")
    assert (await send(client, service_auth, question=QUESTION)).status_code == 201
    recipients = sorted(address for envelope in smtp_sink.envelopes for address in envelope.rcpt_tos)
    assert recipients == ["postfach@jba.example", "region@beratung.example"]
    message = smtp_sink.messages[0]
    body = message.get_content()
    assert "https://berufslotse.example/advisor/inbox" in body
    assert QUESTION not in body and "Sozial" not in body


async def test_lösch_meine_daten_removes_the_share(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session
) -> None:
    assert (await send(client, service_auth)).status_code == 201
    response = await client.delete("/api/v1/privacy/conversations/pupil-1", headers=service_auth)
    assert response.status_code == 200
    assert response.json()["deleted"]["handoffs"] == 1
    assert handoffs(session) == 0


async def test_retention_deletes_shares_past_their_time(
    client: httpx.AsyncClient, service_auth: dict[str, str], session: Session, settings: Settings
) -> None:
    assert (await send(client, service_auth)).status_code == 201
    row = session.scalars(select(Handoff)).one()
    kept = row.expires_at - row.created_at
    assert kept == timedelta(days=settings.handoff_retention_days)
    assert service.purge_handoffs(session, now=row.expires_at - timedelta(minutes=1)) == 0
    assert service.pupil_handoffs(session, "pupil-1", now=row.expires_at) == []  # hidden at once
    assert service.purge_handoffs(session, now=row.expires_at) == 1
    assert handoffs(session) == 0


def test_a_class_share_ends_with_its_class_when_that_comes_first(settings: Settings) -> None:
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    class_end = now + timedelta(hours=2)
    addressee = service.Addressee(Recipient.CLASS, 1, 3, "9b", class_end)
    assert service.expiry(addressee, settings, now) == class_end + timedelta(
        days=settings.handoff_after_class_days
    )
    region = service.Addressee(Recipient.REGION, None, None, None, None)
    assert service.expiry(region, settings, now) == now + timedelta(days=settings.handoff_retention_days)
    short = settings.model_copy(update={"handoff_retention_days": 1})
    assert service.expiry(addressee, short, now) == now + timedelta(days=1)


def test_region_advisers_are_marked_by_email(session: Session, make_account: AccountFactory) -> None:
    advisor = make_account("advisor", email="Beraterin@JBA.example")
    service.set_region_adviser(session, "beraterin@jba.example", serves=True)
    assert service.region_advisers(session) == ["beraterin@jba.example"]
    assert service.is_region_adviser(session, advisor)
    service.set_region_adviser(session, "beraterin@jba.example", serves=False)
    assert service.region_advisers(session) == []
    admin = make_account("admin", email="admin@example.org")
    with pytest.raises(LookupError):
        service.set_region_adviser(session, admin.email, serves=True)
