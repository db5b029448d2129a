# The portal's habits. `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Local development: DEBUG on (a dev-only secret key), demo seed allowed.
DEV := DEBUG=true ALLOW_DEMO_SEED=true
# Production-like values for Django's deployment check.
DEPLOY := DEBUG=false SECRET_KEY=deploy-check-5f2b8c1e9a7d4b3f6e0a1c2d8e9f7a6b5c4d3e2f1a0b9c8d ALLOWED_HOSTS=portal.example.ir HTTPS=true ALLOW_DEMO_SEED=false
# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install assets messages migrate seed run test lint format check-deploy pytest makemessages bench backup restore security clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed
	scripts/copy_assets.sh

messages: install
	$(DEV) $(PY) manage.py compile_translations

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV) $(PY) manage.py seed_demo

# The development server and one background worker (manage.py db_worker) beside it: e-mail and
# SMS go out through the worker. Ctrl+C stops both. Another port: make run PORT=8001
run: install assets messages seed
	@echo "Serving http://$(HOST):$(PORT)/  (demo password: demo-pass-1405)"
	@echo "With one background worker beside it (manage.py db_worker): e-mail and SMS go out through it; Ctrl+C stops both."
	$(DEV) HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/run_dev.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	$(DEPLOY) $(PY) manage.py check --deploy --fail-level WARNING

pytest: install assets messages
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: install assets messages lint
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

makemessages: install
	$(DEV) $(PY) manage.py makemessages -l fa --ignore=.venv --ignore=node_modules --ignore=static/vendor --no-obsolete

bench: install assets messages
	bench/run.sh

backup: install
	scripts/backup.sh

restore: install
	scripts/restore.sh $(BACKUP)

security: install
	scripts/security.sh

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles .pytest_cache
