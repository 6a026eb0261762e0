"""bot/rasa_patches.py's fourth patch: `Event.resolve_by_type` remembers Rasa's answer per type name
(the SQL tracker store asks it for every stored event of a conversation). It must answer what
Rasa's function answers, also after a new event class appears."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SessionStarted, UserUttered, deserialise_events

from bot import rasa_patches

Resolve = Callable[..., Any]


@pytest.fixture
def rasa_resolve() -> Resolve:
    """Rasa's own function, whether or not the patch is already applied in this process."""
    current = Event.__dict__["resolve_by_type"].__func__
    original: Resolve = getattr(current, rasa_patches.EVENT_TYPES_MARKER, current)
    return original


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch, rasa_resolve: Resolve) -> Iterator[None]:
    """Patched from Rasa's own state; Rasa's function and no hook again afterwards."""
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_resolve))
    if "__init_subclass__" in Event.__dict__:
        monkeypatch.delattr(Event, "__init_subclass__")
    assert not rasa_patches.event_types_cache_applied()
    rasa_patches.apply_event_types_cache()
    assert rasa_patches.event_types_cache_applied()
    yield
    rasa_patches._event_types.clear()


def every_type_name() -> list[str]:
    return sorted({cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)})


@pytest.mark.usefixtures("patched")
def test_every_event_type_resolves_as_in_rasa(rasa_resolve: Resolve) -> None:
    names = every_type_name()
    assert {"user", "bot", "action", "slot", "active_loop", "session_started"} <= set(names)
    for _ in range(2):  # asked, then remembered
        for name in names:
            assert Event.resolve_by_type(name) is rasa_resolve(name), name
    assert set(rasa_patches._event_types) == set(names)
    assert Event.resolve_by_type("topic") is None  # Rasa's answer for old TopicSet events
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert "topic" not in rasa_patches._event_types and "no_such_event" not in rasa_patches._event_types


@pytest.mark.usefixtures("patched")
def test_stored_events_come_back_as_before(rasa_resolve: Resolve) -> None:
    stored = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 2.0},
        {"event": "user", "text": "hallo", "parse_data": {"intent": {"name": "greet"}}, "timestamp": 3.0},
        {"event": "slot", "name": "language", "value": "de", "timestamp": 4.0},
        {"event": "active_loop", "name": "check_form", "timestamp": 5.0},
    ]
    first = deserialise_events(stored)
    again = deserialise_events(stored)
    assert first == again
    assert [type(event) for event in again] == [rasa_resolve(row["event"]) for row in stored]


def test_a_new_event_class_is_found_as_rasa_finds_it(patched: None, rasa_resolve: Resolve) -> None:
    """A class defined later that Rasa's walk meets first (a direct subclass of Event, while
    SessionStarted sits one level deeper): the memory is emptied and the new class is found."""
    assert Event.resolve_by_type("session_started") is SessionStarted
    assert "session_started" in rasa_patches._event_types

    class LaterSessionStarted(Event):
        type_name = "session_started"

        def __eq__(self, other: Any) -> bool:
            return type(other) is type(self)

        def __hash__(self) -> int:
            return 1

        def as_story_string(self) -> None:
            return None

    try:
        assert rasa_patches._event_types == {}
        assert rasa_resolve("session_started") is LaterSessionStarted
        assert Event.resolve_by_type("session_started") is LaterSessionStarted
    finally:
        rasa_patches._event_types.clear()
        del LaterSessionStarted
        gc.collect()  # gone from Event.__subclasses__() again for the other tests
    assert rasa_resolve("session_started") is SessionStarted


def test_the_patch_is_switched_on_by_apply_and_can_be_switched_off(
    rasa_resolve: Resolve, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_resolve))
    if "__init_subclass__" in Event.__dict__:
        monkeypatch.delattr(Event, "__init_subclass__")
    monkeypatch.setenv(rasa_patches.EVENT_TYPES_ENV, "0")
    assert rasa_patches.apply()
    assert not rasa_patches.event_types_cache_applied()
    monkeypatch.delenv(rasa_patches.EVENT_TYPES_ENV)
    assert rasa_patches.apply()
    assert rasa_patches.event_types_cache_applied()
    first = Event.__dict__["resolve_by_type"]
    rasa_patches.apply_event_types_cache()  # twice is the same as once
    assert Event.__dict__["resolve_by_type"] is first
