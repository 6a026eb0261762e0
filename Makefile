# Berufslotse: every task a developer or CI needs, from a fresh clone.
# `make run` starts the whole stack on embedded defaults; `make test` runs every test.
.DEFAULT_GOAL := help
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa

.PHONY: help setup system model run run-scaled shell test lint knowledge bench clean

help:
	@echo "make run    set up, train if needed, start API + actions + Rasa (Ctrl-C stops all)"
	@echo "make run-scaled  the same with RASA_SERVERS (default 2) Rasa servers behind HAProxy,"
	@echo "            on PostgreSQL and Redis (see the README)"
	@echo "make shell  chat with the running assistant in the terminal"
	@echo "make test   set up and run every test (what CI runs)"
	@echo "make bench  measure latency, throughput, memory and training time"

setup:
	@bash scripts/setup.sh

system:
	@bash scripts/system_packages.sh

model: setup
	@$(PY) -m scripts.train >/dev/null

run: setup
	@$(PY) -m scripts.stack run

# several Rasa servers behind HAProxy, sharing PostgreSQL and Redis: `make run-scaled RASA_SERVERS=3`
RASA_SERVERS ?= 2
run-scaled: setup system
	@BERUFSLOTSE_RASA_SERVERS=$(RASA_SERVERS) $(PY) -m scripts.scaled run

shell:
	@$(PY) -m scripts.chat

lint: setup
	@bash scripts/lint.sh

knowledge: setup
	$(PY) -m knowledge.validate

test: setup system
	@bash scripts/test.sh

bench: setup
	@bash scripts/bench.sh

clean:
	rm -rf var models .rasa
