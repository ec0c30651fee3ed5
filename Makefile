# `make run` serves the line locally with the try-it page; `make test` checks everything.
# Both set up what they need: the virtual environment and the compiled catalogues.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app service

.PHONY: run chat chat-call test lint check catalogues bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

catalogues: $(STAMP)
	$(FLASK) i18n compile

# A local trial: DEV_MODE, no real Twilio token (the try-it page needs none).
run: catalogues
	env -u TWILIO_AUTH_TOKEN DEV_MODE=1 $(FLASK) run --host 127.0.0.1 --port $(PORT)

chat: catalogues
	env -u TWILIO_AUTH_TOKEN DEV_MODE=1 $(FLASK) chat

chat-call: catalogues
	env -u TWILIO_AUTH_TOKEN DEV_MODE=1 $(FLASK) chat --call

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# For content editors: the catalogues, every message as sent, and how well people are
# understood. The tests run the same checks, so `make test` needs only the catalogue one.
check: catalogues
	$(FLASK) i18n check
	$(FLASK) content check
	$(FLASK) content eval

test: lint catalogues
	$(FLASK) i18n check
	$(BIN)/python -m pytest -q -n 2

bench: catalogues
	$(BIN)/python bench/sms_throughput.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
	find locales -name '*.mo' -delete
