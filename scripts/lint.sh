#!/usr/bin/env bash
# Static checks, for `make lint` and the first step of `make test`: ruff (lint and format) and mypy
# for both runtimes; the code that runs inside the Rasa engine (nlu/, the tracker store) is checked
# against that environment.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/mypy --python-executable .venv-rasa/bin/python --python-version 3.10 --explicit-package-bases \
  nlu tests/nlu bot/erasure.py bot/tracker_store.py bot/lock_store.py bot/rasa_patches.py tests/bot/test_erasable_tracker_store.py \
  bot/channels/rest.py bot/channels/message_limits.py tests/bot/test_rest_channel.py \
  tests/bot/test_rasa_patches.py tests/bot/test_applied_events_patch.py tests/bot/test_event_types_patch.py scripts/bench_action_validation.py bot/stage_timing.py tests/bot/test_stage_timing.py
