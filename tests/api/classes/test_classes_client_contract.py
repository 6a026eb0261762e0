"""The actions' class client (actions/classes_api.py) against the real API: both sides agree on
joining, the problems of unknown and ended codes, and counting topics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.classes_api import ClassCodeUnknownError, ClassesApi, ClassSessionEndedError
from api.classes import service
from api.classes.models import ClassMember, ClassMemberTopic
from api.core.config import Settings
from api.core.models import utc_now
from tests.api.accounts.support import AccountFactory
from tests.api.classes.conftest import SessionFactory


@pytest.fixture
async def classes_api(app: FastAPI, settings: Settings) -> AsyncIterator[ClassesApi]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield ClassesApi(client, service_token=settings.service_token.get_secret_value())


async def test_the_action_client_and_the_api_agree(
    classes_api: ClassesApi, session: Session, make_account: AccountFactory, make_class: SessionFactory
) -> None:
    row = make_class(make_account("advisor"), name="10c")
    joined = await classes_api.join_class("web-contract", f"{row.code[:3]} {row.code[3:]}".lower())
    assert (joined.code, joined.name) == (row.code, "10c")
    assert await classes_api.record_class_activity("web-contract", "check") is True
    member = session.scalar(select(ClassMember).where(ClassMember.pupil_ref == "web-contract"))
    assert member is not None and member.check_started_at is not None
    assert session.scalars(select(ClassMemberTopic.topic)).all() == ["check"]
    assert await classes_api.record_class_activity("web-nobody", "pay") is False

    with pytest.raises(ClassCodeUnknownError):
        await classes_api.join_class("web-contract", "ZZ22ZZ")
    service.end_session(row, utc_now())
    session.flush()
    with pytest.raises(ClassSessionEndedError):
        await classes_api.join_class("web-other", row.code)


def test_every_topic_the_actions_send_is_one_the_api_knows() -> None:
    from actions.classes_logic import TOPIC_OF_ACTION, TOPIC_OF_INTENT
    from api.classes.schemas import ClassTopic

    known = {topic.value for topic in ClassTopic}
    assert set(TOPIC_OF_ACTION.values()) | set(TOPIC_OF_INTENT.values()) <= known
