# The two commands: `make run` (the whole app with a demo workspace) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint install install-dev migrate demo bench clean

$(VENV)/bin/python:
	@PYBIN=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$PYBIN"; \
	"$$PYBIN" -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt
	@touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for Bootstrap and htmx: install Node.js (e.g. 'apt-get install nodejs npm')."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

install-dev: $(VENV)/.installed-dev node_modules/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input -v0

demo: migrate
	DEBUG=1 $(PY) manage.py demo

# Static files collected and compressed first, so the local run is as fast to load as production.
run: migrate
	DEBUG=1 STATIC_COMPRESSED=1 $(PY) manage.py collectstatic --no-input -v0
	@DEBUG=1 STATIC_COMPRESSED=1 scripts/run-all

test: install-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The benchmark (scripts/bench): the bench data set in a PostgreSQL database of its own, every main
# page and API list under load, written to docs/benchmarks.md. Needs wrk.
bench: install
	scripts/bench

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules var staticfiles

# The Stripe fake's response shapes (payments/tests/stripe_fake/recorded/), recorded from Stripe's
# test mode with STRIPE_TEST_SECRET_KEY (and STRIPE_TEST_CONNECTED_ACCOUNT, an onboarded test account,
# for transfers); without a key they are rewritten from the stripe package's types.
.PHONY: stripe-record
stripe-record: install
	$(PY) -m payments.tests.stripe_fake.record
