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

A Rasa upgrade cannot break this silently: `apply()` patches only a Rasa version it knows
(SUPPORTED_RASA) whose `RemoteAction` still has the functions it relies on. Otherwise it logs an
error and leaves Rasa's own behaviour (slower, still correct). It never raises: an exception while
importing the tracker store would make Rasa fall back to an in-memory store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# Rasa versions whose RemoteAction._validate_action_result this module has been read against.
SUPPORTED_RASA = ("3.6.",)

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
    if hasattr(rasa_validation, PATCH_MARKER):
        return True
    response_validator(schema_function)  # build it now, not during the first conversation
    RemoteAction._validate_action_result = _make_fast_validation(rasa_validation)
    logger.info("rasa_patches: action server responses are validated with a validator built once")
    return True
