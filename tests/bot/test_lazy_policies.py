"""bot/rasa_patches.py's tenth patch: TED and memoization are asked for their prediction only when it
can change which policy wins. The trained model must predict exactly what Rasa as shipped predicts
(the action's scores, the winning policy, its events and flags) at every point of the conversations
of bot/tests where Rasa predicted an action, and must skip TED for most of them."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import AUTO, MODEL_CONFIDENCE

from bot import rasa_patches
from tests.bot.heldout_eval import MODEL_ENV, find_model
from tests.bot.test_applied_events_patch import conversations
from tests.bot.test_nlu_heldout import MODELS

RASA_PICK = getattr(
    DefaultPolicyPredictionEnsemble.__dict__["_pick_best_policy"].__func__,
    rasa_patches.LAZY_POLICIES_MARKER,
    DefaultPolicyPredictionEnsemble.__dict__["_pick_best_policy"].__func__,
)


def rasas(policy_class: type) -> Any:
    current = policy_class.__dict__["predict_action_probabilities"]
    return getattr(current, rasa_patches.LAZY_POLICIES_MARKER, current)


def prediction(confidence: float, priority: int, **flags: Any) -> PolicyPrediction:
    return PolicyPrediction([0.0, confidence], f"policy-{priority}", priority, **flags)


def deferred(name: str, confidence: float, priority: int, asked: list[str]) -> Any:
    """A deferred prediction of `confidence` that notes `name` in `asked` when its policy is asked."""

    def compute() -> PolicyPrediction:
        asked.append(name)
        return PolicyPrediction([0.0, confidence], name, priority)

    return rasa_patches.deferred_prediction_class()(compute, priority)


# --- the rule that decides whether a policy's prediction can matter -----------------------------


def test_a_policy_cannot_win_against_certainty_from_a_higher_priority() -> None:
    rules, memoization, ted = 6, 3, 1
    assert rasa_patches.cannot_win(ted, [prediction(1.0, rules)])
    assert rasa_patches.cannot_win(ted, [prediction(0.3, rules), prediction(1.0, memoization)])
    assert rasa_patches.cannot_win(memoization, [prediction(1.0, rules)])


def test_a_policy_can_win_when_nothing_is_certain_or_the_priority_is_not_higher() -> None:
    # the rule policy's core fallback (0.3): TED may be surer
    assert not rasa_patches.cannot_win(1, [prediction(0.3, 6), prediction(0.0, 3)])
    # TED at 1.0 and a certain policy of the same or a lower priority: TED wins the tie or shares it
    assert not rasa_patches.cannot_win(3, [prediction(1.0, 3)])
    assert not rasa_patches.cannot_win(3, [prediction(1.0, 1)])
    assert not rasa_patches.cannot_win(1, [prediction(0.999999, 6)])


def test_no_user_and_end_to_end_predictions_leave_the_others_out() -> None:
    assert rasa_patches.cannot_win(1, [prediction(0.2, 6, is_no_user_prediction=True)])
    assert rasa_patches.cannot_win(1, [prediction(0.2, 6, is_end_to_end_prediction=True)])


def test_a_deferred_prediction_is_made_once_when_first_read() -> None:
    calls: list[int] = []

    def compute() -> PolicyPrediction:
        calls.append(1)
        return PolicyPrediction([0.25, 0.75], "TEDPolicy", 1, optional_events=[], diagnostic_data={"a": 1})

    deferred = rasa_patches.deferred_prediction_class()(compute, 1)
    assert isinstance(deferred, PolicyPrediction) and rasa_patches.is_waiting(deferred)
    assert calls == []
    assert deferred.max_confidence == 0.75 and deferred.policy_name == "TEDPolicy"
    assert deferred == PolicyPrediction([0.25, 0.75], "TEDPolicy", 1, diagnostic_data={"a": 1})
    assert deferred.events == [] and not rasa_patches.is_waiting(deferred)
    assert calls == [1]
    with pytest.raises(AttributeError):
        deferred.no_such_attribute  # noqa: B018


def test_the_ensemble_asks_the_highest_priority_first_and_only_when_needed() -> None:
    asked: list[str] = []
    pick = rasa_patches._make_lazy_pick(RASA_PICK)
    # the rule policy falls back (0.3); memoization is certain: TED is not asked
    winner = pick([deferred("TED", 0.9, 1, asked), prediction(0.3, 6), deferred("Memo", 1.0, 3, asked)])
    assert (winner.policy_name, asked) == ("Memo", ["Memo"])
    asked.clear()
    # nobody certain: both asked, TED wins as in Rasa
    winner = pick([deferred("TED", 0.9, 1, asked), prediction(0.3, 6), deferred("Memo", 0.0, 3, asked)])
    assert (winner.policy_name, sorted(asked)) == ("TED", ["Memo", "TED"])
    asked.clear()
    # a certain rule: nobody asked
    winner = pick([deferred("TED", 0.9, 1, asked), prediction(1.0, 6), deferred("Memo", 1.0, 3, asked)])
    assert (winner.policy_name, asked) == ("policy-6", [])


def test_a_rejected_action_makes_every_deferred_policy_predict_as_in_rasa() -> None:
    """Rasa sets a rejected action's confidence to 0 in every prediction before it picks: the rule's
    certainty goes, and TED (deferred, 0.4 for another action) wins as it does in Rasa."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecutionRejected

    domain = Domain.from_dict({"actions": ["action_a", "action_b"]})
    size = len(domain.action_names_or_texts)
    a, b = domain.index_for_action("action_a"), domain.index_for_action("action_b")

    def one_hot(index: int, confidence: float) -> list[float]:
        return [confidence if position == index else 0.0 for position in range(size)]

    tracker = DialogueStateTracker("pupil", [])
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    tracker.update(UserUttered("hallo", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecutionRejected("action_a"))

    def predictions(deferred: bool) -> list[PolicyPrediction]:
        def ted() -> PolicyPrediction:
            return PolicyPrediction(one_hot(b, 0.4), "TEDPolicy", 1)

        return [
            rasa_patches.deferred_prediction_class()(ted, 1) if deferred else ted(),
            PolicyPrediction(one_hot(a, 1.0), "RulePolicy", 6),
        ]

    pick = rasa_patches._make_lazy_pick(RASA_PICK)
    original = DefaultPolicyPredictionEnsemble.__dict__["_pick_best_policy"]
    try:
        DefaultPolicyPredictionEnsemble._pick_best_policy = staticmethod(RASA_PICK)
        expected = DefaultPolicyPredictionEnsemble._best_policy_prediction(
            predictions(False), tracker, domain
        )
        DefaultPolicyPredictionEnsemble._pick_best_policy = staticmethod(pick)
        ours = DefaultPolicyPredictionEnsemble._best_policy_prediction(predictions(True), tracker, domain)
    finally:
        DefaultPolicyPredictionEnsemble._pick_best_policy = original
    assert expected.policy_name == "TEDPolicy"
    assert (ours.policy_name, ours.probabilities) == (expected.policy_name, expected.probabilities)


def test_when_all_are_deferred_the_highest_priority_is_asked_first() -> None:
    asked: list[str] = []
    pick = rasa_patches._make_lazy_pick(RASA_PICK)
    assert (
        pick([deferred("policy-1", 0.9, 1, asked), deferred("policy-3", 1.0, 3, asked)]).policy_name
        == "policy-3"
    )
    assert asked == ["policy-3"]


def test_a_deferred_prediction_set_before_it_is_read_keeps_the_value_set() -> None:
    deferred = rasa_patches.deferred_prediction_class()(lambda: PolicyPrediction([1.0], "TEDPolicy", 1), 1)
    deferred.events = ["set by a caller"]
    assert not rasa_patches.is_waiting(deferred)
    assert deferred.events == ["set by a caller"] and deferred.probabilities == [1.0]


def test_a_policy_failing_inside_is_not_taken_for_a_missing_attribute() -> None:
    def broken() -> PolicyPrediction:
        raise AttributeError("inside the policy")

    deferred = rasa_patches.deferred_prediction_class()(broken, 1)
    with pytest.raises(RuntimeError, match="inside the policy"):
        deferred.max_confidence  # noqa: B018


# --- the trained model, as Rasa's graph runs it --------------------------------------------------


@pytest.fixture(scope="module")
def agent() -> Iterator[Any]:
    """The trained model loaded with the patch applied first (Rasa's graph keeps each policy's
    function from when the model is loaded, as a served Rasa does)."""
    model = find_model(MODELS, os.environ)
    if model is None or not model.is_file():
        pytest.fail(f"no trained model in {MODELS} and {MODEL_ENV} is not set: train one with `make model`")
    rasa_patches.apply_lazy_policies()
    assert rasa_patches.lazy_policies_applied()
    from rasa.core.agent import Agent

    yield Agent.load(str(model))


def policy_nodes(agent: Any) -> dict[type, Any]:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    return {
        type(node._component): node
        for node in nodes
        if type(node._component) in (TEDPolicy, MemoizationPolicy)
    }


def without_time(event: Any) -> dict[str, Any]:
    return {key: value for key, value in event.as_dict().items() if key != "timestamp"}


def summary(chosen: PolicyPrediction) -> tuple[Any, ...]:
    diagnostic = {key: np.asarray(value).tolist() for key, value in chosen.diagnostic_data.items()}
    return (
        chosen.probabilities,
        chosen.policy_name,
        chosen.policy_priority,
        [without_time(event) for event in chosen.events],
        [without_time(event) for event in chosen.optional_events],
        chosen.is_end_to_end_prediction,
        chosen.is_no_user_prediction,
        chosen.hide_rule_turn,
        chosen.action_metadata,
        diagnostic,
    )


def test_the_trained_model_predicts_as_rasa_and_asks_ted_only_when_it_can_win(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    nodes = policy_nodes(agent)
    assert set(nodes) == {TEDPolicy, MemoizationPolicy}
    # the graph loaded after the patch calls the lazy functions
    for policy_class, node in nodes.items():
        assert hasattr(node._fn, rasa_patches.LAZY_POLICIES_MARKER), policy_class
        monkeypatch.setattr(node, "_fn", node._fn)  # put back after the test
    lazy_pick = DefaultPolicyPredictionEnsemble.__dict__["_pick_best_policy"]
    monkeypatch.setattr(DefaultPolicyPredictionEnsemble, "_pick_best_policy", lazy_pick)

    asked = {TEDPolicy: 0, MemoizationPolicy: 0}
    ted_confidences: list[float] = []

    def counting(policy_class: type) -> Any:
        def predict(self: Any, *args: Any, **kwargs: Any) -> Any:
            asked[policy_class] += 1
            return rasas(policy_class)(self, *args, **kwargs)

        return predict

    def ted_as_shipped(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = rasas(TEDPolicy)(self, *args, **kwargs)
        ted_confidences.append(made.max_confidence)
        return made

    shipped = {TEDPolicy: ted_as_shipped, MemoizationPolicy: rasas(MemoizationPolicy)}
    lazy = {policy_class: rasa_patches._make_lazy_predict(counting(policy_class)) for policy_class in nodes}

    def predict(tracker: DialogueStateTracker, functions: dict[type, Any], pick: Any) -> PolicyPrediction:
        for policy_class, node in nodes.items():
            node._fn = functions[policy_class]
        DefaultPolicyPredictionEnsemble._pick_best_policy = pick
        chosen: PolicyPrediction = agent.processor._predict_next_with_tracker(tracker)
        return chosen

    domain = agent.domain
    points = ted_won = 0

    def compare(tracker: DialogueStateTracker, where: str) -> PolicyPrediction:
        nonlocal points, ted_won
        expected = predict(tracker, shipped, staticmethod(RASA_PICK))
        ours = predict(tracker, lazy, lazy_pick)
        assert summary(ours) == summary(expected), where
        points += 1
        ted_won += expected.policy_name == "TEDPolicy"
        return expected

    for name, events in conversations(domain):
        tracker = DialogueStateTracker("pupil", list(domain.slots))
        for index, event in enumerate(events):
            tracker.update(event)
            following = events[index + 1] if index + 1 < len(events) else None
            if isinstance(following, ActionExecuted):  # Rasa predicts where an action follows
                compare(tracker, f"{name}: after event {index}")
    # pupils leave the paths of the stories: random intents, each answered by what Rasa predicts
    # (where no rule is certain, the rule policy's fallback at 0.3 leaves the choice to TED)
    randomly = random.Random(16)
    intents = sorted(domain.intents)
    for walk in range(12):
        tracker = DialogueStateTracker(f"walk-{walk}", list(domain.slots))
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        for turn in range(6):
            intent = randomly.choice(intents)
            tracker.update(UserUttered(f"/{intent}", {"name": intent, "confidence": 1.0}))
            for _ in range(4):
                expected = compare(tracker, f"walk {walk}, turn {turn}: {intent}")
                action = domain.action_names_or_texts[expected.max_confidence_index]
                tracker.update_with_events([*expected.events, ActionExecuted(action)], domain)
                if action == ACTION_LISTEN_NAME:
                    break
            else:
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    assert points > 500, points
    # TED's confidence is a softmax: never above the 1.0 that makes a rule or a memory certain
    assert len(ted_confidences) == points and max(ted_confidences) <= 1.0
    # TED was asked where it could win (at least wherever it won; the walks reach such points), and
    # skipped for most predictions (on this model: asked 3 times in 989, never the winner)
    assert 0 < asked[TEDPolicy] < points // 2 and ted_won <= asked[TEDPolicy], (asked, points, ted_won)
    assert asked[MemoizationPolicy] < points, (asked, points)


def test_memoization_scoring_the_nlu_confidence_is_always_asked(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    memoization = policy_nodes(agent)[MemoizationPolicy]._component
    assert rasa_patches.may_defer(memoization)
    monkeypatch.setitem(memoization.config, "use_nlu_confidence_as_score", True)
    assert not rasa_patches.may_defer(memoization)


def test_ted_trained_on_texts_or_with_other_confidences_is_always_asked(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ted = policy_nodes(agent)[TEDPolicy]._component
    assert rasa_patches.may_defer(ted)
    monkeypatch.setitem(ted.fake_features, TEXT, [])
    assert not rasa_patches.may_defer(ted)
    monkeypatch.delitem(ted.fake_features, TEXT)
    assert rasa_patches.may_defer(ted)
    # `loss_type: margin` makes Rasa's confidences similarities ("auto"), which may exceed 1.0
    monkeypatch.setitem(ted.config, MODEL_CONFIDENCE, AUTO)
    assert not rasa_patches.may_defer(ted)
    made: list[tuple[Any, ...]] = []
    predict = rasa_patches._make_lazy_predict(lambda *args, **kwargs: made.append(args) or "made")
    assert predict(ted, "tracker", "domain", rule_only_data=None) == "made"
    assert made == [(ted, "tracker", "domain")]
