"""The action server's class endpoints: joining by code, the pupil's class, activity, leaving; the
pupil's deletion; retention (`python -m api.cli purge`)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts import service as accounts
from api.classes import codes, service
from api.classes.models import ClassMember, ClassMemberTopic, ClassSession
from api.classes.schemas import ClassTopic
from api.cli import main as cli_main
from api.core.config import Environment, Settings
from api.core.db import engine_for, session_factory_for
from api.core.models import utc_now
from tests.api.accounts.support import AccountFactory
from tests.api.classes.conftest import SessionFactory, join_many


def test_codes_are_easy_to_read_aloud() -> None:
    for _ in range(500):
        code = codes.new_code()
        assert codes.is_well_formed(code)
        assert not set(code) & set("0O1IL")
        assert sum(character.isdigit() for character in code) >= 2
        assert sum(character.isalpha() for character in code) >= 2
    assert codes.normalize_code(" k7m-4qx ") == "K7M4QX"
    assert codes.normalize_code("k7m 4qx") == "K7M4QX"
    assert codes.normalize_code("SCHULE") is None  # a word is never a code
    assert codes.normalize_code("K7M4Q0") is None  # 0 is not in the alphabet
    assert codes.display_code("K7M4QX") == "K7M 4QX"


def test_codes_are_unique_among_stored_sessions(
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    advisor = make_account("advisor")
    first = make_class(advisor)
    offered = iter([first.code, first.code, "AB23CD"])
    monkeypatch.setattr(service, "new_code", lambda: next(offered))
    second = make_class(advisor)
    assert second.code == "AB23CD"


async def test_a_pupil_joins_by_code_as_typed(
    client: httpx.AsyncClient,
    service_headers: dict[str, str],
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    row = make_class(make_account("advisor"), name="8a")
    typed = f"{row.code[:3].lower()} {row.code[3:].lower()}"
    response = await client.post(
        "/api/v1/classes/join", json={"pupil_ref": "web-abc", "code": typed}, headers=service_headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == row.code and body["name"] == "8a" and body["active"] is True
    again = await client.post(
        "/api/v1/classes/join", json={"pupil_ref": "web-abc", "code": row.code}, headers=service_headers
    )
    assert again.status_code == 200
    mine = await client.get(
        "/api/v1/classes/membership", params={"pupil_ref": "web-abc"}, headers=service_headers
    )
    assert mine.status_code == 200 and mine.json()["session_id"] == row.id


async def test_unknown_and_ended_codes_get_friendly_problems(
    client: httpx.AsyncClient,
    session: Session,
    service_headers: dict[str, str],
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    unknown = await client.post(
        "/api/v1/classes/join", json={"pupil_ref": "web-abc", "code": "ZZ22ZZ"}, headers=service_headers
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["type"] == "/problems/class-code-unknown"
    assert "Code" in unknown.json()["detail_de"]
    garbage = await client.post(
        "/api/v1/classes/join", json={"pupil_ref": "web-abc", "code": "hallo"}, headers=service_headers
    )
    assert garbage.status_code == 404
    row = make_class(make_account("advisor"))
    service.end_session(row, utc_now())
    session.flush()
    ended = await client.post(
        "/api/v1/classes/join", json={"pupil_ref": "web-abc", "code": row.code}, headers=service_headers
    )
    assert ended.status_code == 410
    assert ended.json()["type"] == "/problems/class-session-ended"
    timed_out = make_class(make_account("advisor"), now=utc_now() - timedelta(hours=5), hours=4)
    late = await client.post(
        "/api/v1/classes/join", json={"pupil_ref": "web-abc", "code": timed_out.code}, headers=service_headers
    )
    assert late.status_code == 410
    none = await client.get(
        "/api/v1/classes/membership", params={"pupil_ref": "web-abc"}, headers=service_headers
    )
    assert none.status_code == 404 and none.json()["type"] == "/problems/not-in-class"


async def test_the_endpoints_need_the_service_token(client: httpx.AsyncClient) -> None:
    for method, path, kwargs in (
        ("POST", "/api/v1/classes/join", {"json": {"pupil_ref": "a", "code": "AB23CD"}}),
        ("GET", "/api/v1/classes/membership", {"params": {"pupil_ref": "a"}}),
        ("DELETE", "/api/v1/classes/membership", {"params": {"pupil_ref": "a"}}),
        ("POST", "/api/v1/classes/activity", {"json": {"pupil_ref": "a", "topic": "pay"}}),
    ):
        response = await client.request(method, path, headers={"Authorization": "Bearer wrong"}, **kwargs)
        assert response.status_code == 401, path


async def test_joining_another_class_moves_the_pupil(
    client: httpx.AsyncClient,
    session: Session,
    service_headers: dict[str, str],
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    advisor = make_account("advisor")
    first, second = make_class(advisor), make_class(advisor)
    for row in (first, second):
        response = await client.post(
            "/api/v1/classes/join", json={"pupil_ref": "tg-1", "code": row.code}, headers=service_headers
        )
        assert response.status_code == 200
    members = session.scalars(select(ClassMember).where(ClassMember.pupil_ref == "tg-1")).all()
    assert [member.session_id for member in members] == [second.id]


async def test_activity_counts_topics_and_the_checks_start_only_inside_an_active_class(
    client: httpx.AsyncClient,
    session: Session,
    service_headers: dict[str, str],
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    outside = await client.post(
        "/api/v1/classes/activity", json={"pupil_ref": "web-x", "topic": "pay"}, headers=service_headers
    )
    assert outside.json() == {"recorded": False}
    row = make_class(make_account("advisor"))
    join_many(session, row, 1, prefix="web")
    ref = f"web-{row.id}-0"
    for topic in ("check", "pay", "pay"):
        response = await client.post(
            "/api/v1/classes/activity", json={"pupil_ref": ref, "topic": topic}, headers=service_headers
        )
        assert response.json() == {"recorded": True}
    member = session.scalar(select(ClassMember).where(ClassMember.pupil_ref == ref))
    assert member is not None and member.check_started_at is not None
    topics = session.scalars(
        select(ClassMemberTopic.topic).where(ClassMemberTopic.member_id == member.id)
    ).all()
    assert sorted(topics) == ["check", "pay"]
    free_text = await client.post(
        "/api/v1/classes/activity",
        json={"pupil_ref": ref, "topic": "was verdient man"},
        headers=service_headers,
    )
    assert free_text.status_code == 422
    service.end_session(row, utc_now())
    session.flush()
    assert not service.record_activity(session, ref, ClassTopic.OFFERS, utc_now())


async def test_deleting_my_data_removes_the_membership(
    client: httpx.AsyncClient,
    session: Session,
    service_headers: dict[str, str],
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    row = make_class(make_account("advisor"))
    ref = join_many(session, row, 2)[0]
    service.record_activity(session, ref, ClassTopic.PAY, utc_now())
    response = await client.delete(f"/api/v1/privacy/conversations/{ref}", headers=service_headers)
    assert response.status_code == 200, response.text
    assert response.json()["deleted"]["class_memberships"] == 1
    assert session.scalar(select(ClassMember).where(ClassMember.pupil_ref == ref)) is None
    assert session.scalar(select(func.count()).select_from(ClassMemberTopic)) == 0
    assert service.member_count(session, row.id) == 1  # the other pupil stays


async def test_leaving_the_class(
    client: httpx.AsyncClient,
    session: Session,
    service_headers: dict[str, str],
    make_account: AccountFactory,
    make_class: SessionFactory,
) -> None:
    row = make_class(make_account("advisor"))
    ref = join_many(session, row, 1)[0]
    response = await client.delete(
        "/api/v1/classes/membership", params={"pupil_ref": ref}, headers=service_headers
    )
    assert response.json() == {"deleted": 1}
    assert service.pupil_class(session, ref) is None


def test_retention_deletes_classes_a_set_time_after_they_ended(
    session: Session, make_account: AccountFactory, make_class: SessionFactory
) -> None:
    advisor = make_account("advisor")
    now = utc_now()
    long_ago = make_class(advisor, now=now - timedelta(days=40), hours=4)  # ended 40 days ago
    ended_early = make_class(advisor, now=now - timedelta(days=31), hours=72)
    ended_early.ended_at = now - timedelta(days=31) + timedelta(hours=1)  # ended by hand 31 days ago
    recent = make_class(advisor, now=now - timedelta(days=10), hours=4)
    running = make_class(advisor)
    join_many(session, long_ago, 3)
    join_many(session, recent, 2)
    session.flush()
    assert service.purge_ended_sessions(session, 30, now) == 2
    left = set(session.scalars(select(ClassSession.id)).all())
    assert long_ago.id not in left and ended_early.id not in left
    assert {recent.id, running.id} <= left
    assert session.scalar(select(func.count()).select_from(ClassMember)) == 2
    assert service.purge_ended_sessions(session, 5, now) == 1  # a shorter retention reaches `recent`


def test_the_purge_command_deletes_old_classes(
    empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        environment=Environment.TEST,
        database_url=empty_database_url,
        api_admin_token=SecretStr("t"),
        class_retention_days=1,
    )
    assert cli_main(["migrate"], settings=settings) == 0
    factory = session_factory_for(empty_database_url)
    with factory() as session, session.begin():
        advisor = accounts.create_account(session, "purge@schule.example", "advisor", None)
        data = service.SessionInput(name="7c", grade="7", school="IGS", held_on=date.today())
        old = service.create_session(session, advisor.id, data, hours=1, now=utc_now() - timedelta(days=3))
        join_many(session, old, 2)
        service.create_session(session, advisor.id, data, hours=1, now=utc_now())
    try:
        assert cli_main(["purge"], settings=settings) == 0
        assert "class sessions ended more than 1 days ago deleted: 1" in capsys.readouterr().out
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(ClassSession)) == 1
            assert session.scalar(select(func.count()).select_from(ClassMember)) == 0
    finally:
        engine_for(empty_database_url).dispose()
