"""DELETE /api/v1/privacy/conversations/{pupil_ref}: everything about one conversation goes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from actions.check_api import CheckApi
from actions.privacy import ActionDeleteMyData
from api.check.models import CheckResult
from api.contacts.models import ContactRequest
from api.core.config import Settings
from api.privacy.router import tracker_store
from bot.erasure import deletion_marker, is_deletion_marker
from tests.api.exchange.support import CompanyFactory, OfferFactory

PRIVACY = {"Authorization": "Bearer test-privacy-token"}

# The columns of Rasa's SQLTrackerStore table that matter here (Rasa creates more).
rasa_metadata = MetaData()
rasa_events = Table(
    "events",
    rasa_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("data", Text),
)


def add_events(connection: Connection, sender: str, count: int) -> None:
    connection.execute(
        insert(rasa_events), [{"sender_id": sender, "type_name": "user", "data": "{}"} for _ in range(count)]
    )


@pytest.fixture
def two_conversations(
    session: Session,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
) -> None:
    offer = make_offer(make_company())
    other = make_offer(make_company())
    make_contact_request(offer, pupil_ref="conversation-a")
    make_contact_request(other, pupil_ref="conversation-a")
    make_contact_request(offer, pupil_ref="conversation-b")
    session.add(
        CheckResult(pupil_ref="conversation-a", variant="quick", score_r=75.0, completed_on=date(2026, 11, 1))
    )
    session.flush()


async def test_deletes_contact_requests_and_tracker_events_in_the_test_database(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: Session,
    service_headers: dict[str, str],
    two_conversations: None,
) -> None:
    # A tracker-store table inside the test's transaction (rolled back afterwards, like everything).
    connection = session.connection()
    rasa_metadata.create_all(connection)
    add_events(connection, "conversation-a", 5)
    add_events(connection, "conversation-b", 2)
    app.dependency_overrides[tracker_store] = lambda: connection

    response = await client.delete("/api/v1/privacy/conversations/conversation-a", headers=service_headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "pupil_ref": "conversation-a",
        "deleted": {
            "contact_requests": 2,
            "check_results": 1,
            "handoffs": 0,
            "class_memberships": 0,
            "tracker_events": 5,
            "signals": 0,
            "saved_searches": 0,
        },
    }
    assert set(session.scalars(select(ContactRequest.pupil_ref))) == {"conversation-b"}
    assert session.scalars(select(CheckResult.pupil_ref)).all() == []
    senders: dict[str, int] = dict(
        connection.execute(
            select(rasa_events.c.sender_id, func.count()).group_by(rasa_events.c.sender_id)
        ).all()
    )
    assert senders == {"conversation-b": 2}

    again = await client.delete("/api/v1/privacy/conversations/conversation-a", headers=service_headers)
    assert again.json()["deleted"] == {
        "contact_requests": 0,
        "check_results": 0,
        "handoffs": 0,
        "class_memberships": 0,
        "tracker_events": 0,
        "signals": 0,
        "saved_searches": 0,
    }


async def test_without_a_tracker_store_only_the_api_data_goes(
    client: httpx.AsyncClient, service_headers: dict[str, str], two_conversations: None
) -> None:
    response = await client.delete("/api/v1/privacy/conversations/conversation-b", headers=service_headers)
    assert response.json()["deleted"] == {
        "contact_requests": 1,
        "check_results": 0,
        "handoffs": 0,
        "class_memberships": 0,
        "tracker_events": None,
        "signals": 0,
        "saved_searches": 0,
    }


@pytest.fixture
def tracker_store_file(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        rasa_metadata.create_all(connection)
        add_events(connection, "conversation-a", 3)
        add_events(connection, "conversation-b", 1)
    engine.dispose()
    yield url


async def test_the_tracker_store_configured_by_url(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    service_headers: dict[str, str],
    tracker_store_file: str,
    two_conversations: None,
) -> None:
    configured = settings.model_copy(update={"tracker_store_url": tracker_store_file})
    app.state.settings = configured
    response = await client.delete("/api/v1/privacy/conversations/conversation-a", headers=service_headers)
    assert response.json()["deleted"] == {
        "contact_requests": 2,
        "check_results": 1,
        "handoffs": 0,
        "class_memberships": 0,
        "tracker_events": 3,
        "signals": 0,
        "saved_searches": 0,
    }
    engine = create_engine(tracker_store_file)
    with engine.connect() as connection:
        assert connection.execute(select(rasa_events.c.sender_id)).scalars().all() == ["conversation-b"]
    engine.dispose()


async def test_a_tracker_store_without_events_table_counts_zero(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    service_headers: dict[str, str],
    tmp_path: Path,
) -> None:
    configured = settings.model_copy(update={"tracker_store_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    app.state.settings = configured
    response = await client.delete("/api/v1/privacy/conversations/nobody", headers=service_headers)
    assert response.status_code == 200
    assert response.json()["deleted"] == {
        "contact_requests": 0,
        "check_results": 0,
        "handoffs": 0,
        "class_memberships": 0,
        "tracker_events": 0,
        "signals": 0,
        "saved_searches": 0,
    }


# --- action_delete_my_data against this API ------------------------------------------------------


def pupil_tracker(sender_id: str) -> Tracker:
    latest = {"text": "ja, alles löschen", "intent": {"name": "affirm", "confidence": 0.99}, "entities": []}
    return Tracker(sender_id, {}, latest, [], False, None, None, "action_listen")


async def test_the_action_deletes_the_pupils_records_and_sends_the_marker(
    client: httpx.AsyncClient, session: Session, settings: Settings, two_conversations: None
) -> None:
    action = ActionDeleteMyData(CheckApi(client, service_token=settings.service_token.get_secret_value()))
    dispatcher = CollectingDispatcher()

    events = await action.run(dispatcher, pupil_tracker("conversation-a"), {})

    assert events == []
    assert [message["response"] for message in dispatcher.messages if message.get("response")] == [
        "utter_data_deleted"
    ]
    customs = [message["custom"] for message in dispatcher.messages if message.get("custom")]
    assert customs == [deletion_marker()]
    assert set(session.scalars(select(ContactRequest.pupil_ref))) == {"conversation-b"}
    assert session.scalars(select(CheckResult.pupil_ref)).all() == []


async def test_when_the_api_refuses_nothing_is_marked_as_deleted(
    client: httpx.AsyncClient, session: Session, two_conversations: None
) -> None:
    action = ActionDeleteMyData(CheckApi(client, service_token="not-the-service-token"))
    dispatcher = CollectingDispatcher()

    await action.run(dispatcher, pupil_tracker("conversation-a"), {})

    assert [message.get("response") for message in dispatcher.messages] == ["utter_delete_data_failed"]
    assert not any(is_deletion_marker(message.get("custom")) for message in dispatcher.messages)
    assert session.scalars(select(CheckResult.pupil_ref)).all() == ["conversation-a"]


# -- the Telegram bridge's privacy token: deleting, nothing else ----------------------------------


@pytest.fixture
def privacy_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"privacy_token": SecretStr("test-privacy-token")})


@pytest.fixture
def app(app: FastAPI, privacy_settings: Settings) -> FastAPI:
    app.state.settings = privacy_settings
    return app


async def test_the_privacy_token_deletes_a_conversation(
    client: httpx.AsyncClient, session: Session, two_conversations: None
) -> None:
    response = await client.delete("/api/v1/privacy/conversations/conversation-a", headers=PRIVACY)
    assert response.status_code == 200, response.text
    assert set(session.scalars(select(ContactRequest.pupil_ref))) == {"conversation-b"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/contact-requests?pupil_ref=conversation-a", None),
        ("GET", "/api/v1/check/results?pupil_ref=conversation-a", None),
        ("DELETE", "/api/v1/check/results?pupil_ref=conversation-a", None),
        ("DELETE", "/api/v1/contact-requests/1?pupil_ref=conversation-a", None),
        ("POST", "/api/v1/contact-requests", {"offer_id": 1, "pupil_ref": "x"}),
    ],
)
async def test_the_privacy_token_opens_nothing_else(
    client: httpx.AsyncClient, two_conversations: None, method: str, path: str, body: object
) -> None:
    response = await client.request(method, path, headers=PRIVACY, json=body)
    assert response.status_code == 401


async def test_a_wrong_token_deletes_nothing(
    client: httpx.AsyncClient, session: Session, two_conversations: None
) -> None:
    response = await client.delete(
        "/api/v1/privacy/conversations/conversation-a",
        headers={"Authorization": "Bearer test-privacy-tokenx"},
    )
    assert response.status_code == 401
    assert len(session.scalars(select(ContactRequest.pupil_ref)).all()) == 3
