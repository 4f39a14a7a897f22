# The two commands of the README: `make run` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
# pytest-xdist workers for `make test`: more than the cores, as the browser, worker and fault
# tests spend most of their time waiting (3 on this project's 2-core CI machine: 4 min, not 17).
TEST_WORKERS ?= 3
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

APPS := leadfunnel leads scoring sales sla reporting evidence integrations capture audit demo

.PHONY: run test test-fast bench lint fmt migrate check-deploy messages messages-check clean

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The compiled French catalogue, from its .po (Babel: no GNU gettext needed to run the app).
CATALOGUES := locale/fr/LC_MESSAGES/django.mo
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.runtime
	$(PY) manage.py catalogues compile

migrate: $(VENV)/.runtime $(CATALOGUES)
	$(PY) manage.py migrate --noinput

## Set up, load demo data, then serve the app with a Celery worker and beat (Ctrl-C stops all).
run: migrate
	$(PY) manage.py demo_data --port $(PORT)
	exec honcho start --procfile Procfile --port $(PORT)

## Set up and run the whole test suite (browser tests included when Chromium is installed).
test: $(VENV)/.dev $(CATALOGUES)
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=leadfunnel.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=leadfunnel.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## The same suite in parallel, one pytest-xdist worker per core: for the edit-test loop.
test-fast: $(VENV)/.dev $(CATALOGUES)
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

## Run every benchmark in bench/ and print a table (PostgreSQL: set DATABASE_URL).
bench: $(VENV)/.dev
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(APPS)

fmt: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## `manage.py check --deploy` with the production settings and throwaway secrets.
check-deploy: $(VENV)/.runtime
	DJANGO_SETTINGS_MODULE=leadfunnel.settings.production \
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=leadfunnel.example.com EMAIL_URL=smtp+tls://ci:ci@smtp.example.com:587 \
	$(PY) manage.py check --deploy --fail-level WARNING

## Add the newly marked strings to locale/fr/LC_MESSAGES/django.po (needs GNU gettext).
messages: $(VENV)/.runtime
	$(PY) manage.py catalogues update

## Fail when a marked string is not translated in the French catalogue (CI; needs gettext).
messages-check: $(VENV)/.runtime
	$(PY) manage.py catalogues check

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
