#!/usr/bin/env bash
# `make bench`: Rasa's check of action server responses as shipped and patched (bot/rasa_patches.py),
# the assistant's figures beside Rasa's starter assistant (closed loop, scaled profile, a class) and
# where a message's time goes per stage with the memory of every process (docs/bench.md), then offer search at
# 100,000 offers on SQLite and PostgreSQL beside the same queries as raw SQL, and a soak run
# (200 conversations over 5 minutes against a stack of its own: errors, latency, memory over time).
# Prints figures and ratios and writes them to artifacts/bench/; nothing asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
bash scripts/system_packages.sh
BERUFSLOTSE_TEST_POSTGRES_URL=$(bash scripts/services/postgres.sh start)
export BERUFSLOTSE_TEST_POSTGRES_URL
trap 'bash scripts/services/postgres.sh stop >/dev/null 2>&1 || true' EXIT
.venv-rasa/bin/python -m scripts.bench_action_validation
.venv/bin/python -m scripts.bench "$@"
.venv/bin/python -m scripts.bench_offers
.venv/bin/python -m scripts.soak
