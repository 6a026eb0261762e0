"""Patches to the Rasa engine, applied once when a serving Rasa process starts.

Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result` in rasa/core/actions/action.py). That call first checks
the schema itself against the JSON Schema metaschema (draft 2020-12) and builds a new validator,
on every call: about 22 ms per custom action on our machine, a quarter of Rasa's CPU under load
(issue 16). The schema never changes, so this module builds the validator once per schema and
lets it check each response.

What stays the same: a valid response passes exactly as before (the validator class is the one
`jsonschema.validate` would pick, `validator_for(schema)`, with the same arguments, so it accepts
exactly what `validate` accepts). An invalid response goes to Rasa's own
`_validate_action_result`, which raises the same `jsonschema.ValidationError` with Rasa's own
message. Only valid responses (every response, in normal operation) take the fast path.

Where it is loaded: bot/tracker_store.py calls `apply()` when it is imported. Every Rasa server
the project starts imports that module, because the endpoints file that scripts/stack.py writes
names `bot.tracker_store.ErasableSQLTrackerStore` as the tracker store (Rasa imports it by module
path when the server starts, before the first message). `rasa train` and `rasa test core` call no
action server, so they need no patch. tests/bot/test_rasa_patches.py checks the chain.

Second, keep-alive to the action server. Rasa 3.6's `EndpointConfig.request` opens a new aiohttp
`ClientSession` for every call (rasa/utils/endpoints.py), so every custom action pays for a new
session and a new TCP connection. With this patch `EndpointConfig.session()` hands out one session
per endpoint and event loop, which `request` then uses as before, but leaving the `async with`
does not close it: its connections are kept alive and reused. The session is built exactly as
Rasa builds it (the endpoint's headers, basic auth and timeout). aiohttp drops an idle connection
after 15 s, long before the action server does (rasa_sdk keeps one for 120 s), so a kept
connection is not closed under a request by the server. BERUFSLOTSE_RASA_KEEPALIVE=0 switches it
off (the bench measures with and without).

Third, `DialogueStateTracker.applied_events()` remembers its answer per tracker object. Rasa 3.6
rebuilds the list of applied events (the events minus reverted ones; a form's happy-path steps fold
into its latest execution) from the first event on every call, and every policy calls it for every
prediction (`past_states` -> `generate_all_prior_trackers`), as do the processor and the form: 6-8
times per message, about 15 ms each at the end of a full check (450 events), most of the policies'
time and why a message at the end of a check took 4x as long as one at its start (docs/bench.md).
With the patch the tracker keeps the list and how many events it covers; the next call goes on
from there with only the events added since (Rasa's own loop and helper methods, the same order,
the same loop names), so the first call of a turn costs what it did and the others almost nothing.
It answers exactly what Rasa's code answers: a tracker whose events were not only appended to
(another event list, the event before the first new one not the same object, a new loop name
among the new events, a bounded `max_event_history`) is computed from scratch by Rasa's function.
tests/bot/test_rasa_patches.py compares both on every prefix of the conversations of bot/tests and
a full check. BERUFSLOTSE_RASA_APPLIED_EVENTS_CACHE=0 switches it off.

Fourth, reading a conversation from the tracker store. Rasa 3.6 turns each stored event back into
an object by its type name with `Event.resolve_by_type`, which walks every subclass of `Event`
(`all_subclasses`, with an `inspect.isabstract` check per class) for every event: 0.1 ms per
event, 70 % of loading a full check's 450 events (75 ms). With the patch the answer per type
name is remembered: the first call asks Rasa's function, later ones get the class it returned.
Only classes found are remembered (an unknown name, "topic" and a `default` returned are asked
again each time). A new subclass of `Event` (Python calls `Event.__init_subclass__` for every
subclass at every depth) empties the memory, so a class defined later is found as Rasa finds it.
BERUFSLOTSE_RASA_EVENT_TYPES_CACHE=0 switches it off.

Fifth, model predictions (DIET, the response selector, TED: three per message and one more per
prediction of the next action). Rasa 3.6 calls the `tf.function` it traced for a model with the
batch of numpy arrays, and TensorFlow checks and converts those inputs against the function's
signature on every call, in Python: about 2 ms per call, more than the model's own arithmetic.
With the patch the model keeps the traced function's one concrete function and calls it with the
arrays as tensors (SUPPORTED_TENSORFLOW: the version whose private `_call_flat` and `EagerTensor`
it uses), after checking in a few comparisons that each array has the dtype, number of
dimensions and fixed sizes the function was traced with; a batch that does not (and the first
call, which traces) goes Rasa's way. The same graph runs on the same numbers:
tests/bot/test_model_patches.py compares every parse and every action's score of the trained model
with and without. BERUFSLOTSE_RASA_FAST_PREDICT=0 switches it off.

Sixth, combining sparse features. Every NLU model asks a message for its features, and Rasa
joins the featurizers' COO matrices with `scipy.sparse.hstack`, whose general block code converts
and checks each block and the result (about 0.4 ms per join, 10 joins per message). `hstack_coo`
builds the same matrix (dtype, index dtype, entries in order) in one step for two COO matrices
with the same number of rows; anything else goes Rasa's way (SUPPORTED_SCIPY: the scipy whose
`bmat` it reproduces). BERUFSLOTSE_RASA_SPARSE_COMBINE=0 switches it off.

Seventh, with keep-alive: the request body to the action server is Rasa's dict, serialised by
aiohttp with `json.dumps`; the domain in it (150 KB, the same dict for every call) is serialised
once per domain and put in its place (`request_body_json`, byte for byte what `json.dumps` writes).
BERUFSLOTSE_RASA_DOMAIN_JSON_CACHE=0 switches it off.

Eighth, the rule policy's search for the rules that match the conversation (every prediction, 209
trained rules, each checked against the conversation's states turn by turn back in time): Rasa
reads a rule's states from its JSON key (an lru_cache lookup), reverses them and turns lists into
tuples on every check of every rule. With the patch each rule is prepared once per policy
(`prepare_rule`) and checked by `rule_checker()`, Rasa's two functions on the prepared form; the
sets are built as Rasa builds them, so the rules found and their order (which decides between two
rules of the same length) are Rasa's. A subclass with its own check goes Rasa's way.
tests/bot/test_model_patches.py compares both after every event of the conversations of bot/tests.
BERUFSLOTSE_RASA_RULE_MATCH=0 switches it off.

Ninth, past states. TED and memoization each build the past states of the tracker for every
prediction (`past_states` replays every applied event into a fresh tracker), with the same
arguments; the rule policy builds another kind. With the patch the tracker remembers each kind's
answer with the domain, the number of events and the latest event object, and gives each caller
its own copy (the featurizers delete keys of a state's sub-states; a sub-state that several states
share in Rasa's answer is one shared dict in the copy too). Anything else (an event added,
another domain or rule-only data, a bounded event history) is Rasa's function.
tests/bot/test_policy_patches.py compares after every event of bot/tests' conversations.
BERUFSLOTSE_RASA_PAST_STATES_CACHE=0 switches it off.

Tenth, policies asked only when their prediction can matter. Rasa's graph runs every policy for
every prediction, then `DefaultPolicyPredictionEnsemble._pick_best_policy` keeps one: a no-user
prediction leaves out the others, then an end-to-end one those that are not, then the highest
(confidence, priority) wins. The rule policy (priority 6) or memoization (3) predicting with
confidence 1.0 therefore wins against TED (1), whose softmax confidence is never above 1.0, and a
certain rule wins against memoization. With the patch, TED and memoization (exactly these classes;
TED only when it was not trained on texts, so that its prediction is never an end-to-end one) return
a deferred prediction (`deferred_prediction_class`): a `PolicyPrediction` that calls the policy when
any attribute is first read. The ensemble's pick asks a deferred policy (the highest priority first)
only while `cannot_win` does not hold for it against the predictions known so far; otherwise it
picks among the known predictions, in their order, as Rasa does: the same winner, the same events
(a skipped TED or memoization would add none). In our assistant rules decide almost every turn: on
the 989 predictions of tests/bot/test_lazy_policies.py TED was asked 3 times and won none, and
Rasa's work per message fell by about half. Rasa's graph keeps each policy's function from when the
model is loaded, so the patch must come first (the tracker store is imported before the model is
loaded). tests/bot/test_lazy_policies.py compares the whole winning prediction with Rasa's at every
point of bot/tests' conversations where Rasa predicted, and on random walks through the intents.
BERUFSLOTSE_RASA_LAZY_POLICIES=0 switches it off.

Eleventh, the response selector only where its answer is read. Rasa's ResponseSelector (trained
for the retrieval intent `rules`) runs its model for every message and writes its choice, with the
chosen response's texts and a ranking of ten, into the message's parse data, which the tracker
store keeps and every call to the action server carries (2.4 of 3.1-3.7 KB of a message's parse
data). Its choice is read only when the message's intent is that retrieval intent: Rasa sets
`full_retrieval_intent_name` only then (`MessageProcessor._update_full_retrieval_intent`), and our
one rule that says `utter_rules` follows `intent: rules`. With the patch the selector runs Rasa's
`process` only for messages whose intent, as the classifier before it set it, is its retrieval
intent; any other message gets what Rasa writes except the prediction: the list of retrieval
intents (so `ActionRetrieveResponse`, if it ever ran after such a message, would find no choice
and say nothing, as Rasa does for a selector of another intent, instead of failing). A selector
trained for every retrieval intent (no `retrieval_intent`) or a subclass goes Rasa's way. 2.8 of
10 ms of NLU per message. tests/bot/test_model_patches.py compares every parse of the held-out set
of open questions with and without. BERUFSLOTSE_RASA_LAZY_SELECTOR=0 switches it off.

Twelfth, the domain sent only to an action server that lacks it. Rasa 3.6 puts the whole domain
(180 KB as JSON) into every call to the action server, which parses it on every call (about 1 ms of
its 2-3 ms per call). rasa_sdk (3.8 and later; we install 3.21) keeps the domain it was last sent
with its `domain_digest` and takes a call without a domain whose digest is the one it keeps; for any
other digest without a domain it answers 449 (`ActionExecutor.update_and_return_domain`), the
protocol newer Rasa versions speak. With the patch `RemoteAction._action_call_format` adds the
digest (sha256 of the domain's JSON, computed once per domain) before the domain, and
`EndpointConfig.request` sends such a body first without the domain; only on a 449 (a new action
server process, or one another model's Rasa spoke to last) it sends the whole body, as Rasa would
have, which the action server keeps for the next calls. Every other request, and every other
answer, is Rasa's. The action then runs with the same domain. tests/bot/test_model_patches.py
(a fake action server with rasa_sdk's rule: what it receives and when; any other error answer is
never sent again) and tests/contract/test_action_protocol.py (Rasa's RemoteAction and our action
server: 449, then the domain kept). Our action server never answers 449 for an action that failed
(actions/server.py).
BERUFSLOTSE_RASA_DOMAIN_DIGEST=0 switches it off.

Last, only for the benchmark: when BERUFSLOTSE_STAGE_TIMINGS names a folder (scripts/bench_stages.py
sets it; nothing else does), `apply()` also wraps a few of Rasa's methods with timers that write
one line per stage to that folder (bot/stage_timing.py): the tracker store's load and save, NLU,
each policy prediction, every graph node (each NLU component, each policy: TED, memoization,
rules), each action and, for a custom action, building the request body and the HTTP call to the
action server. The wrappers call the original and return its result unchanged. Without the
variable nothing is wrapped (`stage_timings_applied()` is False).

A Rasa upgrade cannot break this silently: `apply()` patches only a Rasa version it knows
(SUPPORTED_RASA) whose `RemoteAction` still has the functions it relies on. Otherwise it logs an
error and leaves Rasa's own behaviour (slower, still correct). It never raises: an exception while
importing the tracker store would make Rasa fall back to an in-memory store.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from bot.stage_timing import StageRecorder, recorder_for

logger = logging.getLogger(__name__)

# Rasa versions whose RemoteAction._validate_action_result this module has been read against.
SUPPORTED_RASA = ("3.6.",)
# the TensorFlow whose ConcreteFunction._call_flat and EagerTensor the fast predict uses (Rasa 3.6 pins 2.12)
SUPPORTED_TENSORFLOW = ("2.12.",)
# the scipy whose sparse `bmat` hstack_coo reproduces (Rasa 3.6 pins scipy < 2)
SUPPORTED_SCIPY = ("1.10.",)

# set on the function this module installs, so `apply()` is idempotent and tests can tell
PATCH_MARKER = "_berufslotse_patch"

# One validator per response schema, keyed by the function that returns the schema
# (`RemoteAction.action_response_format_spec` is a static method that builds the same dict each call).
_validators: dict[Callable[[], dict[str, Any]], Any] = {}


def response_validator(schema_function: Callable[[], dict[str, Any]]) -> Any:
    """The validator for the schema `schema_function` returns, built (and the schema checked) once."""
    validator = _validators.get(schema_function)
    if validator is None:
        from jsonschema.validators import validator_for

        schema = schema_function()
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)  # what `jsonschema.validate` does on every call
        validator = validator_class(schema)
        _validators[schema_function] = validator
    return validator


def _make_fast_validation(rasa_validation: Callable[[Any, dict[str, Any]], bool]) -> Callable[..., bool]:
    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        """Rasa's check of an action server response, with a validator built once per schema."""
        validator = response_validator(type(self).action_response_format_spec)
        if validator.is_valid(result):
            return True
        # Invalid: Rasa's own code raises its ValidationError with its own message.
        return rasa_validation(self, result)

    setattr(_validate_action_result, PATCH_MARKER, rasa_validation)
    return _validate_action_result


def is_applied() -> bool:
    """Whether RemoteAction in this process validates responses with the cached validator."""
    from rasa.core.actions.action import RemoteAction

    return hasattr(getattr(RemoteAction, "_validate_action_result", None), PATCH_MARKER)


def apply() -> bool:
    """Patch this process's Rasa; True when the patch is active. Logs an error instead of raising."""
    try:
        return _apply()
    except Exception:  # never break the import that loads this module (see the module docstring)
        logger.exception("rasa_patches: could not patch Rasa; it keeps its own (slower) behaviour")
        return False


def _apply() -> bool:
    import rasa
    from rasa.core.actions.action import RemoteAction

    version = getattr(rasa, "__version__", "unknown")
    if not version.startswith(SUPPORTED_RASA):
        logger.error(
            "rasa_patches: Rasa %s is not a version this patch was written for (%s); "
            "action server responses are validated by Rasa itself (about 22 ms per call). "
            "Read RemoteAction._validate_action_result again and update bot/rasa_patches.py.",
            version,
            ", ".join(f"{prefix}x" for prefix in SUPPORTED_RASA),
        )
        return False
    rasa_validation = RemoteAction.__dict__.get("_validate_action_result")
    schema_function = getattr(RemoteAction, "action_response_format_spec", None)
    if not callable(rasa_validation) or not callable(schema_function):
        logger.error(
            "rasa_patches: Rasa %s has no RemoteAction._validate_action_result or "
            "action_response_format_spec; nothing patched, Rasa validates responses itself.",
            version,
        )
        return False
    if not hasattr(rasa_validation, PATCH_MARKER):
        response_validator(schema_function)  # build it now, not during the first conversation
        RemoteAction._validate_action_result = _make_fast_validation(rasa_validation)
        logger.info("rasa_patches: action server responses are validated with a validator built once")
    if os.environ.get(KEEPALIVE_ENV, "1") != "0":
        apply_keepalive()
    if os.environ.get(APPLIED_EVENTS_ENV, "1") != "0":
        apply_applied_events_cache()
    if os.environ.get(EVENT_TYPES_ENV, "1") != "0":
        apply_event_types_cache()
    if os.environ.get(FAST_PREDICT_ENV, "1") != "0":
        apply_fast_predict()
    if os.environ.get(SPARSE_COMBINE_ENV, "1") != "0":
        apply_sparse_combine()
    if os.environ.get(RULE_MATCH_ENV, "1") != "0":
        apply_rule_match()
    if os.environ.get(PAST_STATES_ENV, "1") != "0":
        apply_past_states_cache()
    if os.environ.get(LAZY_POLICIES_ENV, "1") != "0":
        apply_lazy_policies()
    if os.environ.get(LAZY_SELECTOR_ENV, "1") != "0":
        apply_lazy_selector()
    if os.environ.get(DOMAIN_DIGEST_ENV, "1") != "0":
        apply_domain_digest()
    recorder = recorder_for("rasa")
    if recorder is not None:
        apply_stage_timings(recorder)
    return True


# --- keep-alive: one aiohttp session per endpoint and event loop ------------------------------

KEEPALIVE_ENV = "BERUFSLOTSE_RASA_KEEPALIVE"
KEEPALIVE_MARKER = "_berufslotse_keepalive"


class _KeptSession:
    """What `EndpointConfig.session()` returns with the patch: `async with` yields the endpoint's
    shared session and leaves it open (Rasa's `request` is the only user; see the docstring)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _make_kept_session(rasa_session: Callable[[Any], Any]) -> Callable[[Any], _KeptSession]:
    def session(self: Any) -> _KeptSession:
        """The endpoint's session for the running event loop, built by Rasa's own `session()`."""
        loop = asyncio.get_running_loop()
        kept = self.__dict__.get(KEEPALIVE_MARKER)
        if kept is None or kept.closed or getattr(kept, "_loop", loop) is not loop:
            kept = rasa_session(self)
            if os.environ.get(DOMAIN_JSON_ENV, "1") != "0" and hasattr(kept, "_json_serialize"):
                kept._json_serialize = request_body_json
            self.__dict__[KEEPALIVE_MARKER] = kept
        return _KeptSession(kept)

    setattr(session, KEEPALIVE_MARKER, rasa_session)
    return session


def keepalive_applied() -> bool:
    from rasa.utils.endpoints import EndpointConfig

    return hasattr(EndpointConfig.__dict__.get("session"), KEEPALIVE_MARKER)


def apply_keepalive() -> None:
    from rasa.utils.endpoints import EndpointConfig

    rasa_session = EndpointConfig.__dict__.get("session")
    if not callable(rasa_session) or hasattr(rasa_session, KEEPALIVE_MARKER):
        return
    EndpointConfig.session = _make_kept_session(rasa_session)
    logger.info("rasa_patches: calls to the action server reuse kept-alive connections")


# --- the domain in a request body: serialised once per domain ---------------------------------

DOMAIN_JSON_ENV = "BERUFSLOTSE_RASA_DOMAIN_JSON_CACHE"
# the domain dict Rasa sent last (`Domain.as_dict()` returns the same dict every time) and its JSON
_domain_json: list[Any] = [None, ""]


def domain_json(domain: dict[str, Any]) -> str:
    """`json.dumps(domain)`, computed once for the domain dict of the loaded model."""
    if _domain_json[0] is not domain:
        _domain_json[:] = [domain, json.dumps(domain)]
    return str(_domain_json[1])


def request_body_json(body: Any) -> str:
    """`json.dumps(body)`, byte for byte, with the domain (Rasa adds it last, 150 KB of our 160 KB
    for a short conversation) taken from `domain_json` instead of serialised on every call."""
    if (
        type(body) is not dict
        or not body
        or next(reversed(body)) != "domain"
        or type(body["domain"]) is not dict
    ):
        return json.dumps(body)
    rest = json.dumps({key: value for key, value in body.items() if key != "domain"})
    if rest == "{}":
        return '{"domain": ' + domain_json(body["domain"]) + "}"
    return rest[:-1] + ', "domain": ' + domain_json(body["domain"]) + "}"


# --- the domain only to an action server that lacks it (rasa_sdk's domain digest) ---------------

DOMAIN_DIGEST_ENV = "BERUFSLOTSE_RASA_DOMAIN_DIGEST"
DOMAIN_DIGEST_MARKER = "_berufslotse_domain_digest"
# rasa_sdk's names: the key of the digest in a call, and its answer to an unknown digest without a domain
DOMAIN_DIGEST_KEY = "domain_digest"
MISSING_DOMAIN_STATUS = 449
# the domain dict whose digest was computed last, and the digest
_domain_digest: list[Any] = [None, ""]


def domain_digest(domain: dict[str, Any]) -> str:
    """sha256 of the domain's JSON as Rasa sends it, computed once for the loaded model's domain."""
    if _domain_digest[0] is not domain:
        _domain_digest[:] = [domain, hashlib.sha256(domain_json(domain).encode()).hexdigest()]
    return str(_domain_digest[1])


def _make_digest_call_format(rasa_format: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def _action_call_format(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Rasa's body for the action server, with the domain's digest before the domain (which
        stays last, see `request_body_json`). A body without a domain (Rasa's own selective domain)
        stays as it is."""
        body = rasa_format(self, *args, **kwargs)
        domain = body.get("domain")
        if type(domain) is not dict:
            return body
        del body["domain"]
        body[DOMAIN_DIGEST_KEY] = domain_digest(domain)
        body["domain"] = domain
        return body

    setattr(_action_call_format, DOMAIN_DIGEST_MARKER, rasa_format)
    return _action_call_format


def lacks_domain(error: Any, action_name: object) -> bool:
    """Whether an error answer is rasa_sdk's "I do not have this domain" for the action called:
    449 with the action's name (`ActionMissingDomainException`, raised before the action runs). Any
    other answer goes to Rasa as it came: the action may have run, and must not run twice."""
    if getattr(error, "status", None) != MISSING_DOMAIN_STATUS:
        return False
    try:
        answer = json.loads(error.text)
    except (TypeError, ValueError):
        return False
    return isinstance(answer, dict) and answer.get("action_name") == action_name


def _make_digest_request(rasa_request: Callable[..., Any]) -> Callable[..., Any]:
    from rasa.utils.endpoints import ClientResponseError

    async def request(self: Any, *args: Any, **kwargs: Any) -> Any:
        """Rasa's request; a call to the action server with a digest goes first without the domain,
        and again whole if the action server answers that it does not have that domain."""
        body = kwargs.get("json")
        if type(body) is not dict or DOMAIN_DIGEST_KEY not in body or type(body.get("domain")) is not dict:
            return await rasa_request(self, *args, **kwargs)
        without = {key: value for key, value in body.items() if key != "domain"}
        try:
            return await rasa_request(self, *args, **{**kwargs, "json": without})
        except ClientResponseError as error:
            if not lacks_domain(error, body.get("next_action")):
                raise
        return await rasa_request(self, *args, **kwargs)

    setattr(request, DOMAIN_DIGEST_MARKER, rasa_request)
    return request


def domain_digest_applied() -> bool:
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    return hasattr(RemoteAction.__dict__.get("_action_call_format"), DOMAIN_DIGEST_MARKER) and hasattr(
        EndpointConfig.__dict__.get("request"), DOMAIN_DIGEST_MARKER
    )


def apply_domain_digest() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    rasa_format = RemoteAction.__dict__.get("_action_call_format")
    rasa_request = EndpointConfig.__dict__.get("request")
    if not callable(rasa_format) or not callable(rasa_request):
        logger.error("rasa_patches: RemoteAction or EndpointConfig changed; the domain goes with every call")
        return
    if not hasattr(rasa_format, DOMAIN_DIGEST_MARKER):
        RemoteAction._action_call_format = _make_digest_call_format(rasa_format)
    if not hasattr(rasa_request, DOMAIN_DIGEST_MARKER):
        EndpointConfig.request = _make_digest_request(rasa_request)
    logger.info("rasa_patches: the domain goes to the action server only when it lacks it")


# --- applied events: computed once per tracker object and then only for the new events -------

APPLIED_EVENTS_ENV = "BERUFSLOTSE_RASA_APPLIED_EVENTS_CACHE"
APPLIED_EVENTS_MARKER = "_berufslotse_applied_events"


class _AppliedEvents:
    """What a tracker remembers: its event list, how many of its events `applied` covers, the last
    of those, the loop names of those events, and the applied events themselves."""

    __slots__ = ("applied", "count", "events", "last", "loop_names")

    def __init__(self, events: Any, count: int, last: Any, loop_names: set[str], applied: list[Any]) -> None:
        self.events = events
        self.count = count
        self.last = last
        self.loop_names = loop_names
        self.applied = applied


def _make_cached_applied_events(
    rasa_applied_events: Callable[[Any], list[Any]],
) -> Callable[[Any], list[Any]]:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    def apply_one(tracker: Any, event: Any, applied: list[Any], loop_names: set[str]) -> list[Any]:
        """One step of the loop of Rasa 3.6.21's `DialogueStateTracker.applied_events`, unchanged
        (rasa/shared/core/trackers.py); returns the list to go on with."""
        if isinstance(event, (Restarted, SessionStarted)):
            return []
        if isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
        return applied

    def loop_names_of(events: Any) -> set[str]:
        return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}

    def applied_events(self: Any) -> list[Any]:
        """Rasa's applied events, remembered per tracker and extended by the events added since."""
        events = self.events
        if getattr(events, "maxlen", None) is not None:  # old events fall out: not only appended
            return rasa_applied_events(self)
        total = len(events)
        known: _AppliedEvents | None = self.__dict__.get(APPLIED_EVENTS_MARKER)
        if (
            known is not None
            and known.events is events
            and known.count <= total
            and (known.count == 0 or events[known.count - 1] is known.last)
        ):
            new = [events[index] for index in range(known.count - total, 0)]
            if loop_names_of(new) <= known.loop_names:
                applied = known.applied
                for event in new:
                    applied = apply_one(self, event, applied, known.loop_names)
                known.applied, known.count = applied, total
                known.last = events[-1] if total else None
                return list(applied)
        loop_names = loop_names_of(events)
        applied = []
        for event in events:
            applied = apply_one(self, event, applied, loop_names)
        self.__dict__[APPLIED_EVENTS_MARKER] = _AppliedEvents(
            events, total, events[-1] if total else None, loop_names, applied
        )
        return list(applied)

    setattr(applied_events, APPLIED_EVENTS_MARKER, rasa_applied_events)
    return applied_events


def applied_events_cache_applied() -> bool:
    from rasa.shared.core.trackers import DialogueStateTracker

    return hasattr(DialogueStateTracker.__dict__.get("applied_events"), APPLIED_EVENTS_MARKER)


def apply_applied_events_cache() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_applied_events = DialogueStateTracker.__dict__.get("applied_events")
    helpers = (
        "_undo_till_previous",
        "_first_loop_execution_or_unhappy_path",
        "_undo_till_previous_loop_execution",
    )
    if not callable(rasa_applied_events) or not all(
        callable(getattr(DialogueStateTracker, name, None)) for name in helpers
    ):
        logger.error(
            "rasa_patches: DialogueStateTracker has not the applied_events this patch knows; not patched"
        )
        return
    if hasattr(rasa_applied_events, APPLIED_EVENTS_MARKER):
        return
    DialogueStateTracker.applied_events = _make_cached_applied_events(rasa_applied_events)
    logger.info("rasa_patches: a tracker's applied events are computed once and then only for new events")


# --- event types by name: Rasa's answer remembered until a new Event subclass appears ---------

EVENT_TYPES_ENV = "BERUFSLOTSE_RASA_EVENT_TYPES_CACHE"
EVENT_TYPES_MARKER = "_berufslotse_event_types"
_event_types: dict[str, Any] = {}


def _make_cached_resolve_by_type(rasa_resolve: Callable[..., Any]) -> Callable[..., Any]:
    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        """Rasa's `Event.resolve_by_type`, its answer for a found class remembered."""
        known = _event_types.get(type_name)
        if known is not None:
            return known
        found = rasa_resolve(type_name, default)
        if found is not None and found is not default:
            _event_types[type_name] = found
        return found

    setattr(resolve_by_type, EVENT_TYPES_MARKER, rasa_resolve)
    return resolve_by_type


def _forget_event_types(cls: Any, **kwargs: Any) -> None:
    """`Event.__init_subclass__`: a new event class may answer a name differently."""
    _event_types.clear()
    from rasa.shared.core.events import Event

    super(Event, cls).__init_subclass__(**kwargs)


def event_types_cache_applied() -> bool:
    from rasa.shared.core.events import Event

    return hasattr(getattr(Event.__dict__.get("resolve_by_type"), "__func__", None), EVENT_TYPES_MARKER)


def apply_event_types_cache() -> None:
    from rasa.shared.core.events import Event

    if event_types_cache_applied():
        return
    rasa_resolve = Event.__dict__.get("resolve_by_type")
    if not isinstance(rasa_resolve, staticmethod) or "__init_subclass__" in Event.__dict__:
        logger.error("rasa_patches: Event.resolve_by_type is not what this patch knows; not patched")
        return
    _event_types.clear()
    Event.__init_subclass__ = classmethod(_forget_event_types)
    Event.resolve_by_type = staticmethod(_make_cached_resolve_by_type(rasa_resolve.__func__))
    logger.info("rasa_patches: event classes are looked up by name once")


# --- model predictions: the traced TensorFlow function called with its inputs as traced -------

FAST_PREDICT_ENV = "BERUFSLOTSE_RASA_FAST_PREDICT"
FAST_PREDICT_MARKER = "_berufslotse_fast_predict"


class _TracedPredict:
    """A model's traced prediction step: the `tf.function` Rasa built, its one concrete function,
    and for each flat input the dtype and shape it was traced with (None where any size goes)."""

    __slots__ = ("concrete", "dtypes", "function", "shapes")

    def __init__(self, function: Any) -> None:
        import tensorflow as tf

        self.function = function
        self.concrete = function.get_concrete_function()
        specs = tf.nest.flatten(self.concrete.structured_input_signature[0])
        self.dtypes = [spec.dtype.as_numpy_dtype for spec in specs]
        self.shapes = [tuple(spec.shape.as_list()) for spec in specs]

    def inputs(self, batch_in: Any) -> list[Any] | None:
        """The batch as tensors, or None when it is not what the function was traced with."""
        import numpy as np
        from tensorflow.python.eager import context
        from tensorflow.python.framework.ops import EagerTensor

        if not isinstance(batch_in, tuple) or len(batch_in) != len(self.dtypes):
            return None
        tensors = []
        for array, dtype, shape in zip(batch_in, self.dtypes, self.shapes, strict=True):
            if (
                not isinstance(array, np.ndarray)
                or array.dtype != dtype
                or len(array.shape) != len(shape)
                or any(
                    size is not None and size != given for size, given in zip(shape, array.shape, strict=True)
                )
            ):
                return None
            tensors.append(array)
        # what `tf.constant` builds from an array, without its wrappers (half of its time)
        device = context.context().device_name
        return [EagerTensor(array, device, None) for array in tensors]


def _make_fast_predict(rasa_predict: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA

    def _rasa_predict(self: Any, batch_in: Any) -> Any:
        """Rasa's prediction step, calling the function it traced without re-checking its inputs."""
        traced: _TracedPredict | None = self.__dict__.get(FAST_PREDICT_MARKER)
        step = self.__dict__.get("_tf_predict_step")
        if traced is None or traced.function is not step or self._run_eagerly:
            outputs = rasa_predict(self, batch_in)  # the first call traces the function
            step = self.__dict__.get("_tf_predict_step")
            if step is not None and not self._run_eagerly and (traced is None or traced.function is not step):
                self.__dict__[FAST_PREDICT_MARKER] = _TracedPredict(step)
            return outputs
        tensors = traced.inputs(batch_in)
        if tensors is None:
            return rasa_predict(self, batch_in)
        self._training = False
        concrete = traced.concrete
        outputs = tf_utils.sync_to_numpy_or_python_type(
            concrete._call_flat(tensors, concrete.captured_inputs)
        )
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    setattr(_rasa_predict, FAST_PREDICT_MARKER, rasa_predict)
    return _rasa_predict


def fast_predict_applied() -> bool:
    from rasa.utils.tensorflow.models import RasaModel

    return hasattr(RasaModel.__dict__.get("_rasa_predict"), FAST_PREDICT_MARKER)


def apply_fast_predict() -> None:
    import tensorflow as tf
    from rasa.utils.tensorflow.models import RasaModel

    rasa_predict = RasaModel.__dict__.get("_rasa_predict")
    if not callable(rasa_predict) or hasattr(rasa_predict, FAST_PREDICT_MARKER):
        return
    if not tf.__version__.startswith(SUPPORTED_TENSORFLOW):
        logger.error("rasa_patches: TensorFlow %s is not one this patch knows; not patched", tf.__version__)
        return
    RasaModel._rasa_predict = _make_fast_predict(rasa_predict)
    logger.info("rasa_patches: model predictions call the traced function directly")


# --- sparse features: two COO matrices side by side without scipy's general block code ---------

SPARSE_COMBINE_ENV = "BERUFSLOTSE_RASA_SPARSE_COMBINE"
SPARSE_COMBINE_MARKER = "_berufslotse_sparse_combine"


def hstack_coo(left: Any, right: Any) -> Any:
    """`scipy.sparse.hstack([left, right])` for two `coo_matrix` with the same number of rows:
    the same matrix (dtype, index dtype, entries in the same order), as scipy 1.10's `bmat` builds
    it, without converting each block and checking it on the way."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse._sputils import get_index_dtype, upcast

    shape = (left.shape[0], left.shape[1] + right.shape[1])
    dtype = upcast(left.dtype, right.dtype)
    index_dtype = get_index_dtype(maxval=max(shape))
    data = np.concatenate((left.data, right.data)).astype(dtype, copy=False)
    row = np.concatenate(
        (left.row.astype(index_dtype, copy=False), right.row.astype(index_dtype, copy=False))
    )
    col = np.concatenate(
        (left.col.astype(index_dtype, copy=False), np.add(right.col, left.shape[1], dtype=index_dtype))
    )
    return coo_matrix((data, (row, col)), shape=shape)


def _make_sparse_combine(rasa_combine: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    from scipy.sparse import coo_matrix

    def _combine_sparse_features(self: Any, additional_features: Any) -> None:
        """Rasa's combination of two sparse features; two COO matrices are stacked by `hstack_coo`."""
        left, right = self.features, additional_features.features
        if type(left) is not coo_matrix or type(right) is not coo_matrix or left.shape[0] != right.shape[0]:
            rasa_combine(self, additional_features)  # Rasa's checks and messages, scipy's hstack
            return
        self.features = hstack_coo(left, right)
        self._cached_fingerprint = None

    setattr(_combine_sparse_features, SPARSE_COMBINE_MARKER, rasa_combine)
    return _combine_sparse_features


def sparse_combine_applied() -> bool:
    from rasa.shared.nlu.training_data.features import Features

    return hasattr(Features.__dict__.get("_combine_sparse_features"), SPARSE_COMBINE_MARKER)


def apply_sparse_combine() -> None:
    import scipy
    from rasa.shared.nlu.training_data.features import Features

    rasa_combine = Features.__dict__.get("_combine_sparse_features")
    if not callable(rasa_combine) or hasattr(rasa_combine, SPARSE_COMBINE_MARKER):
        return
    if not scipy.__version__.startswith(SUPPORTED_SCIPY):
        logger.error(
            "rasa_patches: scipy %s is not the version hstack_coo was written for; not patched",
            scipy.__version__,
        )
        return
    Features._combine_sparse_features = _make_sparse_combine(rasa_combine)
    logger.info("rasa_patches: sparse features are combined without scipy's general block code")


# --- rules: each rule's states prepared once, checked as Rasa checks them -----------------------

RULE_MATCH_ENV = "BERUFSLOTSE_RASA_RULE_MATCH"
RULE_MATCH_MARKER = "_berufslotse_rule_match"

# a rule's turn: whether it has a previous action, and each sub-state's (key, value) pairs with
# lists already turned into tuples (Rasa does both on every check)
_PreparedTurn = tuple[bool, tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]]


def prepare_rule(rule_states: list[dict[str, Any]]) -> tuple[_PreparedTurn, ...]:
    """A rule's states, latest first, in the form the check of `rule_checker()` reads."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    return tuple(
        (
            bool(state.get(PREVIOUS_ACTION)),
            tuple(
                (
                    state_type,
                    tuple(
                        (key, tuple(value) if isinstance(value, list) else value)
                        for key, value in sub_state.items()
                    ),
                )
                for state_type, sub_state in state.items()
            ),
        )
        for state in reversed(rule_states)
    )


RuleCheck = Callable[[tuple[_PreparedTurn, ...], int, dict[str, Any]], bool]


def rule_checker() -> RuleCheck:
    """Rasa 3.6's `RulePolicy._is_rule_applicable` with `_does_rule_match_state`, on a prepared rule
    (Rasa's constants are looked up here once: the check runs for every rule and turn)."""
    from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET

    def rule_applies(
        rule: tuple[_PreparedTurn, ...], turn_index: int, conversation_state: dict[str, Any]
    ) -> bool:
        if turn_index >= len(rule):
            return True
        has_previous_action, sub_states = rule[turn_index]
        current_previous_action = conversation_state.get(PREVIOUS_ACTION)
        if not has_previous_action and not current_previous_action:
            return True
        if not has_previous_action or not current_previous_action:
            return False
        for state_type, pairs in sub_states:
            conversation_sub_state = conversation_state.get(state_type, {})
            for key, value_from_rules in pairs:
                value_from_conversation = conversation_sub_state.get(key)
                if (
                    value_from_rules
                    and value_from_rules != SHOULD_NOT_BE_SET
                    and value_from_conversation != value_from_rules
                ) or (
                    value_from_rules == SHOULD_NOT_BE_SET
                    and value_from_conversation
                    and value_from_conversation != SHOULD_NOT_BE_SET
                ):
                    return False
        return True

    return rule_applies


def _make_rule_match(rasa_possible_keys: Callable[..., set[str]]) -> Callable[..., set[str]]:
    from rasa.core.policies.rule_policy import RulePolicy

    rule_applies = rule_checker()

    def _get_possible_keys(self: Any, lookup: dict[str, str], states: list[dict[str, Any]]) -> set[str]:
        """Rasa's filter of the rules whose states match the conversation's, turn by turn back in
        time, each rule's states read from JSON and prepared once per policy instead of per check.
        The sets are built as Rasa builds them (a new set per turn from the last one's order), so
        that the rules found and their order are Rasa's."""
        cls = type(self)
        if (
            cls._is_rule_applicable is not RulePolicy._is_rule_applicable
            or cls._does_rule_match_state is not RulePolicy._does_rule_match_state
            or cls._rule_key_to_state is not RulePolicy._rule_key_to_state
        ):
            return rasa_possible_keys(self, lookup, states)  # a subclass checks rules its own way
        prepared: dict[str, tuple[_PreparedTurn, ...]] = self.__dict__.setdefault(RULE_MATCH_MARKER, {})
        for key in lookup:
            if key not in prepared:
                prepared[key] = prepare_rule(json.loads(key))
        possible_keys = set(lookup.keys())
        for i, state in enumerate(reversed(states)):
            possible_keys = set(filter(lambda _key: rule_applies(prepared[_key], i, state), possible_keys))
        return possible_keys

    setattr(_get_possible_keys, RULE_MATCH_MARKER, rasa_possible_keys)
    return _get_possible_keys


def rule_match_applied() -> bool:
    from rasa.core.policies.rule_policy import RulePolicy

    return hasattr(RulePolicy.__dict__.get("_get_possible_keys"), RULE_MATCH_MARKER)


def apply_rule_match() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    rasa_possible_keys = RulePolicy.__dict__.get("_get_possible_keys")
    if not callable(rasa_possible_keys) or hasattr(rasa_possible_keys, RULE_MATCH_MARKER):
        return
    RulePolicy._get_possible_keys = _make_rule_match(rasa_possible_keys)
    logger.info("rasa_patches: rules are matched with their states prepared once")


# --- past states: built once per tracker, turn and kind, shared by the policies ----------------

PAST_STATES_ENV = "BERUFSLOTSE_RASA_PAST_STATES_CACHE"
PAST_STATES_MARKER = "_berufslotse_past_states"


def copy_states(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """States whose dicts can be changed without changing `states` (their values are immutable:
    strings, numbers, tuples; the featurizers delete keys of a state's sub-states). A sub-state that
    several states share in `states` (Rasa reuses the previous user input and action for a turn
    that only rules know) is one shared copy, so that deleting a key changes every state it did."""
    copies: dict[int, dict[str, Any]] = {}
    copied = []
    for state in states:
        new_state: dict[str, Any] = {}
        for kind, sub_state in state.items():
            if isinstance(sub_state, dict):
                sub_copy = copies.get(id(sub_state))
                if sub_copy is None:
                    sub_copy = copies[id(sub_state)] = dict(sub_state)
                new_state[kind] = sub_copy
            else:
                new_state[kind] = sub_state
        copied.append(new_state)
    return copied


def _make_shared_past_states(rasa_past_states: Callable[..., list[dict[str, Any]]]) -> Callable[..., Any]:
    def past_states(
        self: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Rasa's past states of this tracker, remembered for the tracker as it is now: TED and
        memoization ask for the same states for every prediction, the rule policy for another
        kind. The tracker keeps the answer for each kind with the domain, the number of events and
        the latest event object; any difference (an event added, another domain or arguments, a
        bounded event history) is computed by Rasa's function. Each caller gets its own copy."""
        events = self.events
        if events.maxlen is not None or not events:
            return rasa_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        kind = (bool(omit_unset_slots), bool(ignore_rule_only_turns))
        memory: dict[tuple[bool, bool], tuple[Any, ...]] = self.__dict__.setdefault(PAST_STATES_MARKER, {})
        kept = memory.get(kind)
        if (
            kept is not None
            and kept[0] is domain
            and kept[1] == len(events)
            and kept[2] is events[-1]
            and kept[3] == rule_only_data
        ):
            return copy_states(kept[4])
        states = rasa_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        memory[kind] = (domain, len(events), events[-1], copy.deepcopy(rule_only_data), copy_states(states))
        return states

    setattr(past_states, PAST_STATES_MARKER, rasa_past_states)
    return past_states


def past_states_cache_applied() -> bool:
    from rasa.shared.core.trackers import DialogueStateTracker

    return hasattr(DialogueStateTracker.__dict__.get("past_states"), PAST_STATES_MARKER)


def apply_past_states_cache() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_past_states = DialogueStateTracker.__dict__.get("past_states")
    if not callable(rasa_past_states) or hasattr(rasa_past_states, PAST_STATES_MARKER):
        return
    DialogueStateTracker.past_states = _make_shared_past_states(rasa_past_states)
    logger.info("rasa_patches: the policies share the past states of a tracker")


# --- policies asked only when their answer can matter ---------------------------------------

LAZY_POLICIES_ENV = "BERUFSLOTSE_RASA_LAZY_POLICIES"
LAZY_POLICIES_MARKER = "_berufslotse_lazy_policies"
# what a deferred prediction keeps until it is looked at: (compute, priority)
_WAITING = "_berufslotse_waiting"


@functools.lru_cache(maxsize=1)
def deferred_prediction_class() -> type:
    """A `PolicyPrediction` computed when first looked at (built here: Rasa is imported lazily)."""
    from rasa.core.policies.policy import PolicyPrediction

    class DeferredPrediction(PolicyPrediction):
        """A policy's prediction that the policy makes when any attribute is first read. Until then
        it holds the call and the policy's priority; reading `probabilities`, `events`, anything,
        makes the call and takes over every attribute of the prediction the policy returns."""

        def __init__(self, compute: Callable[[], Any], priority: int) -> None:
            # no super().__init__: the attributes come from the real prediction when it is made
            self.__dict__[_WAITING] = (compute, priority)

        def __getattr__(self, name: str) -> Any:
            if _WAITING not in self.__dict__:
                raise AttributeError(name)
            self._make()
            return getattr(self, name)

        def __setattr__(self, name: str, value: Any) -> None:
            if _WAITING in self.__dict__:
                self._make()  # a value set now must not be overwritten when the policy predicts
            super().__setattr__(name, value)

        def _make(self) -> None:
            compute, _ = self.__dict__.pop(_WAITING)
            try:
                made = compute()
            except AttributeError as error:  # not to be taken for a missing attribute of this object
                raise RuntimeError(f"the deferred policy prediction failed: {error!r}") from error
            self.__dict__.update(made.__dict__)

    return DeferredPrediction


def is_waiting(prediction: Any) -> bool:
    """A deferred prediction whose policy has not been asked yet."""
    return _WAITING in getattr(prediction, "__dict__", {})


def waiting_priority(prediction: Any) -> int:
    """The priority of the policy a waiting prediction would ask (read without asking it)."""
    return int(prediction.__dict__[_WAITING][1])


def cannot_win(priority: int, known: list[Any]) -> bool:
    """Whether a policy of `priority` whose prediction is never a no-user or an end-to-end one,
    carries no events and has no confidence above 1.0 (TED's softmax, memoization's 0 or 1) loses
    against `known` in Rasa's `_pick_best_policy`, whatever it predicts: a no-user prediction
    among them leaves out every other; an end-to-end one every prediction that is not; one of
    confidence 1.0 from a policy of higher priority wins every tie of confidence."""
    return any(
        prediction.is_no_user_prediction
        or prediction.is_end_to_end_prediction
        or (prediction.max_confidence >= 1.0 and prediction.policy_priority > priority)
        for prediction in known
    )


def _make_lazy_pick(rasa_pick: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    def _pick_best_policy(predictions: list[Any]) -> Any:
        """Rasa's choice among the policies' predictions, asking a deferred policy only when its
        prediction can change the choice: while one can, the one of highest priority is asked."""
        waiting = [prediction for prediction in predictions if is_waiting(prediction)]
        while waiting:
            known = [prediction for prediction in predictions if not is_waiting(prediction)]
            if known and all(cannot_win(waiting_priority(p), known) for p in waiting):
                return rasa_pick(known)  # the others in their order: the same ties, the same events
            ask = max(waiting, key=waiting_priority)
            ask.probabilities  # noqa: B018 - reading it makes the policy predict
            waiting = [prediction for prediction in waiting if prediction is not ask]  # `==` reads both
        return rasa_pick(predictions)

    setattr(_pick_best_policy, LAZY_POLICIES_MARKER, rasa_pick)
    return _pick_best_policy


def may_defer(policy: Any) -> bool:
    """TED and memoization as Rasa ships them, never a subclass, in the settings under which their
    predictions are never no-user ones, carry no events and have no confidence above 1.0: memoization
    scoring 1.0 (not the NLU confidence, which events posted to Rasa's HTTP API can set to anything),
    TED with softmax confidences (with `loss_type: margin` they are similarities, which TensorFlow's
    arithmetic can put a hair above 1.0) and not trained on texts (else end-to-end predictions)."""
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.shared.nlu.constants import TEXT
    from rasa.utils.tensorflow.constants import MODEL_CONFIDENCE, SOFTMAX

    if type(policy) is MemoizationPolicy:
        return not policy.config.get("use_nlu_confidence_as_score")
    return (
        type(policy) is TEDPolicy
        and policy.config.get(MODEL_CONFIDENCE) == SOFTMAX
        and not policy.only_e2e
        and TEXT not in policy.fake_features
    )


def _make_lazy_predict(rasa_predict: Callable[..., Any]) -> Callable[..., Any]:
    def predict_action_probabilities(self: Any, *args: Any, **kwargs: Any) -> Any:
        """The policy's prediction, made when the ensemble (or anybody) first reads it."""
        if not may_defer(self):
            return rasa_predict(self, *args, **kwargs)
        compute = functools.partial(rasa_predict, self, *args, **kwargs)
        return deferred_prediction_class()(compute, self.priority)

    setattr(predict_action_probabilities, LAZY_POLICIES_MARKER, rasa_predict)
    return predict_action_probabilities


def lazy_policies_applied() -> bool:
    from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble

    pick = DefaultPolicyPredictionEnsemble.__dict__.get("_pick_best_policy")
    return hasattr(getattr(pick, "__func__", None), LAZY_POLICIES_MARKER)


def apply_lazy_policies() -> None:
    """Before a model is loaded: Rasa's graph keeps each policy's function from its loading."""
    from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.core.policies.ted_policy import TEDPolicy

    pick = DefaultPolicyPredictionEnsemble.__dict__.get("_pick_best_policy")
    if not isinstance(pick, staticmethod) or hasattr(pick.__func__, LAZY_POLICIES_MARKER):
        return
    for policy_class in (MemoizationPolicy, TEDPolicy):
        rasa_predict = policy_class.__dict__["predict_action_probabilities"]
        policy_class.predict_action_probabilities = _make_lazy_predict(rasa_predict)
    DefaultPolicyPredictionEnsemble._pick_best_policy = staticmethod(_make_lazy_pick(pick.__func__))
    logger.info("rasa_patches: TED and memoization predict only when their prediction can win")


# --- the response selector only for its retrieval intent ------------------------------------------

LAZY_SELECTOR_ENV = "BERUFSLOTSE_RASA_LAZY_SELECTOR"
LAZY_SELECTOR_MARKER = "_berufslotse_lazy_selector"


def _make_lazy_selector(rasa_process: Callable[[Any, list[Any]], list[Any]]) -> Callable[..., list[Any]]:
    # imported once here, not per message (Rasa is importable when the patch is applied)
    from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RETRIEVAL_INTENTS
    from rasa.nlu.selectors.response_selector import ResponseSelector
    from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY

    def process(self: Any, messages: list[Any]) -> list[Any]:
        """Rasa's selection for the messages whose choice can be read (the classifier's intent, set
        before the selector, is its retrieval intent); for the others only the list of retrieval
        intents, as Rasa writes it beside a prediction. A subclass, or a selector trained for every
        retrieval intent, goes Rasa's way."""
        if type(self) is not ResponseSelector or not self.retrieval_intent:
            return rasa_process(self, messages)
        asked = []
        for message in messages:
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.retrieval_intent:
                asked.append(message)
            else:
                properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
                properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
                message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        if asked:
            rasa_process(self, asked)
        return messages

    setattr(process, LAZY_SELECTOR_MARKER, rasa_process)
    return process


def lazy_selector_applied() -> bool:
    from rasa.nlu.selectors.response_selector import ResponseSelector

    return hasattr(ResponseSelector.__dict__.get("process"), LAZY_SELECTOR_MARKER)


def apply_lazy_selector() -> None:
    """Before a model is loaded: Rasa's graph keeps each component's function from its loading."""
    from rasa.nlu.selectors.response_selector import ResponseSelector

    rasa_process = ResponseSelector.__dict__.get("process")
    if not callable(rasa_process) or hasattr(rasa_process, LAZY_SELECTOR_MARKER):
        return
    ResponseSelector.process = _make_lazy_selector(rasa_process)
    logger.info("rasa_patches: the response selector predicts only for its retrieval intent")


# --- per-stage timings for the benchmark (off unless BERUFSLOTSE_STAGE_TIMINGS is set) ---------

TIMING_MARKER = "_berufslotse_timing"


def _events(tracker: Any) -> dict[str, int]:
    events = getattr(tracker, "events", None)
    return {"events": len(events)} if events is not None else {}


def _timed(
    original: Callable[..., Any],
    recorder: StageRecorder,
    stage: Callable[..., str],
    numbers: Callable[..., dict[str, int]] | None = None,
    is_async: bool = False,
) -> Callable[..., Any]:
    """`original` with a timer around it; `stage(*args)` names the line, `numbers(result, *args)`
    adds counts. The result and any exception pass through untouched."""
    if hasattr(original, TIMING_MARKER):
        return original

    def write(started: float, result: Any, args: tuple[Any, ...]) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        try:
            extra = numbers(result, *args) if numbers is not None else {}
            recorder.record(stage(*args), elapsed_ms, **extra)
        except Exception:  # a measurement never breaks a turn
            logger.debug("rasa_patches: could not record a stage timing", exc_info=True)

    if is_async:

        @functools.wraps(original)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = await original(*args, **kwargs)
            write(started, result, args)
            return result

        wrapper: Callable[..., Any] = timed_async
    else:

        @functools.wraps(original)
        def timed_sync(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = original(*args, **kwargs)
            write(started, result, args)
            return result

        wrapper = timed_sync
    setattr(wrapper, TIMING_MARKER, original)
    return wrapper


def stage_timings_applied() -> bool:
    from rasa.core.processor import MessageProcessor

    return hasattr(MessageProcessor.__dict__.get("handle_message"), TIMING_MARKER)


def apply_stage_timings(recorder: StageRecorder) -> None:
    """Wrap the stages of a turn with timers writing to `recorder` (see the module docstring)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    def fixed(name: str) -> Callable[..., str]:
        return lambda *args: name

    def after_call(result: Any, processor: Any, tracker: Any, *rest: Any) -> dict[str, int]:
        return _events(tracker)  # the tracker the method was called with

    wraps: list[tuple[type, str, Callable[..., str], Callable[..., dict[str, int]] | None, bool]] = [
        # the whole turn inside Rasa, from the message to the saved tracker
        (MessageProcessor, "handle_message", fixed("turn"), None, True),
        (MessageProcessor, "get_tracker", fixed("tracker_load"), lambda result, *a: _events(result), True),
        (MessageProcessor, "save_tracker", fixed("tracker_save"), after_call, True),
        (MessageProcessor, "_parse_message_with_graph", fixed("nlu"), None, False),
        (MessageProcessor, "_predict_next_with_tracker", fixed("policies"), after_call, False),
        # every action the policies choose, utterances included, with sending its messages
        (MessageProcessor, "_run_action", lambda self, action, *a: f"action:{action.name()}", None, True),
        # a custom action: request body (the whole tracker), HTTP call, then the rest of run()
        (RemoteAction, "run", lambda self, *a: f"remote:{self.name()}", None, True),
        (
            RemoteAction,
            "_action_call_format",
            lambda self, *a: f"remote_body:{self.name()}",
            after_call,
            False,
        ),
        (EndpointConfig, "request", fixed("action_server_http"), None, True),
        # every graph node: each NLU component and each policy (TED, memoization, rules, ...)
        (GraphNode, "__call__", lambda self, *a: f"node:{self._node_name}", None, False),
    ]
    for owner, name, stage, numbers, is_async in wraps:
        original = owner.__dict__.get(name) or getattr(owner, name)
        setattr(owner, name, _timed(original, recorder, stage, numbers, is_async))
    logger.info("rasa_patches: stage timings for the benchmark go to %s", recorder.path)
