"""bot/rasa_patches.py's patch of `DialogueStateTracker.past_states`: TED and memoization ask for the
same past states of a tracker in every prediction; the tracker remembers them for its events as they
are. It must answer exactly what Rasa answers after every event of the conversations of bot/tests
(the check's form included), and a caller changing its copy must not change what the next gets.
(The rule matching patch needs the trained rules: tests/bot/test_model_patches.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches
from tests.bot.test_applied_events_patch import ROOT, conversations

PastStates = Callable[..., list[dict[str, Any]]]
RULE_ONLY_DATA = {"rule_only_slots": [], "rule_only_loops": ["check_form"]}
KINDS = [(False, False), (False, True), (True, True)]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture
def rasa_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[bool, bool]]]:
    """Rasa's own past_states counted, and the patch applied over it."""
    current = DialogueStateTracker.__dict__["past_states"]
    rasa_past_states: PastStates = getattr(current, rasa_patches.PAST_STATES_MARKER, current)
    calls: list[tuple[bool, bool]] = []

    def counted(self: Any, domain: Any, omit: bool = False, ignore: bool = False, data: Any = None) -> Any:
        calls.append((omit, ignore))
        return rasa_past_states(self, domain, omit, ignore, data)

    monkeypatch.setattr(DialogueStateTracker, "past_states", counted)
    assert not rasa_patches.past_states_cache_applied()
    rasa_patches.apply_past_states_cache()
    assert rasa_patches.past_states_cache_applied()
    yield calls


def sharing(states: list[dict[str, Any]]) -> list[list[tuple[int, str]]]:
    """For each sub-state, the first (turn, kind) that holds the same dict object."""
    first: dict[int, tuple[int, str]] = {}
    return [
        [first.setdefault(id(sub), (turn, kind)) for kind, sub in state.items() if isinstance(sub, dict)]
        for turn, state in enumerate(states)
    ]


def rasas(tracker: DialogueStateTracker, domain: Domain, kind: tuple[bool, bool]) -> list[dict[str, Any]]:
    current = DialogueStateTracker.__dict__["past_states"]
    rasa_past_states: PastStates = getattr(current, rasa_patches.PAST_STATES_MARKER)
    return rasa_past_states(tracker, domain, kind[0], kind[1], RULE_ONLY_DATA)


def test_the_test_conversations_give_rasas_past_states(
    domain: Domain, rasa_calls: list[tuple[bool, bool]]
) -> None:
    stories = conversations(domain)
    assert len(stories) > 50
    shared = 0  # answers in which Rasa's states share a sub-state (a turn only rules know)
    for name, events in stories:
        tracker = DialogueStateTracker("pupil", list(domain.slots))
        for index, event in enumerate(events):
            tracker.update(event)
            for kind in KINDS:
                expected = rasas(tracker, domain, kind)
                first = tracker.past_states(domain, kind[0], kind[1], RULE_ONLY_DATA)
                assert first == expected, f"{name}: after event {index}, {kind}"
                shared += sharing(expected) != [
                    [(turn, k) for k, sub in state.items() if isinstance(sub, dict)]
                    for turn, state in enumerate(expected)
                ]
                for _ in range(2):  # the second answer is changed as the featurizers change theirs
                    again = tracker.past_states(domain, kind[0], kind[1], dict(RULE_ONLY_DATA))
                    assert again == expected, f"{name}: asked again after event {index}, {kind}"
                    assert sharing(again) == sharing(expected), f"{name}: after event {index}, {kind}"
                    if again and again[-1].get("user"):
                        again[-1]["user"].clear()
                        again.append({})
    assert shared > 100, shared


def test_each_kind_is_built_once_per_tracker_state(
    domain: Domain, rasa_calls: list[tuple[bool, bool]]
) -> None:
    tracker = DialogueStateTracker("pupil", list(domain.slots))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("hallo", {"name": "greet", "confidence": 1.0}))
    for _ in range(3):  # TED and memoization ask for one kind, the rules for the other
        tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY_DATA)
        tracker.past_states(domain, rule_only_data=RULE_ONLY_DATA)
    assert rasa_calls == [(False, True), (False, False)]
    tracker.update(ActionExecuted("utter_greet"))  # a new event: built anew
    tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY_DATA)
    other = Domain.load(str(ROOT / "bot" / "domain"))  # another domain: built anew
    tracker.past_states(other, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY_DATA)
    tracker.past_states(other, ignore_rule_only_turns=True, rule_only_data=None)  # other rule-only data
    assert len(rasa_calls) == 5
    bounded = DialogueStateTracker("pupil", list(domain.slots), max_event_history=10)
    bounded.update(ActionExecuted("action_listen"))
    for _ in range(2):  # a bounded history is always Rasa's
        bounded.past_states(domain)
    assert len(rasa_calls) == 7
