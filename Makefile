# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PG_ENV := DATABASE_URL=postgres://bizenv:bizenv@127.0.0.1:5432/bizenv REDIS_URL=redis://127.0.0.1:6379/0

.PHONY: install system run test test-random test-pg services worker serve bench deploy-check backup restore lint check-deploy clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

## install: the virtualenv with the project and the Debian packages it needs
install: $(BIN)/.installed system

system:
	@bash scripts/system-packages.sh base browser
	@bash scripts/document-fonts.sh

## run: migrate, load the demo data (2022 archive, demo accounts) and serve http://127.0.0.1:8000/
## (another port: make run PORT=18000; SITE_URL and the printed addresses follow it)
PORT ?= 8000
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_data
	@# No celery beat here: what a stopped server left pending (a notice file, a mail) is
	@# done once at start; a step that fails is reported and the server starts anyway.
	-$(MANAGE) recover_pending_work
	$(MANAGE) runserver 127.0.0.1:$(PORT)

## test: the whole pytest suite on the current settings (SQLite unless DATABASE_URL is set),
## one pytest-xdist worker per core (TEST_WORKERS=1 for one process), each with its own databases
TEST_WORKERS ?= auto
XDIST = $(if $(filter 0 1,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadfile)
test: install
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

## test-random: the same suite in a random order (the seed is printed; PYTEST_ARGS=--randomly-seed=N repeats it)
test-random: install
	$(BIN)/python -m pytest -o addopts="-q --strict-markers -p tests.worker_env" -p randomly $(XDIST) $(PYTEST_ARGS)

## services: PostgreSQL and Redis on loopback
services:
	@bash scripts/system-packages.sh servers
	@bash scripts/services.sh

## test-pg: the suite against PostgreSQL and Redis
test-pg: install services
	$(PG_ENV) $(MAKE) test

## worker: a Celery worker (needs REDIS_URL)
worker: install
	mkdir -p var
	$(BIN)/celery -A bizenv worker -B -l info -s var/celerybeat-schedule

## serve: production mode under gunicorn (set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL)
serve: install
	DJANGO_ENV=production $(MANAGE) collectstatic --noinput
	DJANGO_ENV=production $(MANAGE) migrate --noinput
	DJANGO_ENV=production $(BIN)/gunicorn bizenv.wsgi -b $${BIND:-127.0.0.1:8000} -w $${WORKERS:-3} \
	  --forwarded-allow-ips "$$(printf '%s' "$${TRUSTED_PROXIES:-}" | tr ',' '\n' | grep -vx unix | paste -sd, -)"

## check-deploy: check --deploy with what a deployment sets (your environment's values win)
check-deploy: install
	DJANGO_ENV=production SECRET_KEY=$${SECRET_KEY:-check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	  PHONE_HASH_KEY=$${PHONE_HASH_KEY:-check-deploy-phone-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-cases.example.cn} SITE_URL=$${SITE_URL:-https://cases.example.cn} \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	  SMS_SENDER=$${SMS_SENDER:-reviews.vote.sms_gateways.HttpGatewaySender} \
	  $(MANAGE) check --deploy --fail-level WARNING

## deploy-check: the production stack (nginx → gunicorn, PostgreSQL, Redis, worker) on loopback + smoke test
deploy-check: install services
	@bash scripts/system-packages.sh proxy
	bash scripts/deploy-check.sh

## backup / restore FILE=…: the whole database and the uploaded files, as one .tar.gz
backup: install
	$(MANAGE) backup $(if $(FILE),--output $(FILE))

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=var/backups/….tar.gz" >&2; exit 2)
	$(MANAGE) migrate --noinput
	$(MANAGE) restore $(FILE) --yes

bench: install services
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles
