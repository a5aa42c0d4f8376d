# Zorgroute — run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
MODEL   := models/zorgroute.tar.gz
STAMPS  := .make

export ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
# The secret Rasa sends to the action server: from the environment or .env, else a fresh one per make run.
ifndef ACTION_SERVER_TOKEN
ACTION_SERVER_TOKEN := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
endif
export ACTION_SERVER_TOKEN
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup system-packages spacy train run run-prod test lint typecheck validate pytest conversations evaluate \
	bench crisis-authors db tickets-drain clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

setup: ## Create .venv (Python 3.10) and install pinned dependencies when needed
	@bash scripts/setup_env.sh

system-packages: ## Install the Debian packages the tests need (PostgreSQL, Chromium, Redis, nginx), when missing
	@bash scripts/install_system_packages.sh

spacy: setup ## Build and install the Dutch spaCy pipeline when the lexicon or its code changed
	@bash scripts/when_changed.sh $(STAMPS)/spacy "knowledge bot/nlu/spacy_components.py bot/nlu/pipeline.py" \
		$(PY) -m bot.nlu.pipeline build --output build/spacy

train: spacy ## Train the Rasa model when data, corpus, config, domain or the NLU code changed
	@bash scripts/when_changed.sh $(STAMPS)/train "config.yml domain.yml data corpus bot/nlu/rasa_components.py bot/nlu/crisis_model.py $(STAMPS)/spacy" \
		$(RASA) train --force --fixed-model-name zorgroute --out models --data data

run: train ## Start the assistant on embedded defaults (REST chat on 127.0.0.1:5005)
	@bash scripts/run.sh

run-prod: system-packages train ## Production shape on loopback: PostgreSQL, Redis, nginx, 2 Rasa + 2 action servers
	@$(PY) -m deploy.local.shape

test: export ZORGROUTE_REQUIRE_SYSTEM_PACKAGES := 1
test: system-packages train lint validate conversations pytest ## Run every check (what CI runs)

lint: setup ## ruff (style + docstrings) and mypy
	@$(VENV)/bin/ruff check bot actions deploy bench tests scripts
	@$(VENV)/bin/mypy

validate: setup ## rasa data validate
	@$(RASA) data validate --data data --domain domain.yml --config config.yml

pytest: train ## The pytest suite (unit, REST chat, hostile input, browser, production shape with faults)
	@$(PY) -m pytest

conversations: train ## Conversation tests with --fail-on-prediction-errors
	@$(RASA) test core --stories tests/conversations --model $(MODEL) --out results \
		--fail-on-prediction-errors --no-plot

evaluate: train ## Held-out intent P/R/F1 and next_step accuracy
	@$(PY) -m bot.evaluation

crisis-authors: ## Crisis rules + classifier scored on each corpus author left out of training (no Rasa model needed)
	@$(PY) -m bench.crisis_authors

# When make trains the model in this very call, the benchmark reports that training's time instead of training again.
bench: export ZORGROUTE_BENCH_STARTED := $(shell date +%s)
bench: system-packages train ## Benchmarks (quality vs baselines, latency, throughput, memory, scaling) -> docs/benchmarks.md
	@$(PY) -m bench.run

db: setup ## Create or upgrade the ticket database (DATABASE_URL, default var/zorgroute.db)
	@$(PY) -m bot tickets migrate

tickets-drain: setup ## Write tickets queued in the outbox (while the database was down) to the database
	@$(PY) -m bot tickets drain

clean: ## Remove build output, trained models and caches (keeps .venv)
	rm -rf build models/*.tar.gz results $(STAMPS) .pytest_cache .ruff_cache .mypy_cache
