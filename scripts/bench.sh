#!/usr/bin/env bash
# `make bench`: the assistant's figures beside Rasa's starter assistant.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
.venv/bin/python -m scripts.bench "$@"
