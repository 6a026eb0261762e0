"""The check's API client against an httpx.MockTransport (no live services)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from actions.api_client import ApiUnavailableError, create_http_client
from actions.check_api import (
    DEFAULT_SERVICE_TOKEN,
    CheckApi,
    MatchQuery,
    chart_url,
    public_api_url,
    service_token_from_env,
)
from tests.actions.check_fake_api import SERVICE_TOKEN, FakeCheckApi


@pytest.fixture
def fake_check() -> FakeCheckApi:
    return FakeCheckApi()


@pytest.fixture
async def check_api(fake_check: FakeCheckApi) -> AsyncIterator[CheckApi]:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake_check.handle))
    async with client:
        yield CheckApi(client, service_token=SERVICE_TOKEN)


async def test_items_in_order_with_the_answer_scale(check_api: CheckApi, fake_check: FakeCheckApi) -> None:
    items = await check_api.check_items("quick")
    assert fake_check.paths == ["/api/v1/check/items?variant=quick"]
    assert items.ids == ("r01", "i01", "a01")
    assert items.items[0].text.in_language("en") == "Repair a tractor"
    assert [option.value for option in items.scale] == [1, 2, 3, 4, 5]
    assert items.scale[4].button.in_language("de") == "😍 sehr gern"


async def test_score_posts_only_the_answers(check_api: CheckApi, fake_check: FakeCheckApi) -> None:
    score = await check_api.score({"r01": 5, "i01": None})
    assert fake_check.calls("/api/v1/check/score")[0].content == b'{"answers":{"r01":5,"i01":null}}'
    assert score.scores == {"R": 100.0, "I": 75.0, "A": 0.0, "S": None, "E": None, "C": None}
    assert [entry.code for entry in score.top_types] == ["R", "I"]
    assert score.top_types[1].explanation.in_language("en") == "You want to know how things work."


async def test_matches_send_scores_certificate_and_page(
    check_api: CheckApi, fake_check: FakeCheckApi
) -> None:
    query = MatchQuery(
        answers={"r01": 5, "i01": None},
        certificate="hauptschule",
        municipality="melle",
        radius_km=10,
        looking_for="internship",
    )
    page = await check_api.matches(query, limit=5, offset=5)
    assert fake_check.paths == ["/api/v1/check/matches"]
    assert json.loads(fake_check.requests[0].content) == {
        "answers": {"r01": 5, "i01": None},
        "scores": None,
        "certificate": "hauptschule",
        "municipality": "melle",
        "radius_km": 10,
        "looking_for": "internship",
        "limit": 5,
        "offset": 5,
    }
    assert [match.slug for match in page.items] == ["physiotherapeut", "hebamme"]
    assert page.total == 7
    assert page.items[0].needs_higher_certificate and page.nearby is not None
    # An older saved result without answers is matched by its scores.
    await check_api.matches(MatchQuery(answers={}, scores={"R": 80.0}), limit=5)
    body = json.loads(fake_check.requests[-1].content)
    assert body["answers"] is None and body["scores"]["R"] == 80.0


async def test_chart_text(check_api: CheckApi, fake_check: FakeCheckApi) -> None:
    assert await check_api.chart_text({"R": 100.0}, "en") == "Hands-on: 100; Curious: 75; Creative: 0"
    assert fake_check.paths == ["/api/v1/charts/riasec.json?R=100&lang=en"]


def test_chart_url_leaves_out_types_without_a_score() -> None:
    scores = {"R": 100.0, "I": 62.5, "A": None, "S": 0.0, "E": None, "C": 50.0}
    assert (
        chart_url(scores, "de", "https://example.org/")
        == "https://example.org/api/v1/charts/riasec.png?R=100&I=62.5&S=0&C=50&lang=de"
    )


def test_public_url_and_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BERUFSLOTSE_PUBLIC_API_URL", raising=False)
    monkeypatch.delenv("BERUFSLOTSE_API_URL", raising=False)
    monkeypatch.delenv("BERUFSLOTSE_SERVICE_TOKEN", raising=False)
    assert public_api_url() == "http://127.0.0.1:8000"
    assert service_token_from_env() == DEFAULT_SERVICE_TOKEN
    monkeypatch.setenv("BERUFSLOTSE_API_URL", "http://127.0.0.1:9000")
    assert public_api_url() == "http://127.0.0.1:9000"  # one machine: the actions' own API address
    monkeypatch.setenv("BERUFSLOTSE_PUBLIC_API_URL", "https://berufslotse.example")
    monkeypatch.setenv("BERUFSLOTSE_SERVICE_TOKEN", "s3cret")
    assert public_api_url() == "https://berufslotse.example"
    assert service_token_from_env() == "s3cret"


async def test_saved_results_need_the_service_token(check_api: CheckApi, fake_check: FakeCheckApi) -> None:
    saved = await check_api.save_result("pupil-1", "full", {"R": 10.0, "C": 90.0}, "abitur", None)
    assert saved.variant == "full" and saved.certificate == "abitur"
    assert saved.scores["C"] == 90.0 and saved.scores["I"] is None
    again = await check_api.saved_result("pupil-1")
    assert again is not None and again.scores == saved.scores
    assert await check_api.saved_result("pupil-2") is None
    assert await check_api.delete_result("pupil-1") == 1
    assert await check_api.delete_result("pupil-1") == 0
    assert all(
        request.headers["authorization"] == f"Bearer {SERVICE_TOKEN}"
        for request in fake_check.calls("/api/v1/check/results")
    )


async def test_public_endpoints_get_no_token(check_api: CheckApi, fake_check: FakeCheckApi) -> None:
    await check_api.check_items("full")
    await check_api.municipalities()
    assert all("authorization" not in request.headers for request in fake_check.requests)


async def test_a_wrong_token_is_an_unavailable_api(fake_check: FakeCheckApi) -> None:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(fake_check.handle))
    async with client:
        with pytest.raises(ApiUnavailableError):
            await CheckApi(client, service_token="wrong").saved_result("pupil-1")


async def test_municipalities(check_api: CheckApi) -> None:
    places = await check_api.municipalities()
    assert places[2].slug == "ankum" and places[2].samtgemeinde == "Samtgemeinde Bersenbrück"
    assert places[1].postcodes == ("49324", "49326")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, json={"title": "boom"}),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"items": "nope"}),
        httpx.Response(404, json={"title": "gone"}),
    ],
)
async def test_failures_become_api_unavailable(response: httpx.Response) -> None:
    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(lambda _: response))
    async with client:
        with pytest.raises(ApiUnavailableError):
            await CheckApi(client, service_token="t").check_items("quick")


async def test_unreachable_api(check_api: CheckApi, fake_check: FakeCheckApi) -> None:
    fake_check.down = True
    with pytest.raises(ApiUnavailableError):
        await check_api.score({"r01": 1})


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(503, json={"title": "down"}), httpx.ConnectError("refused")],
)
async def test_a_failed_deletion_names_the_route_not_the_pupil(answer: httpx.Response | Exception) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = create_http_client(base_url="http://api.test", transport=httpx.MockTransport(handle))
    async with client:
        with pytest.raises(ApiUnavailableError) as raised:
            await CheckApi(client, service_token="t").delete_conversation("web-0123456789abcdef")
    assert "web-0123456789abcdef" not in str(raised.value)
    assert raised.value.__cause__ is None  # the transport error (with its URL) is not chained
    assert "/api/v1/privacy/conversations/{pupil_ref}" in str(raised.value)
