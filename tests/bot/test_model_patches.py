"""bot/rasa_patches.py's patches to the work of one message (issue 16): each must give exactly what
Rasa as shipped gives.

- fast predict: a model's traced TensorFlow function is called with the batch as tensors, without
  TensorFlow's re-checking of the inputs on every call. The trained model answers the same (intents,
  confidences, entities, the response selector, every action's score) with and without it.
- sparse combine: two COO feature matrices side by side are the matrix scipy's `hstack` builds.
- the domain in a request body: the JSON Rasa sends to the action server is byte for byte what
  `json.dumps` writes, with the domain serialised once.
- rule matching: the trained rules found for every state of the conversations of bot/tests, in
  Rasa's order.
- the lazy response selector: the parse Rasa gives for every question of the open-questions held-out
  set, with the selector's choice wherever the classifier said the retrieval intent.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from aiohttp import web
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

from bot import rasa_patches
from tests.bot.heldout_eval import MODEL_ENV, find_model
from tests.bot.open_questions_eval import load_questions
from tests.bot.test_nlu_heldout import MODELS

# --- sparse combine ------------------------------------------------------------------------------


def random_coo(
    rng: np.random.Generator, rows: int, cols: int, nnz: int, dtype: Any
) -> scipy.sparse.coo_matrix:
    row = rng.integers(0, max(rows, 1), nnz) if rows else np.zeros(0, dtype=np.int32)
    col = rng.integers(0, max(cols, 1), nnz) if cols else np.zeros(0, dtype=np.int32)
    data = (rng.random(nnz) * 10).astype(dtype)
    if not rows or not cols:
        row, col, data = row[:0], col[:0], data[:0]
    return scipy.sparse.coo_matrix((data, (row, col)), shape=(rows, cols))


def same_matrix(ours: Any, theirs: Any) -> None:
    assert type(ours) is type(theirs)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    assert ours.row.dtype == theirs.row.dtype and ours.col.dtype == theirs.col.dtype
    np.testing.assert_array_equal(ours.row, theirs.row)
    np.testing.assert_array_equal(ours.col, theirs.col)
    np.testing.assert_array_equal(ours.data, theirs.data)


@pytest.mark.parametrize(
    ("left_dtype", "right_dtype"),
    [(np.float32, np.float32), (np.float32, np.float64), (np.int64, np.float32), (np.int8, np.int64)],
)
def test_hstack_coo_builds_scipys_matrix(left_dtype: Any, right_dtype: Any) -> None:
    rng = np.random.default_rng(16)
    for rows, left_cols, right_cols, nnz in [
        (1, 5, 7, 3),
        (12, 300, 40, 60),
        (3, 0, 4, 5),
        (4, 9, 0, 6),
        (0, 3, 3, 0),
    ]:
        left = random_coo(rng, rows, left_cols, nnz, left_dtype)
        right = random_coo(rng, rows, right_cols, nnz, right_dtype)
        same_matrix(rasa_patches.hstack_coo(left, right), scipy.sparse.hstack([left, right]))


def test_hstack_coo_keeps_duplicate_entries_and_wide_indices() -> None:
    left = scipy.sparse.coo_matrix((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([1, 1]))), shape=(2, 3))
    wide = 2**31 + 10  # beyond int32: scipy switches the indices to int64
    right = scipy.sparse.coo_matrix((np.array([5.0]), (np.array([1]), np.array([wide - 1]))), shape=(2, wide))
    ours = rasa_patches.hstack_coo(left, right)
    same_matrix(ours, scipy.sparse.hstack([left, right]))
    assert ours.col.dtype == np.int64 and ours.nnz == 3


@pytest.fixture
def sparse_combine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Patched from Rasa's own method; Rasa's method is returned for comparison."""
    current = Features.__dict__["_combine_sparse_features"]
    rasa_combine = getattr(current, rasa_patches.SPARSE_COMBINE_MARKER, current)
    monkeypatch.setattr(Features, "_combine_sparse_features", rasa_combine)
    assert not rasa_patches.sparse_combine_applied()
    rasa_patches.apply_sparse_combine()
    assert rasa_patches.sparse_combine_applied()
    yield rasa_combine


def test_combined_features_are_rasas(sparse_combine: Any) -> None:
    rng = np.random.default_rng(3)
    parts = [random_coo(rng, 4, cols, 6, np.float32) for cols in (30, 5, 12)]

    def combined(combine: Any) -> Features:
        features = Features(parts[0].copy(), "sequence", "text", "first")
        for part in parts[1:]:
            combine(features, Features(part.copy(), "sequence", "text", "next"))
        return features

    ours = combined(lambda f, g: f.combine_with_features(g))
    theirs = combined(sparse_combine)
    same_matrix(ours.features, theirs.features)
    assert ours.fingerprint() == theirs.fingerprint()


def test_other_sparse_features_take_rasas_way(sparse_combine: Any) -> None:
    csr = Features(scipy.sparse.csr_matrix(np.eye(3, dtype=np.float32)), "sequence", "text", "a")
    csr.combine_with_features(
        Features(scipy.sparse.csr_matrix(np.ones((3, 2), np.float32)), "sequence", "text", "b")
    )
    np.testing.assert_array_equal(csr.features.toarray(), np.hstack([np.eye(3), np.ones((3, 2))]))
    rows = Features(scipy.sparse.coo_matrix(np.eye(3, dtype=np.float32)), "sequence", "text", "a")
    with pytest.raises(ValueError, match="sequence dimensions do not match: 3 != 2"):
        rows.combine_with_features(
            Features(scipy.sparse.coo_matrix(np.ones((2, 2), np.float32)), "sequence", "text", "b")
        )


# --- the domain in a request body ----------------------------------------------------------------


def test_request_body_json_is_json_dumps() -> None:
    domain = {"intents": ["greet", "ask_pay"], "responses": {"utter_hi": [{"text": 'Hallo 👋 "du"'}]}}
    bodies: list[Any] = [
        {
            "next_action": "action_x",
            "sender_id": "s",
            "tracker": {"events": [1, 2.5, None]},
            "version": "3.6.21",
            "domain": domain,
        },
        {"domain": domain},
        {"domain": domain, "next_action": "action_x"},  # the domain not last: plain json.dumps
        {"next_action": "a", "domain": "not a dict"},
        [1, 2],
        {},
    ]
    for body in bodies:
        assert rasa_patches.request_body_json(body) == json.dumps(body)
    assert rasa_patches._domain_json[0] is domain
    other = {"intents": ["bye"]}  # another model's domain: serialised anew
    assert rasa_patches.request_body_json({"n": 1, "domain": other}) == json.dumps({"n": 1, "domain": other})
    assert rasa_patches._domain_json[0] is other


def test_the_domain_is_serialised_once(monkeypatch: pytest.MonkeyPatch) -> None:
    domain = {"intents": [f"intent_{n}" for n in range(50)]}
    monkeypatch.setattr(rasa_patches, "_domain_json", [None, ""])
    calls: list[object] = []
    real_dumps = json.dumps

    def counting_dumps(value: object, *args: Any, **kwargs: Any) -> str:
        calls.append(value)
        return real_dumps(value, *args, **kwargs)

    monkeypatch.setattr(rasa_patches.json, "dumps", counting_dumps)
    for n in range(3):
        rasa_patches.request_body_json({"n": n, "domain": domain})
    assert sum(1 for value in calls if value is domain) == 1


@pytest.fixture
def restore_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    current = EndpointConfig.__dict__["session"]
    monkeypatch.setattr(EndpointConfig, "session", getattr(current, rasa_patches.KEEPALIVE_MARKER, current))
    yield


@asynccontextmanager
async def action_endpoint(webhook: Any) -> AsyncIterator[EndpointConfig]:
    """Rasa's endpoint config for a local aiohttp server answering POST /webhook with `webhook`;
    its kept-alive session (when the keep-alive patch is on) is closed after."""
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        yield endpoint
        kept = endpoint.__dict__.get(rasa_patches.KEEPALIVE_MARKER)
        if kept is not None:
            await kept.close()
    finally:
        await runner.cleanup()


async def bodies_an_action_server_receives(json_bodies: list[Any]) -> list[bytes]:
    received: list[bytes] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.json_response({"events": [], "responses": []})

    async with action_endpoint(webhook) as endpoint:
        for body in json_bodies:
            await endpoint.request(json=body, method="post")
    return received


@pytest.mark.parametrize("cache", ["1", "0"])
def test_the_action_server_receives_the_same_bytes(
    restore_session: None, monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    monkeypatch.setenv(rasa_patches.DOMAIN_JSON_ENV, cache)
    rasa_patches.apply_keepalive()
    domain = {"slots": {"check_item": {"type": "text"}}, "responses": {"utter_ok": [{"text": "Gut ✓"}]}}
    bodies = [{"next_action": "action_a", "tracker": {"n": n}, "domain": domain} for n in range(3)]
    monkeypatch.setattr(rasa_patches, "_domain_json", [None, ""])
    received = asyncio.run(bodies_an_action_server_receives(bodies))
    assert received == [json.dumps(body).encode() for body in bodies]
    assert (rasa_patches._domain_json[0] is domain) == (cache == "1")


# --- the domain only to an action server that lacks it ----------------------------------------------


class DigestActionServer:
    """An action server with rasa_sdk's rule (`ActionExecutor.update_and_return_domain`): it keeps
    the last domain it was sent with its digest; a call without a domain and with another digest
    gets 449. `fail` is an answer given after the action ran: (status, body), e.g. 400 as rasa_sdk
    answers an action that rejects its execution, or a server error."""

    def __init__(self) -> None:
        self.kept: tuple[str | None, dict[str, Any] | None] = (None, None)
        self.received: list[tuple[bool, int]] = []  # (carried the domain, answered status)
        self.domains_used: list[dict[str, Any] | None] = []
        self.fail: tuple[int, dict[str, Any]] | None = None

    async def webhook(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        digest, domain = body.get("domain_digest"), body.get("domain")
        if domain is None and (not self.kept[0] or self.kept[0] != digest):
            self.received.append((False, 449))
            return web.json_response(
                {"error": "missing domain", "action_name": body["next_action"]}, status=449
            )
        if domain:
            self.kept = (digest, domain)
        if self.fail is not None:
            self.received.append((domain is not None, self.fail[0]))
            return web.json_response(self.fail[1], status=self.fail[0])
        self.received.append((domain is not None, 200))
        self.domains_used.append(self.kept[1])
        return web.json_response({"events": [], "responses": [{"text": f"ran {body['next_action']}"}]})


async def run_remote_actions(server: DigestActionServer, domains: list[Any]) -> list[list[str]]:
    """RemoteAction.run for each domain in turn against `server`; the texts each run uttered."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.trackers import DialogueStateTracker

    said: list[list[str]] = []
    async with action_endpoint(server.webhook) as endpoint:
        action = RemoteAction("action_x", endpoint)
        for domain in domains:
            tracker = DialogueStateTracker.from_events("digest-test", [], slots=domain.slots)
            events = await action.run(
                CollectingOutputChannel(),
                TemplatedNaturalLanguageGenerator(domain.responses),
                tracker,
                domain,
            )
            said.append([event.text for event in events if hasattr(event, "text")])
    return said


@pytest.fixture
def rasa_request_and_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rasa's own request and body, restored after the test (the digest patch may be applied)."""
    from rasa.core.actions.action import RemoteAction

    for owner, name in ((EndpointConfig, "request"), (RemoteAction, "_action_call_format")):
        current = owner.__dict__[name]
        monkeypatch.setattr(owner, name, getattr(current, rasa_patches.DOMAIN_DIGEST_MARKER, current))
    yield


def small_domain(intents: list[str]) -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.from_dict({"intents": intents, "responses": {"utter_ok": [{"text": "ok"}]}})


def test_the_domain_goes_only_to_an_action_server_that_lacks_it(rasa_request_and_format: None) -> None:
    rasa_patches.apply_domain_digest()
    assert rasa_patches.domain_digest_applied()
    server = DigestActionServer()
    first, other = small_domain(["greet", "bye"]), small_domain(["greet"])  # another model's domain
    said = asyncio.run(run_remote_actions(server, [first, first, first, other, other, first]))
    assert said == [["ran action_x"]] * 6
    assert server.received == [
        (False, 449),
        (True, 200),  # the action server has no domain yet: sent again whole
        (False, 200),
        (False, 200),
        (False, 449),
        (True, 200),  # another model's Rasa: its domain once
        (False, 200),
        (False, 449),
        (True, 200),  # and back
    ]
    expected = [first.as_dict()] * 3 + [other.as_dict()] * 2 + [first.as_dict()]
    assert server.domains_used == json.loads(json.dumps(expected))  # each action ran with its domain


def test_without_the_patch_every_call_carries_the_domain(rasa_request_and_format: None) -> None:
    server = DigestActionServer()
    domain = small_domain(["greet"])
    assert asyncio.run(run_remote_actions(server, [domain] * 3)) == [["ran action_x"]] * 3
    assert server.received == [(True, 200)] * 3


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (400, {"error": "no", "action_name": "action_x"}),  # rasa_sdk: the action rejected its execution
        (500, {"error": "KeyError"}),
        (449, {"error": "SomethingElse"}),  # a 449 that is not rasa_sdk's "send the domain"
        (449, {"error": "missing domain", "action_name": "action_other"}),
    ],
)
def test_an_action_that_ran_is_never_called_again(
    rasa_request_and_format: None, status: int, answer: dict[str, Any]
) -> None:
    """Only rasa_sdk's 449 for the action called (raised before the action runs) makes the patch
    send the call again; any other error reaches Rasa as it came, after one request, whether the
    action server had the domain or not (a contact request must never reach a company twice)."""
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    rasa_patches.apply_domain_digest()
    domain = small_domain(["greet"])
    for has_domain in (False, True):
        server = DigestActionServer()
        if has_domain:  # one call first, so that the server keeps the domain
            asyncio.run(run_remote_actions(server, [domain]))
            server.received.clear()
        server.fail = (status, answer)
        expected_error = ActionExecutionRejection if status == 400 else RasaException
        with pytest.raises(expected_error):
            asyncio.run(run_remote_actions(server, [domain]))
        if has_domain:
            assert server.received == [(False, status)]
        else:  # rasa_sdk's 449 first (before anything runs), then the failing run, once
            assert server.received == [(False, 449), (True, status)]


def test_the_digest_is_computed_once_per_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setattr(rasa_patches, "_domain_digest", [None, ""])
    domain = {"intents": ["greet"]}
    expected = hashlib.sha256(json.dumps(domain).encode()).hexdigest()
    assert rasa_patches.domain_digest(domain) == expected
    monkeypatch.setattr(rasa_patches.hashlib, "sha256", None)  # a second computation would fail
    assert rasa_patches.domain_digest(domain) == expected
    with pytest.raises(TypeError):
        rasa_patches.domain_digest({"intents": ["greet"]})  # an equal but other dict: computed anew


# --- fast predict, on the trained model ----------------------------------------------------------

MESSAGES = (
    "hallo",
    "was macht ein tischler",
    "und was verdient man da",
    "wie lange dauert die ausbildung zur pflegefachfrau",
    "ich will was mit tieren machen",
    "what does a nurse do?",
    "lösch meine daten",
    "kfz",
    "Ich weiß nicht, was ich werden will. Kannst du mir helfen?",
    "wie lange dauert eigentlich die probezeit",  # the rules of training: the response selector
)


def parse_summary(parse: dict[str, Any]) -> tuple[Any, ...]:
    selector = parse.get("response_selector") or {}
    return (
        parse["intent"],
        parse["intent_ranking"],
        [(e["entity"], e["value"], e["start"], e["end"], e.get("extractor")) for e in parse["entities"]],
        {key: value.get("response") for key, value in selector.items() if isinstance(value, dict)},
    )


async def what_the_model_says(agent: Any, sender: str) -> list[Any]:
    """Every parse of MESSAGES, and the scores of every action after each message of one
    conversation (NLU through DIET and the response selector, the policies through TED)."""
    from rasa.core.channels.channel import UserMessage

    said: list[Any] = []
    for text in MESSAGES:
        said.append(parse_summary(await agent.parse_message(text)))
        await agent.log_message(UserMessage(text, sender_id=sender))
        prediction = await agent.predict_next_for_sender_id(sender)
        said.append((prediction["scores"], prediction["policy"], prediction["confidence"]))
    return said


@pytest.fixture(scope="module")
def agent() -> Any:
    model = find_model(MODELS, os.environ)
    if model is None or not model.is_file():
        pytest.fail(f"no trained model in {MODELS} and {MODEL_ENV} is not set: train one with `make model`")
    from rasa.core.agent import Agent

    return Agent.load(str(model))


def test_the_trained_model_predicts_the_same_with_the_fast_call(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = RasaModel.__dict__["_rasa_predict"]
    rasa_predict = getattr(current, rasa_patches.FAST_PREDICT_MARKER, current)
    monkeypatch.setattr(RasaModel, "_rasa_predict", rasa_predict)
    assert not rasa_patches.fast_predict_applied()
    as_shipped = asyncio.run(what_the_model_says(agent, "as-shipped"))

    rasa_patches.apply_fast_predict()
    assert rasa_patches.fast_predict_applied()
    fast_calls: list[int] = []
    inputs = rasa_patches._TracedPredict.inputs

    def counted(self: Any, batch_in: Any) -> Any:
        tensors = inputs(self, batch_in)
        fast_calls.append(tensors is not None)
        return tensors

    monkeypatch.setattr(rasa_patches._TracedPredict, "inputs", counted)
    fast_predict = RasaModel.__dict__["_rasa_predict"]
    models: list[str] = []

    def which(self: Any, batch_in: Any) -> Any:
        models.append(type(self).__name__)
        return fast_predict(self, batch_in)

    monkeypatch.setattr(RasaModel, "_rasa_predict", which)
    # a new conversation each time; the first run finds each function traced already (as_shipped)
    patched = [asyncio.run(what_the_model_says(agent, f"patched-{n}")) for n in range(2)]
    assert patched[0] == as_shipped and patched[1] == as_shipped
    # every prediction through the traced function directly: DIET's and the response selector's
    # (for the rules question) always, TED's when it was asked (the lazy policies ask it seldom)
    assert {"DIET", "DIET2BOW"} <= set(models) <= {"DIET", "DIET2BOW", "TED"}
    # (a model's first call after the patch is applied finds no kept function and goes Rasa's way)
    assert all(fast_calls) and len(models) - len(set(models)) <= len(fast_calls) <= len(models)


def test_a_batch_unlike_the_traced_one_takes_rasas_way(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    current = RasaModel.__dict__["_rasa_predict"]
    monkeypatch.setattr(
        RasaModel, "_rasa_predict", getattr(current, rasa_patches.FAST_PREDICT_MARKER, current)
    )
    rasa_patches.apply_fast_predict()
    for _ in range(2):  # the first call of a model may trace; the second keeps its traced function
        asyncio.run(agent.parse_message("was macht eine tischlerin"))
    traced = [
        value
        for model in _models_of(agent)
        if (value := model.__dict__.get(rasa_patches.FAST_PREDICT_MARKER)) is not None
    ]
    assert traced, "no model was called through the fast path"
    one = traced[0]
    batch = tuple(
        np.zeros([1] * len(shape[:-1]) + [shape[-1] or 1], dtype=dtype)
        for dtype, shape in zip(one.dtypes, one.shapes, strict=True)
    )
    assert one.inputs(batch) is not None
    wrong_dtype = (batch[0].astype(np.float64), *batch[1:])
    assert one.inputs(wrong_dtype) is None
    assert one.inputs(batch[:-1]) is None
    assert one.inputs(list(batch)) is None
    fixed = [index for index, shape in enumerate(one.shapes) if shape and shape[-1] is not None]
    assert fixed  # the sparse features' indices: (None, 3)
    for index in fixed:
        wider = np.zeros((*batch[index].shape[:-1], batch[index].shape[-1] + 1), dtype=one.dtypes[index])
        assert one.inputs((*batch[:index], wider, *batch[index + 1 :])) is None


def _models_of(agent: Any) -> list[RasaModel]:
    import gc

    return [obj for obj in gc.get_objects() if isinstance(obj, RasaModel)]


# --- rule matching, on the trained rules -------------------------------------------------------------


def test_the_trained_rules_match_as_in_rasa(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """After every event of the conversations of bot/tests, the rules found (and their order, which
    decides between rules of the same length) are Rasa's, for the rules and the loop's unhappy paths."""
    import gc

    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.bot.test_applied_events_patch import conversations

    current = RulePolicy.__dict__["_get_possible_keys"]
    rasa_possible_keys = getattr(current, rasa_patches.RULE_MATCH_MARKER, current)
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", rasa_possible_keys)
    assert not rasa_patches.rule_match_applied()
    rasa_patches.apply_rule_match()
    assert rasa_patches.rule_match_applied()
    (policy,) = [obj for obj in gc.get_objects() if type(obj) is RulePolicy]
    domain = agent.domain
    found = {RULES: 0, RULES_FOR_LOOP_UNHAPPY_PATH: 0}
    for name, events in conversations(domain):
        tracker = DialogueStateTracker("pupil", list(domain.slots))
        for index, event in enumerate(events):
            tracker.update(event)
            states = policy._prediction_states(tracker, domain, rule_only_data=policy._get_rule_only_data())
            for lookup in found:
                ours = list(policy._get_possible_keys(policy.lookup[lookup], states))
                assert ours == list(rasa_possible_keys(policy, policy.lookup[lookup], states)), (name, index)
                found[lookup] += bool(ours)
    assert found[RULES] > 500 and found[RULES_FOR_LOOP_UNHAPPY_PATH] > 20, found


# --- the response selector only for its retrieval intent, on the trained model -----------------------

OPEN_QUESTIONS = Path(__file__).parent / "data" / "open_questions_heldout.yml"


def _selector_nodes(agent: Any) -> list[Any]:
    from rasa.nlu.selectors.response_selector import ResponseSelector

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    return [node for node in nodes if node._component_class is ResponseSelector]


def _parse_all(agent: Any, texts: list[str]) -> list[dict[str, Any]]:
    async def parse() -> list[dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(parse())


def test_the_selector_answers_as_rasa_wherever_its_choice_is_read(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every open question of the held-out set (about a third are questions about the rules of
    training), parsed with Rasa's selector and with the lazy one. The lazy one asks Rasa's selector
    for exactly the messages the classifier gave the retrieval intent, and those get the whole
    parse Rasa gives, with the selector's choice; any other message gets the same parse but for the
    choice, with Rasa's list of retrieval intents in its place."""
    from rasa.nlu.selectors.response_selector import ResponseSelector
    from rasa.shared.nlu.constants import TEXT

    current = ResponseSelector.__dict__["process"]
    rasa_process = getattr(current, rasa_patches.LAZY_SELECTOR_MARKER, current)
    nodes = _selector_nodes(agent)
    assert len(nodes) == 1
    retrieval = nodes[0]._component.retrieval_intent
    assert retrieval == "rules"
    texts = [question.text for question in load_questions(OPEN_QUESTIONS)]
    # what the selector is given: the text and the classifier's intent of each message
    given: list[tuple[str, str]] = []

    def recorded(self: Any, messages: list[Any]) -> list[Any]:
        given.extend((message.get(TEXT), message.get("intent")["name"]) for message in messages)
        return rasa_process(self, messages)

    monkeypatch.setattr(nodes[0], "_fn", recorded)
    as_shipped = _parse_all(agent, texts)
    classified = dict(given)
    given.clear()
    monkeypatch.setattr(nodes[0], "_fn", rasa_patches._make_lazy_selector(recorded))
    lazy = _parse_all(agent, texts)

    read = {text for text, intent in classified.items() if intent == retrieval}
    assert 50 <= len(read) <= len(texts) - 50, "both kinds of message must be compared"
    assert {text for text, _ in given} == read
    for text, theirs, ours in zip(texts, as_shipped, lazy, strict=True):
        if text in read:
            assert ours == theirs
        else:
            assert ours["intent"]["name"] != retrieval
            retrieval_intents = theirs.pop("response_selector")["all_retrieval_intents"]
            assert ours.pop("response_selector") == {"all_retrieval_intents": retrieval_intents}
            assert ours == theirs


def test_the_lazy_selector_is_applied_before_the_model_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the serving Rasa gets: the patch on the class, so that a graph built afterwards calls it."""
    from rasa.nlu.selectors.response_selector import ResponseSelector

    current = ResponseSelector.__dict__["process"]
    monkeypatch.setattr(
        ResponseSelector, "process", getattr(current, rasa_patches.LAZY_SELECTOR_MARKER, current)
    )
    assert not rasa_patches.lazy_selector_applied()
    rasa_patches.apply_lazy_selector()
    assert rasa_patches.lazy_selector_applied()
    rasa_process = getattr(ResponseSelector.__dict__["process"], rasa_patches.LAZY_SELECTOR_MARKER)
    assert not hasattr(rasa_process, rasa_patches.LAZY_SELECTOR_MARKER)
    rasa_patches.apply_lazy_selector()  # twice: still one wrapper around Rasa's function
    assert getattr(ResponseSelector.__dict__["process"], rasa_patches.LAZY_SELECTOR_MARKER) is rasa_process
