"""action_join_class, action_teacher_info and the count of a class member's topics, against a
stand-in API behind httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import create_http_client
from actions.classes import ActionJoinClass, ActionTeacherInfo, record_class_activity
from actions.classes_api import ClassesApi
from actions.classes_logic import advisor_page_url, class_code_from_entities, topic_of_turn
from tests.actions.support import TrackerFactory
from tests.actions.test_domain_responses import RESPONSES, variables_used


@dataclass
class FakeClassApi:
    codes: dict[str, str] = field(default_factory=lambda: {"K7M4QX": "9b Berufsorientierung"})
    ended: set[str] = field(default_factory=lambda: {"AB23CD"})
    down: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content or b"{}")
        if request.url.path == "/api/v1/classes/join":
            if body["code"] in self.ended:
                return httpx.Response(410, json={"type": "/problems/class-session-ended"})
            if body["code"] not in self.codes:
                return httpx.Response(404, json={"type": "/problems/class-code-unknown"})
            return httpx.Response(200, json={"code": body["code"], "name": self.codes[body["code"]]})
        if request.url.path == "/api/v1/classes/activity":
            return httpx.Response(200, json={"recorded": True})
        return httpx.Response(404)


@pytest.fixture
def fake() -> FakeClassApi:
    return FakeClassApi()


@pytest.fixture
async def classes_api(fake: FakeClassApi) -> AsyncIterator[ClassesApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake.handle))
    async with client:
        yield ClassesApi(client, service_token="service-token-for-tests")


def code_entity(value: str) -> dict[str, Any]:
    return {"entity": "class_code", "value": value, "extractor": "ClassCodeExtractor"}


async def run_join(
    api: ClassesApi, make_tracker: TrackerFactory, entities: list[dict[str, Any]]
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("K7M 4QX", "join_class", entities=entities)
    events = await ActionJoinClass(api).run(dispatcher, tracker, {})
    return dispatcher, events


async def test_joining_with_a_known_code(
    classes_api: ClassesApi, fake: FakeClassApi, make_tracker: TrackerFactory
) -> None:
    dispatcher, events = await run_join(classes_api, make_tracker, [code_entity("K7M4QX")])
    assert dispatcher.messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {},
            "template": "utter_class_joined",
            "response": "utter_class_joined",
            "image": None,
            "attachment": None,
            "class_name": "9b Berufsorientierung",
        }
    ]
    assert events == [SlotSet("class_code", "K7M4QX"), SlotSet("class_name", "9b Berufsorientierung")]
    [request] = fake.requests
    assert json.loads(request.content) == {"pupil_ref": "test-user", "code": "K7M4QX"}
    assert request.headers["authorization"] == "Bearer service-token-for-tests"


@pytest.mark.parametrize(
    ("entities", "response"),
    [
        ([code_entity("ZZ22ZZ")], "utter_class_code_unknown"),
        ([code_entity("AB23CD")], "utter_class_ended"),
        ([], "utter_class_ask_code"),
        ([code_entity("K7M4QX"), code_entity("AB23CD")], "utter_class_ask_code"),  # two codes: ask
    ],
)
async def test_the_other_answers(
    classes_api: ClassesApi, make_tracker: TrackerFactory, entities: list[dict[str, Any]], response: str
) -> None:
    dispatcher, events = await run_join(classes_api, make_tracker, entities)
    assert [message["response"] for message in dispatcher.messages] == [response]
    assert events == []


async def test_the_api_down_is_said_kindly(
    classes_api: ClassesApi, fake: FakeClassApi, make_tracker: TrackerFactory
) -> None:
    fake.down = True
    dispatcher, events = await run_join(classes_api, make_tracker, [code_entity("K7M4QX")])
    assert [message["response"] for message in dispatcher.messages] == ["utter_class_join_failed"]
    assert events == []


async def test_teacher_info_gives_the_advisor_page(
    make_tracker: TrackerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BERUFSLOTSE_PUBLIC_URL", "https://berufslotse.example/")
    dispatcher = CollectingDispatcher()
    await ActionTeacherInfo().run(dispatcher, make_tracker("ich bin lehrerin", "teacher_info"), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_teacher_info"
    assert message["advisor_url"] == "https://berufslotse.example/advisor"


def test_every_class_response_gets_its_variables() -> None:
    sent = {
        "utter_class_joined": {"class_name"},
        "utter_teacher_info": {"advisor_url"},
        "utter_class_code_unknown": set(),
        "utter_class_ended": set(),
        "utter_class_ask_code": set(),
        "utter_class_join_failed": set(),
    }
    for name, variables in sent.items():
        for variation in RESPONSES[name]:
            assert variables_used(variation) <= variables | {"language"}, name


def test_codes_come_only_from_well_formed_entities() -> None:
    assert class_code_from_entities([code_entity("k7m4qx")]) == "K7M4QX"
    assert class_code_from_entities([code_entity("K7M 4QX")]) == "K7M4QX"
    assert class_code_from_entities([code_entity("HALLO1")]) is None
    assert class_code_from_entities([{"entity": "profession", "value": "K7M4QX"}]) is None
    assert advisor_page_url({}) == "http://127.0.0.1:8000/advisor"


def test_topics_of_a_turn() -> None:
    assert topic_of_turn("action_check_start", "start_check") == "check"
    assert topic_of_turn("action_answer_profession", "ask_pay") == "pay"
    assert topic_of_turn("action_fallback_search", "rules/ausbildungsverguetung") == "training_rules"
    assert topic_of_turn("action_fallback_search", "nlu_fallback") is None


async def test_activity_is_counted_only_for_class_members(
    classes_api: ClassesApi, fake: FakeClassApi
) -> None:
    outside = {
        "sender_id": "p1",
        "slots": {"class_code": None},
        "latest_message": {"intent": {"name": "ask_pay"}},
    }
    await record_class_activity("action_answer_profession", outside, classes_api)
    assert fake.requests == []
    member = {**outside, "slots": {"class_code": "K7M4QX"}}
    await record_class_activity("action_answer_profession", member, classes_api)
    [request] = fake.requests
    assert json.loads(request.content) == {"pupil_ref": "p1", "topic": "pay"}
    fake.down = True
    await record_class_activity("action_check_start", member, classes_api)  # never raises
