#!/usr/bin/env bash
# Everything `make test` runs, in order: static checks, the knowledge validator, unit and API
# tests on SQLite and PostgreSQL, the NLU components, the Rasa data and test stories, the
# held-out evaluations (NLU messages, open questions), and the end-to-end tests against the real stack.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PY_RASA=.venv-rasa/bin/python
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p artifacts

step() { printf '\n=== %s (at %d s)\n' "$*" "$SECONDS" >&2; }

step "lint and types"
bash scripts/lint.sh

step "knowledge base"
$PY -m knowledge.validate

step "PostgreSQL for the tests (127.0.0.1 only)"
BERUFSLOTSE_TEST_POSTGRES_URL=$(bash scripts/services/postgres.sh start)
export BERUFSLOTSE_TEST_POSTGRES_URL
SERVICES_PID=""
cleanup() {
  if [ -n "$SERVICES_PID" ]; then kill -- "$SERVICES_PID" 2>/dev/null || true; wait "$SERVICES_PID" 2>/dev/null || true; fi
  bash scripts/services/postgres.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The services side needs no model: it runs beside the training and the Rasa side (two cores: one
# pytest process each), its output goes to a log that is printed when it is done.
step "services side, in the background: knowledge, API, actions, channels (log: artifacts/services-tests.log)"
$PY -m pytest -p no:cacheprovider tests --ignore=tests/nlu --ignore=tests/bot --ignore=tests/e2e \
  >artifacts/services-tests.log 2>&1 &
SERVICES_PID=$!

step "model (trained only when its inputs changed)"
MODEL=$($PY -m scripts.train)
export BERUFSLOTSE_MODEL="$MODEL"

step "Rasa data and test stories"
.venv-rasa/bin/rasa data validate --domain bot/domain --data bot/data --config bot/config.yml --fail-on-warnings
# with the engine patches of the served Rasa (bot/rasa_patches.py): they must not change a prediction
.venv-rasa/bin/python -m scripts.rasa_with_patches test core --model "$MODEL" --stories bot/tests --out artifacts/rasa-core \
  --fail-on-prediction-errors --no-plot

step "Rasa engine side: NLU components and the held-out evaluations (NLU messages, open questions)"
$PY_RASA -m pytest -p no:cacheprovider -rxX tests/nlu tests/bot tests/knowledge

step "services side: waiting for the background run"
services_rc=0
wait "$SERVICES_PID" || services_rc=$?
SERVICES_PID=""
cat artifacts/services-tests.log
if [ "$services_rc" -ne 0 ]; then
  echo "services side failed (exit $services_rc); its log is above and in artifacts/services-tests.log" >&2
  exit "$services_rc"
fi

step "end-to-end: the real stack through the REST channel, Telegram and the web widget"
$PY -m pytest -p no:cacheprovider tests/e2e

step "done"
