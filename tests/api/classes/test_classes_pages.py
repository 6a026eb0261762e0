"""The advisor's class pages: only advisors, only their own classes, every page and endpoint tried;
the form's messages; the code, links and QR code; ending and deleting."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.classes.models import ClassMember, ClassSession
from api.core.config import Settings
from tests.api.accounts.support import HTML, AccountFactory, page_csrf, sign_in
from tests.api.classes.conftest import SessionFactory, join_many

ROLES_NOT_ADVISOR = ["district", "admin", "company"]


def paths_of(row_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/advisor/classes"),
        ("POST", "/advisor/classes"),
        ("GET", f"/advisor/classes/{row_id}"),
        ("GET", f"/advisor/classes/{row_id}/overview.json"),
        ("POST", f"/advisor/classes/{row_id}/end"),
        ("POST", f"/advisor/classes/{row_id}/delete"),
    ]


async def test_nobody_signed_in_gets_401_everywhere(
    client: httpx.AsyncClient, make_account: AccountFactory, make_class: SessionFactory
) -> None:
    row = make_class(make_account("advisor"))
    for method, path in paths_of(row.id):
        response = await client.request(method, path)
        assert response.status_code == 401, path
        assert response.json()["type"] == "/problems/sign-in-required"
    browser = await client.get(f"/advisor/classes/{row.id}", headers=HTML)
    assert browser.status_code == 303 and browser.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES_NOT_ADVISOR)
async def test_other_roles_get_403_everywhere(
    client: httpx.AsyncClient, make_account: AccountFactory, make_class: SessionFactory, role: str
) -> None:
    row = make_class(make_account("advisor"))
    person = make_account(role)
    await sign_in(client, person.email)
    token = await page_csrf(client)
    for method, path in paths_of(row.id):
        response = await client.request(method, path, headers={"X-CSRF-Token": token})
        assert response.status_code == 403, (role, path)
        assert row.code not in response.text


async def test_an_advisor_never_sees_or_changes_another_advisors_class(
    client: httpx.AsyncClient,
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    owner, other = make_account("advisor"), make_account("advisor")
    row = make_class(owner, name="Klasse der Kollegin")
    join_many(session, row, 5)
    await sign_in(client, other.email)
    token = await page_csrf(client, "/advisor/classes")
    listing = await client.get("/advisor/classes")
    assert "Klasse der Kollegin" not in listing.text and row.code not in listing.text
    for method, path in paths_of(row.id)[2:]:
        form = {"confirm": "yes"} if method == "POST" else None
        response = await client.request(method, path, headers={"X-CSRF-Token": token, **HTML}, data=form)
        assert response.status_code == 404, path
        assert row.code not in response.text and "Kollegin" not in response.text
    session.refresh(row)
    assert row.ended_at is None
    assert session.get(ClassSession, row.id) is not None


async def test_post_without_csrf_token_is_refused(
    client: httpx.AsyncClient, make_account: AccountFactory, make_class: SessionFactory
) -> None:
    advisor = make_account("advisor")
    row = make_class(advisor)
    await sign_in(client, advisor.email)
    for method, path in paths_of(row.id):
        if method == "POST":
            response = await client.post(path, data={"name": "x"})
            assert response.status_code == 403, path
            assert response.json()["type"] == "/problems/csrf-failed"


async def test_creating_a_class_with_clear_messages(
    client: httpx.AsyncClient, session: Session, make_account: AccountFactory, settings: Settings
) -> None:
    advisor = make_account("advisor")
    await sign_in(client, advisor.email)
    token = await page_csrf(client, "/advisor/classes")
    empty = await client.post(
        "/advisor/classes",
        data={"csrf_token": token, "name": " ", "grade": "", "school": "", "held_on": "morgen"},
        headers=HTML,
    )
    assert empty.status_code == 422
    assert "Geben Sie einen Namen für die Klasse ein." in empty.text
    assert "Geben Sie den Jahrgang ein, zum Beispiel 9." in empty.text
    assert "Geben Sie den Namen der Schule ein." in empty.text
    assert "Geben Sie das Datum als" in empty.text
    assert 'aria-invalid="true"' in empty.text and 'aria-describedby="name-hint name-error"' in empty.text
    english = await client.post(
        "/advisor/classes?lang=en",
        data={"csrf_token": token, "name": "x" * 101, "grade": "9", "school": "IGS", "held_on": "1999-01-01"},
        headers=HTML,
    )
    assert "The name can be at most 100 characters long." in english.text
    assert "The date must be within one year from today." in english.text
    created = await client.post(
        "/advisor/classes",
        data={
            "csrf_token": token,
            "name": "9b",
            "grade": "9",
            "school": "IGS Melle",
            "held_on": "2026-12-07",
        },
    )
    assert created.status_code == 303
    row = session.scalar(select(ClassSession).where(ClassSession.advisor_id == advisor.id))
    assert row is not None and created.headers["location"] == f"/advisor/classes/{row.id}"
    assert (row.ends_at - row.created_at).total_seconds() == settings.class_session_hours * 3600


async def test_the_class_page_shows_code_links_and_qr(
    client: httpx.AsyncClient, make_account: AccountFactory, make_class: SessionFactory, settings: Settings
) -> None:
    advisor = make_account("advisor")
    row = make_class(advisor, name="8c")
    settings.telegram_bot_username = "berufslotse_bot"
    settings.widget_page_url = "https://www.example.org/berufsorientierung?x=1"
    await sign_in(client, advisor.email)
    page = await client.get(f"/advisor/classes/{row.id}")
    assert page.status_code == 200
    text = page.text
    assert f"{row.code[:3]} {row.code[3:]}" in text
    assert f"https://www.example.org/berufsorientierung?x=1&amp;class={row.code}" in text
    assert f"https://t.me/berufslotse_bot?start={row.code}" in text
    assert re.search(r'<svg role="img" aria-label="QR-Code: öffnet den Chat[^"]*"', text)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "Die Klasse läuft bis" in text and " Uhr." in text
    assert page.headers["cache-control"] == "no-store"
    listing = await client.get("/advisor/classes")
    assert "8c" in listing.text and f"/advisor/classes/{row.id}" in listing.text
    english = await client.get(f"/advisor/classes/{row.id}?lang=en")
    assert "How pupils join" in english.text and "QR code: opens the Berufslotse chat" in english.text


async def test_ending_and_deleting_a_class(
    client: httpx.AsyncClient, session: Session, make_account: AccountFactory, make_class: SessionFactory
) -> None:
    advisor = make_account("advisor")
    row = make_class(advisor)
    join_many(session, row, 3)
    await sign_in(client, advisor.email)
    token = await page_csrf(client, f"/advisor/classes/{row.id}")
    ended = await client.post(f"/advisor/classes/{row.id}/end", data={"csrf_token": token})
    assert ended.status_code == 303
    session.refresh(row)
    assert row.ended_at is not None
    page = await client.get(f"/advisor/classes/{row.id}")
    assert "Die Klasse ist beendet" in page.text and "Klasse jetzt beenden" not in page.text
    unconfirmed = await client.post(f"/advisor/classes/{row.id}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 422
    assert "Kreuzen Sie an, dass Sie die Klasse wirklich löschen wollen." in unconfirmed.text
    assert session.get(ClassSession, row.id) is not None
    deleted = await client.post(
        f"/advisor/classes/{row.id}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/advisor/classes"
    session.expire_all()
    assert session.get(ClassSession, row.id) is None
    assert session.scalars(select(ClassMember).where(ClassMember.session_id == row.id)).all() == []
    gone = await client.get(f"/advisor/classes/{row.id}", headers=HTML)
    assert gone.status_code == 404 and "Klasse nicht gefunden" in gone.text


async def test_the_overview_json_is_the_advisors_and_aggregated(
    client: httpx.AsyncClient, session: Session, make_account: AccountFactory, make_class: SessionFactory
) -> None:
    advisor = make_account("advisor")
    row = make_class(advisor)
    join_many(session, row, 3)
    await sign_in(client, advisor.email)
    response = await client.get(f"/advisor/classes/{row.id}/overview.json")
    assert response.status_code == 200
    body = response.json()
    assert (body["joined"], body["in_check"], body["finished"]) == (3, 0, 0)
    assert body["profile"] is None and body["occupations"] is None and body["topics"] is None
    assert body["min_group"] == 5
    assert body["summary"].startswith("3 beigetreten")
    assert response.headers["cache-control"] == "no-store"
    other = await client.get(f"/advisor/classes/{row.id + 1000}/overview.json")
    assert other.status_code == 404 and other.json()["type"] == "/problems/not-found"
