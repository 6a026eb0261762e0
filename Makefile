# Berufslotse: every task a developer or CI needs, from a fresh clone.
# `make run` starts the whole stack on embedded defaults; `make test` runs every test.
.DEFAULT_GOAL := help
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa

.PHONY: help setup system model run shell test lint knowledge bench clean

help:
	@echo "make run    set up, train if needed, start API + actions + Rasa (Ctrl-C stops all)"
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
