"""bot/rasa_patches.py's third patch: `DialogueStateTracker.applied_events()` remembered per tracker
and extended by the new events. It must answer exactly what Rasa's own function answers, after
every event of a conversation (that is how the processor grows a tracker during a turn), for the
conversations of bot/tests (the check's form included) and for the events that undo others."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from bot import rasa_patches

ROOT = Path(__file__).resolve().parents[2]
AppliedEvents = Callable[[DialogueStateTracker], list[Event]]


@pytest.fixture
def rasa_applied_events() -> AppliedEvents:
    """Rasa's own function, whether or not the patch is already applied in this process."""
    current = DialogueStateTracker.__dict__["applied_events"]
    original: AppliedEvents = getattr(current, rasa_patches.APPLIED_EVENTS_MARKER, current)
    return original


@pytest.fixture
def unpatched(monkeypatch: pytest.MonkeyPatch, rasa_applied_events: AppliedEvents) -> Iterator[None]:
    monkeypatch.setattr(DialogueStateTracker, "applied_events", rasa_applied_events)
    yield


@pytest.fixture
def patched(unpatched: None) -> None:
    rasa_patches.apply_applied_events_cache()
    assert rasa_patches.applied_events_cache_applied()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


def conversations(domain: Domain) -> list[tuple[str, list[Event]]]:
    """Every story of bot/tests as one event list (the test stories are whole conversations)."""
    stories = []
    for path in sorted((ROOT / "bot" / "tests").glob("*.yml")):
        for step in YAMLStoryReader(domain).read_from_file(str(path)):
            # with the action_listen before each user message, as in a served conversation
            stories.append((f"{path.name}: {step.block_name}", step.explicit_events(domain)))
    return stories


def grow_and_compare(
    events: Sequence[Event], rasa_applied_events: AppliedEvents, slots: Any = ()
) -> DialogueStateTracker:
    """Adds the events one by one and compares the patched answer with Rasa's after each."""
    tracker = DialogueStateTracker("pupil", list(slots))
    for index, event in enumerate(events):
        tracker.update(event)
        patched_answer = tracker.applied_events()
        assert patched_answer == rasa_applied_events(tracker), index
        assert [id(e) for e in patched_answer] == [id(e) for e in rasa_applied_events(tracker)], index
        if index % 3 == 0:  # asked twice in a row (several policies in one prediction)
            assert tracker.applied_events() == patched_answer
    return tracker


@pytest.mark.usefixtures("patched")
def test_the_test_conversations_give_the_same_applied_events(
    domain: Domain, rasa_applied_events: AppliedEvents
) -> None:
    stories = conversations(domain)
    assert len(stories) > 50
    assert any(isinstance(e, ActiveLoop) and e.name == "check_form" for _, s in stories for e in s)
    for name, events in stories:
        try:
            grow_and_compare(events, rasa_applied_events, domain.slots)
        except AssertionError as error:
            raise AssertionError(f"{name}: after event {error}") from error


def check_form_turn(item: int) -> list[Event]:
    """One answer inside the check's form (its happy path: folded into the latest execution)."""
    return [
        UserUttered("/check_answer", {"name": "check_answer", "confidence": 1.0}),
        ActionExecuted("check_form"),
        SlotSet("check_item", None),
        SlotSet("check_answers", [["r01", item]]),
        ActionExecuted("action_ask_check_item"),
        ActionExecuted("action_listen"),
    ]


def test_events_that_undo_others_give_the_same_applied_events(
    patched: None, rasa_applied_events: AppliedEvents, domain: Domain
) -> None:
    listen = ActionExecuted("action_listen")
    events: list[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        listen,
        UserUttered("hallo", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
        UserUttered("berufstest", {"name": "start_check", "confidence": 1.0}),
        ActionExecuted("check_form"),
        ActiveLoop("check_form"),
        ActionExecuted("action_listen"),
        *[event for item in range(1, 6) for event in check_form_turn(item)],
        UserUttered("was macht ein tischler", {"name": "ask_profession", "confidence": 1.0}),
        ActionExecuted("check_form"),  # rejected: an unhappy path
        ActionExecuted("action_answer_profession"),
        ActionExecuted("check_form"),
        ActionExecuted("action_listen"),
        UserUttered("nein", {"name": "deny", "confidence": 1.0}),
        UserUtteranceReverted(),
        UserUttered("ja", {"name": "affirm", "confidence": 1.0}),
        ActionExecuted("utter_ok"),
        ActionReverted(),
        ActionExecuted("check_form"),
        ActiveLoop(None),
        ActionExecuted("action_listen"),
        # a loop name not seen before: Rasa's loop names change, the patch starts from scratch
        UserUttered("kontakt", {"name": "contact", "confidence": 1.0}),
        ActionExecuted("contact_form"),
        ActionExecuted("contact_form"),  # a loop execution only once the loop name is known
        ActiveLoop("contact_form"),
        ActionExecuted("action_listen"),
        *[event for item in range(1, 3) for event in check_form_turn(item)],
        Restarted(),
        ActionExecuted("action_listen"),
        UserUttered("hallo", {"name": "greet", "confidence": 1.0}),
    ]
    tracker = grow_and_compare(events, rasa_applied_events, domain.slots)
    # the last event replaced in place (same list, same length): computed again
    tracker.events.pop()
    tracker.events.append(ActionExecuted("utter_greet"))
    assert tracker.applied_events() == rasa_applied_events(tracker)
    # a list of events put in place of the tracker's: computed again, not taken from before
    tracker.events = tracker._create_events(events[:12])
    assert tracker.applied_events() == rasa_applied_events(tracker)


def test_a_bounded_event_history_is_left_to_rasa(
    patched: None, rasa_applied_events: AppliedEvents, domain: Domain
) -> None:
    tracker = DialogueStateTracker("pupil", list(domain.slots), max_event_history=4)
    for item in range(1, 4):
        for event in check_form_turn(item):
            tracker.update(event)
            assert tracker.applied_events() == rasa_applied_events(tracker)
    assert rasa_patches.APPLIED_EVENTS_MARKER not in tracker.__dict__


def long_check() -> list[Event]:
    start = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("berufstest", {"name": "start_check", "confidence": 1.0}),
        ActionExecuted("check_form"),
        ActiveLoop("check_form"),
        ActionExecuted("action_listen"),
    ]
    return [*start, *[event for item in range(60) for event in check_form_turn(item % 5 + 1)]]


def test_a_long_check_is_the_same_and_asked_again_looks_only_at_new_events(
    patched: None, rasa_applied_events: AppliedEvents, monkeypatch: pytest.MonkeyPatch, domain: Domain
) -> None:
    tracker = grow_and_compare(long_check(), rasa_applied_events, domain.slots)
    assert len(tracker.events) > 350
    # the costly step of Rasa's loop: a form execution looks back for the form's last execution
    looks: list[str] = []
    rasa_look = DialogueStateTracker._first_loop_execution_or_unhappy_path

    def counted(self: DialogueStateTracker, name: str, applied: list[Event]) -> bool:
        looks.append(name)
        return rasa_look(self, name, applied)

    monkeypatch.setattr(DialogueStateTracker, "_first_loop_execution_or_unhappy_path", counted)
    rasa_applied_events(tracker)
    assert len(looks) > 60  # Rasa's function: once per form execution of the whole conversation
    looks.clear()
    tracker.applied_events()
    assert looks == []  # asked again: nothing new
    for event in check_form_turn(3):
        tracker.update(event)
    looks.clear()
    patched_answer = tracker.applied_events()
    assert looks == ["check_form"]  # only the new form execution
    assert patched_answer == rasa_applied_events(tracker)


def test_the_patch_is_switched_on_by_apply_and_can_be_switched_off(
    unpatched: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(rasa_patches.APPLIED_EVENTS_ENV, "0")
    assert rasa_patches.apply()
    assert not rasa_patches.applied_events_cache_applied()
    monkeypatch.delenv(rasa_patches.APPLIED_EVENTS_ENV)
    assert rasa_patches.apply()
    assert rasa_patches.applied_events_cache_applied()
    first = DialogueStateTracker.__dict__["applied_events"]
    rasa_patches.apply_applied_events_cache()  # twice is the same as once
    assert DialogueStateTracker.__dict__["applied_events"] is first
